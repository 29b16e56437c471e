package io.vrouter.agent.dataplane;

import io.vrouter.agent.dataplane.io.PacketIo;
import io.vrouter.agent.port.VmPort;
import io.vrouter.drop.DropReason;
import io.vrouter.flow.FlowAction;
import io.vrouter.flow.FlowFlags;
import io.vrouter.flow.FlowKey;
import io.vrouter.flow.FlowResult;
import io.vrouter.flow.FlowSnapshot;
import io.vrouter.flow.FlowTable;
import io.vrouter.linklocal.registry.LinkLocalService;
import io.vrouter.linklocal.registry.RegistrySnapshot;
import io.vrouter.packet.Arp;
import io.vrouter.packet.Ethernet;
import io.vrouter.packet.Ipv4;
import io.vrouter.packet.NatRewriter;
import io.vrouter.packet.PacketChecksums;
import io.vrouter.packet.PacketParser;
import io.vrouter.packet.ParsedPacket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The userspace dataplane: one thread that owns the flow table and moves frames between guest
 * ports and the vhost agent end.
 *
 * <h2>Duty cycle ({@link #doWork()})</h2>
 * Reads the clock once, runs up to {@code commandBudget} control commands (port add/remove,
 * service changes), takes up to {@code rxBatch} frames from the vhost and from each port in turn,
 * sets up the flows that missed in this cycle, and ages at most {@code ageBudget} flows. Returns
 * the work done. When a cycle did nothing, the thread first busy-polls the queues (lock-free
 * reads) for up to {@code busyPollNs} after the last cycle that did work, then parks (at most
 * {@code idleParkNs}); a capture thread that queues a frame, or a command, unparks it only if it
 * is parked (a volatile flag), so a busy dataplane takes frames without a park/unpark each.
 * Idle, it busy-polls once after the last frame and then only wakes every {@code idleParkNs}.
 *
 * <h2>Wake-up without lost frames</h2>
 * The dataplane thread sets {@code sleeping} (volatile), re-checks every queue, then parks; a
 * producer publishes its frame (a volatile store, {@link SpscFrameQueue#offer}) and then reads
 * {@code sleeping}. Both are sequentially consistent, so either the dataplane thread sees the
 * frame or the producer sees the flag and unparks it.
 *
 * <h2>From a guest</h2>
 * <ol>
 *   <li>Parse (io.vrouter.packet); a bad frame is dropped with the parser's reason.</li>
 *   <li>Source enforcement: Ethernet source and, for ARP, sender MAC must be the port's
 *       {@code mac-address}; the IPv4 source (ARP sender IP) its {@code ip-address}: else
 *       {@link DropReason#SPOOFED_SOURCE}.</li>
 *   <li>ARP requests are answered with the agent MAC for every address but the guest's own
 *       (vrouter's L3 mode: the agent is the guest's only neighbour, gateway included).</li>
 *   <li>TCP/UDP: flow lookup keyed by the port's interface index. A miss creates a HOLD flow and
 *       queues the packet in it; later packets of that flow queue behind it (bounded by the
 *       table's HOLD limits). After the batch, each new flow is set up (below) and its held
 *       packets are released through the flow's action.</li>
 *   <li>A NAT flow rewrites the packet in place (incremental checksums; by default the TCP/UDP
 *       checksum is then completed in full, since a guest may use checksum offload, see
 *       {@link DataplaneConfig}), sets agent MAC → vhost kernel MAC and injects it into the vhost
 *       agent end.</li>
 * </ol>
 *
 * <h2>Flow set-up (the agent's part, run synchronously on this thread)</h2>
 * It only reads in-memory state (the service snapshot, the relay directory, the port table), so
 * it never blocks; it runs after the cycle's frames, which is why packets can queue in HOLD.
 * The service is looked up by (destination IP, destination port) in the registry snapshot:
 * <ul>
 *   <li>none: the flow becomes a DROP flow ({@link DropReason#NO_SERVICE}), so retries are
 *       dropped in the fast path until it ages out;</li>
 *   <li>{@code metadata}: reverse flow {@code (vhost, vhostIp:proxyPort -> metadataIp:sport)}, so
 *       the forward flow SNATs the source to the port's metadata IP (port kept) and DNATs to
 *       {@code vhostIp:metadata_proxy_port};</li>
 *   <li>any other service: the same with the service's relay port (TCP or UDP) on the vhost
 *       address ({@link RelayDirectory}); no relay: {@link DropReason#SERVICE_UNAVAILABLE}.</li>
 * </ul>
 * Flows are marked LINK_LOCAL and counted against the link-local limits by the table.
 *
 * <h2>From the vhost</h2>
 * ARP requests for 169.254.0.0/16 are answered with the agent MAC. IPv4 is looked up with
 * interface id {@link #VHOST_INTERFACE_ID}; a hit on a reverse flow is reverse-NAT'd (service
 * address and port back, guest IP as destination), sent with agent MAC → port MAC into the port
 * that owns the metadata IP. Anything else is dropped ({@link DropReason#POLICY}).
 *
 * <h2>Threads</h2>
 * The flow table, port table and service state are touched only by the dataplane thread. Other
 * threads talk to it through {@link #submit} (commands, answered with futures) and read
 * {@link #stats()} (counters and the table's concurrent-reader statistics). Without
 * {@link #start()}, a test drives the dataplane by calling {@link #doWork()} itself, with a clock
 * of its own: fully deterministic.
 */
public final class Dataplane implements AutoCloseable {
    /** Interface id of the vhost in flow keys (guest ports have 1-65534). */
    public static final int VHOST_INTERFACE_ID = 0;
    /** Highest interface index: metadata IPs are 169.254.0.0 + index, never .255.255. */
    public static final int MAX_INTERFACE_INDEX = 65534;
    /** 169.254.0.0, the link-local network (as an int). */
    public static final int LINK_LOCAL_NET = 0xA9FE_0000;

    private static final Logger LOG = LoggerFactory.getLogger(Dataplane.class);
    private static final PortState[] NO_PORTS = new PortState[0];
    /** Busy-poll iterations that only spin ({@link Thread#onSpinWait}) before yielding instead. */
    private static final int BUSY_POLL_SPINS = 64;

    private final DataplaneConfig config;
    private final FlowTable<byte[]> table;
    private final PacketParser parser;
    private final ParsedPacket pkt = new ParsedPacket();
    private final ParsedPacket heldPkt = new ParsedPacket();
    private final byte[] arpOut = new byte[Arp.MAX_FRAME_LENGTH];
    private final FlowKey reverseKey = new FlowKey();
    private final FlowSnapshot snap = new FlowSnapshot();
    private final DataplaneCounters counters = new DataplaneCounters();
    private final ConcurrentLinkedQueue<Command<?>> commands = new ConcurrentLinkedQueue<>();
    private final LongSupplier clock;
    private final PortState vhost;
    private final PortState[] byIndex = new PortState[MAX_INTERFACE_INDEX + 1];
    /** Ports in round-robin order; replaced (never mutated) on add/remove so stats can read it. */
    private volatile PortState[] ports = NO_PORTS;
    private final long[] pending;
    private int pendingCount;
    private RegistrySnapshot services = RegistrySnapshot.EMPTY;
    private RelayDirectory relays = RelayDirectory.none();
    /** The port whose flow is being set up: the held-packet sink forwards for it. */
    private PortState setupPort;
    private long now;

    private volatile boolean running;
    private volatile boolean sleeping;
    private volatile Thread thread;
    private volatile boolean closed;

    /**
     * @param config  settings
     * @param vhostIo packet I/O on the vhost agent end; owned by the dataplane from now on
     * @param clock   monotonic nanoseconds ({@code System::nanoTime}; tests pass their own)
     */
    public Dataplane(DataplaneConfig config, PacketIo vhostIo, LongSupplier clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.table = new FlowTable<>(config.flowTable(), this::releaseHeld);
        this.parser = new PacketParser();
        this.pending = new long[config.flowTable().maxHoldFlows()];
        this.vhost = PortState.vhost(Objects.requireNonNull(vhostIo, "vhostIo"), config.rxQueueCapacity());
        vhostIo.start((frame, length) -> enqueue(vhost, frame));
    }

    public DataplaneConfig config() {
        return config;
    }

    /** The flow table, for concurrent readers (introspect): {@code read}, statistics getters. */
    public FlowTable<byte[]> flowTable() {
        return table;
    }

    // ------------------------------------------------------------------ control API (any thread)

    /**
     * Runs {@code command} on the dataplane thread (or in the next {@link #doWork()} when not
     * started) and completes the future with its result or exception.
     */
    public <T> CompletableFuture<T> submit(Supplier<T> command) {
        Command<T> c = new Command<>(command);
        if (closed) {
            c.future.completeExceptionally(new IllegalStateException("dataplane closed"));
            return c.future;
        }
        commands.add(c);
        if (closed && commands.remove(c)) {
            c.future.completeExceptionally(new IllegalStateException("dataplane closed"));
        }
        wake();
        return c.future;
    }

    /**
     * Attaches a guest port read and written through {@code io} (owned by the dataplane from now
     * on). Re-adding a port id replaces the old attachment (its flows are deleted).
     *
     * @return completes when attached; exceptionally with {@link IllegalArgumentException} for a
     *         bad port (bad MAC, index out of range or taken by another port)
     */
    public CompletableFuture<Void> addPort(VmPort port, PacketIo io) {
        return submit(() -> {
            attach(port, io);
            return null;
        });
    }

    /**
     * Detaches a port: its flows (and packets held in them) are deleted, its queued frames
     * dropped. Completes with the port's {@link PacketIo} for the caller to close (so closing
     * never stalls this thread), or {@code null} when the port was unknown.
     */
    public CompletableFuture<PacketIo> removePort(String portId) {
        return submit(() -> detach(portId));
    }

    /**
     * Replaces the link-local services and the relay directory, and deletes every flow towards
     * an affected service address ({@code affected}: "ip:port" pairs of services added, removed
     * or changed), so the next packet sets up a flow with the new state. Deleting flows of
     * added services removes the NO_SERVICE drop flows of guests that asked too early.
     *
     * @param affected service addresses as {@code (long) ipv4 << 16 | port}
     * @return completes with the number of flows deleted
     */
    public CompletableFuture<Integer> updateServices(RegistrySnapshot snapshot, RelayDirectory relayDirectory,
                                                     long[] affected) {
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(relayDirectory, "relayDirectory");
        long[] keys = affected.clone();
        Arrays.sort(keys);
        return submit(() -> {
            services = snapshot;
            relays = relayDirectory;
            return deleteForwardFlows(s -> Arrays.binarySearch(keys, serviceKey(s.dip(), s.dport())) >= 0);
        });
    }

    /** The key {@link #updateServices} takes for a service address. */
    public static long serviceKey(int ipv4, int port) {
        return ((ipv4 & 0xFFFF_FFFFL) << 16) | (port & 0xFFFF);
    }

    // ------------------------------------------------------------------ thread

    /** Starts the dataplane thread ({@code vrouter-dataplane}). */
    public synchronized void start() {
        if (thread != null) {
            throw new IllegalStateException("already started");
        }
        running = true;
        Thread t = new Thread(this::run, "vrouter-dataplane");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    private void run() {
        long parkNs = config.idleParkNs();
        long busyPollNs = config.busyPollNs();
        long lastWorkNs = System.nanoTime();
        while (running) {
            int work;
            try {
                work = doWork();
            } catch (RuntimeException e) {
                // A bug on one packet must not stop the node's dataplane.
                counters.count(DataplaneCounters.ERRORS);
                LOG.error("dataplane cycle failed", e);
                work = 1;
            }
            if (work > 0) {
                lastWorkNs = System.nanoTime();
                continue;
            }
            if (busyPollNs > 0 && busyPoll(lastWorkNs + busyPollNs)) {
                continue; // something arrived while polling: no park/unpark for it
            }
            sleeping = true;
            if (!hasWork()) {
                LockSupport.parkNanos(this, parkNs);
            }
            sleeping = false;
        }
    }

    /**
     * Right after a cycle that did work, the next frame usually follows within microseconds (the
     * rest of a burst, the other direction of a round trip): wait for it awake, without a full
     * duty cycle, until {@code deadlineNs}. Spins briefly, then yields the core to any other
     * runnable thread, so on a busy machine it costs little and on an idle one it ends after
     * {@link DataplaneConfig#busyPollNs()}.
     *
     * @return true when work arrived before the deadline
     */
    private boolean busyPoll(long deadlineNs) {
        for (int i = 0; running; i++) {
            if (hasWork()) {
                return true;
            }
            if (System.nanoTime() - deadlineNs >= 0) {
                return false;
            }
            if (i < BUSY_POLL_SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        return false;
    }

    private boolean hasWork() {
        if (!commands.isEmpty() || !vhost.rx.isEmpty()) {
            return true;
        }
        for (PortState p : ports) {
            if (!p.rx.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private void wake() {
        if (sleeping) {
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }

    /** Capture threads: queue a frame for the dataplane thread; a full queue drops and counts. */
    private void enqueue(PortState p, byte[] frame) {
        if (!p.rx.offer(frame)) {
            counters.rxQueueFull();
            return;
        }
        wake();
    }

    /**
     * One duty cycle; see the class comment. Called by the dataplane thread, or by a test that
     * did not {@link #start()} it. Not thread-safe.
     *
     * @return work done (commands, frames, set-ups, aged flows); 0 when idle
     */
    public int doWork() {
        now = clock.getAsLong();
        int work = 0;
        for (int i = 0; i < config.commandBudget(); i++) {
            Command<?> c = commands.poll();
            if (c == null) {
                break;
            }
            counters.count(DataplaneCounters.COMMANDS);
            c.run();
            work++;
        }
        work += poll(vhost);
        PortState[] ps = ports;
        for (PortState p : ps) {
            work += poll(p);
        }
        work += setUpPending();
        work += table.age(now, config.ageBudget());
        return work;
    }

    private int poll(PortState p) {
        int n = 0;
        int batch = config.rxBatch();
        for (; n < batch; n++) {
            byte[] f = p.rx.poll();
            if (f == null) {
                break;
            }
            try {
                if (p.isVhost()) {
                    fromVhost(f);
                } else {
                    fromGuest(p, f);
                }
            } catch (RuntimeException e) {
                counters.count(DataplaneCounters.ERRORS);
                LOG.error("frame from {} dropped: processing failed", p.name(), e);
            }
        }
        return n;
    }

    // ------------------------------------------------------------------ guest → vhost

    private void fromGuest(PortState p, byte[] f) {
        counters.count(DataplaneCounters.RX_GUEST);
        p.count(PortState.RX);
        int rc = parser.parse(f, 0, f.length, pkt);
        if (rc != 0) {
            dropGuest(p, rc);
            return;
        }
        if (Ethernet.srcMac(f, 0) != p.mac) {
            dropGuest(p, DropReason.SPOOFED_SOURCE.code());
            return;
        }
        if (pkt.vlanId() >= 0) {
            dropGuest(p, DropReason.POLICY.code()); // ports here are untagged
            return;
        }
        if (pkt.isArp()) {
            arpFromGuest(p);
            return;
        }
        if (!pkt.isIpv4()) {
            dropGuest(p, DropReason.UNSUPPORTED_ETHERTYPE.code());
            return;
        }
        if (pkt.srcIp() != p.ip) {
            dropGuest(p, DropReason.SPOOFED_SOURCE.code());
            return;
        }
        int proto = pkt.ipProtocol();
        if (proto != Ipv4.PROTO_TCP && proto != Ipv4.PROTO_UDP) {
            dropGuest(p, DropReason.POLICY.code());
            return;
        }
        long h = table.lookup(p.nh, proto, pkt.srcIp(), pkt.dstIp(), pkt.srcPort(), pkt.dstPort());
        if (h == FlowResult.NO_FLOW) {
            h = table.addHold(p.nh, proto, pkt.srcIp(), pkt.dstIp(), pkt.srcPort(), pkt.dstPort(), now);
            if (!FlowResult.isHandle(h)) {
                p.count(PortState.DROPS); // refused by a limit: counted by the table
                return;
            }
            if (!table.holdPacket(h, f)) {
                p.count(PortState.DROPS); // hold queue length 0: set up anyway, packet dropped
            }
            if (pendingCount == pending.length) {
                setUpPending();
            }
            pending[pendingCount++] = h;
            return;
        }
        int action = table.account(h, f.length, pkt.tcpFlags(), now);
        switch (action) {
            case FlowAction.NAT, FlowAction.FORWARD -> toVhost(h, action, f, pkt);
            case FlowAction.HOLD -> {
                if (!table.holdPacket(h, f)) {
                    p.count(PortState.DROPS); // HOLD_QUEUE_FULL, counted by the table
                }
            }
            default -> p.count(PortState.DROPS); // DROP flow: counted by the table
        }
    }

    private void arpFromGuest(PortState p) {
        int spa = pkt.arpSenderIp();
        if (pkt.arpSenderMac() != p.mac || (spa != p.ip && spa != 0)) {
            dropGuest(p, DropReason.SPOOFED_SOURCE.code());
            return;
        }
        int tpa = pkt.arpTargetIp();
        if (pkt.arpOperation() != Arp.OP_REQUEST || spa == 0 || tpa == p.ip || tpa == 0) {
            // replies, gratuitous ARP and address probes: nobody else is on this link
            dropGuest(p, DropReason.POLICY.code());
            return;
        }
        int len = Arp.buildReplyTo(pkt, config.agentMac(), arpOut, 0);
        if (len > 0 && send(p, arpOut, len)) {
            counters.count(DataplaneCounters.ARP_REPLIES);
        }
    }

    private void toVhost(long h, int action, byte[] f, ParsedPacket p) {
        if (config.completePartialGuestChecksums()) {
            // Before NAT: the incremental update below keeps a checksum exactly as right (or
            // wrong) as it finds it, and a guest using offload hands over only a partial one.
            PacketChecksums.completePartialTransportChecksum(f, p);
        }
        if (action == FlowAction.NAT) {
            NatRewriter.rewrite(f, p, NatRewriter.ALL, table.natSourceIp(h), table.natSourcePort(h),
                    table.natDestinationIp(h), table.natDestinationPort(h));
        }
        Ethernet.setDstMac(f, 0, config.vhostKernelMac());
        Ethernet.setSrcMac(f, 0, config.agentMac());
        send(vhost, f, p.frameLength());
    }

    /** Held packets released by {@link FlowTable#installReverse}: re-parse and forward. */
    private void releaseHeld(byte[] f, long handle, int action) {
        if (parser.parse(f, 0, f.length, heldPkt) != 0) {
            counters.count(DataplaneCounters.ERRORS); // it parsed when it was held
            return;
        }
        toVhost(handle, action, f, heldPkt);
    }

    private void dropGuest(PortState p, int reasonCode) {
        counters.drop(reasonCode);
        p.count(PortState.DROPS);
    }

    // ------------------------------------------------------------------ flow set-up

    private int setUpPending() {
        int n = pendingCount;
        for (int i = 0; i < n; i++) {
            setUp(pending[i]);
        }
        pendingCount = 0;
        return n;
    }

    private void setUp(long h) {
        if (!table.read(h, snap) || snap.action() != FlowAction.HOLD) {
            return; // deleted (port removed, service change) or aged before set-up
        }
        counters.count(DataplaneCounters.FLOW_SETUPS);
        PortState p = byIndex[snap.nh()];
        if (p == null) {
            table.setDrop(h, DropReason.UNKNOWN_INTERFACE);
            return;
        }
        if (p.metadataIp == 0) {
            table.setDrop(h, DropReason.NO_METADATA_IP);
            return;
        }
        LinkLocalService svc = services.lookup(snap.dip(), snap.dport());
        if (svc == null) {
            table.setDrop(h, DropReason.NO_SERVICE);
            return;
        }
        int targetPort;
        if (svc.isMetadata()) {
            targetPort = config.metadataProxyPort();
        } else {
            targetPort = relays.relayPort(svc.name(), snap.proto());
            if (targetPort == RelayDirectory.NONE) {
                table.setDrop(h, DropReason.SERVICE_UNAVAILABLE);
                return;
            }
        }
        reverseKey.set(VHOST_INTERFACE_ID, snap.proto(), config.vhostIpInt(), p.metadataIp, targetPort, snap.sport());
        setupPort = p;
        try {
            long r = table.installReverse(h, reverseKey, FlowAction.NAT, FlowFlags.LINK_LOCAL, now);
            if (r == FlowResult.EXISTS) {
                // An older pair holds this reverse key (same guest port to another service that
                // maps to the same target): the newer flow wins.
                long old = table.lookup(reverseKey);
                if (FlowResult.isHandle(old)) {
                    table.delete(old);
                }
                r = table.installReverse(h, reverseKey, FlowAction.NAT, FlowFlags.LINK_LOCAL, now);
            }
            if (!FlowResult.isHandle(r) && FlowResult.dropReason(r) == null && table.isLive(h)) {
                LOG.warn("flow set-up for {} failed: {}", snap, FlowResult.describe(r));
                table.setDrop(h, DropReason.POLICY);
            }
        } finally {
            setupPort = null;
        }
    }

    // ------------------------------------------------------------------ vhost → guest

    private void fromVhost(byte[] f) {
        counters.count(DataplaneCounters.RX_VHOST);
        int rc = parser.parse(f, 0, f.length, pkt);
        if (rc != 0) {
            counters.drop(rc);
            return;
        }
        if (pkt.isArp()) {
            int tpa = pkt.arpTargetIp();
            if (pkt.arpOperation() == Arp.OP_REQUEST && (tpa & 0xFFFF_0000) == LINK_LOCAL_NET) {
                int len = Arp.buildReplyTo(pkt, config.agentMac(), arpOut, 0);
                if (len > 0 && send(vhost, arpOut, len)) {
                    counters.count(DataplaneCounters.ARP_REPLIES);
                }
            } else {
                counters.drop(DropReason.POLICY);
            }
            return;
        }
        if (!pkt.isIpv4()) {
            counters.drop(DropReason.UNSUPPORTED_ETHERTYPE);
            return;
        }
        int proto = pkt.ipProtocol();
        if (proto != Ipv4.PROTO_TCP && proto != Ipv4.PROTO_UDP) {
            counters.drop(DropReason.POLICY);
            return;
        }
        long h = table.lookup(VHOST_INTERFACE_ID, proto, pkt.srcIp(), pkt.dstIp(), pkt.srcPort(), pkt.dstPort());
        if (h == FlowResult.NO_FLOW) {
            counters.drop(DropReason.POLICY);
            return;
        }
        int dst = pkt.dstIp();
        PortState p = (dst & 0xFFFF_0000) == LINK_LOCAL_NET ? byIndex[dst & 0xFFFF] : null;
        int action = table.account(h, f.length, pkt.tcpFlags(), now);
        if (action != FlowAction.NAT && action != FlowAction.FORWARD) {
            return; // DROP flow: counted by the table
        }
        if (p == null || p.metadataIp != dst) {
            counters.drop(DropReason.UNKNOWN_INTERFACE);
            return;
        }
        if (action == FlowAction.NAT) {
            NatRewriter.rewrite(f, pkt, NatRewriter.ALL, table.natSourceIp(h), table.natSourcePort(h),
                    table.natDestinationIp(h), table.natDestinationPort(h));
        }
        Ethernet.setDstMac(f, 0, p.mac);
        Ethernet.setSrcMac(f, 0, config.agentMac());
        send(p, f, pkt.frameLength());
    }

    private boolean send(PortState p, byte[] f, int len) {
        if (p.io.send(f, len)) {
            if (p.isVhost()) {
                counters.count(DataplaneCounters.TX_VHOST);
            } else {
                counters.count(DataplaneCounters.TX_GUEST);
                p.count(PortState.TX);
            }
            return true;
        }
        counters.count(DataplaneCounters.TX_FAILED);
        return false;
    }

    // ------------------------------------------------------------------ port table (dataplane thread)

    private void attach(VmPort port, PacketIo io) {
        PortState ps = PortState.guest(port, io, config.rxQueueCapacity());
        PacketIo old = detach(port.id()); // re-add of the same port: replace it
        if (old != null && old != io) {
            old.close();
        }
        PortState other = byIndex[ps.nh];
        if (other != null) {
            throw new IllegalArgumentException("port " + port.id() + ": interfaceIndex " + ps.nh
                    + " is already used by port " + other.port.id());
        }
        byIndex[ps.nh] = ps;
        PortState[] next = Arrays.copyOf(ports, ports.length + 1);
        next[next.length - 1] = ps;
        ports = next;
        io.start((frame, length) -> enqueue(ps, frame));
        LOG.info("port {} attached: {} index {} ip {} mac {}", port.id(), io.interfaceName(), ps.nh,
                port.ipAddress().getHostAddress(), port.macAddress());
    }

    private PacketIo detach(String portId) {
        PortState found = null;
        for (PortState p : ports) {
            if (p.port.id().equals(portId)) {
                found = p;
                break;
            }
        }
        if (found == null) {
            return null;
        }
        PortState gone = found;
        byIndex[gone.nh] = null;
        List<PortState> rest = new ArrayList<>(Arrays.asList(ports));
        rest.remove(gone);
        ports = rest.toArray(NO_PORTS);
        int nh = gone.nh;
        int deleted = deleteForwardFlows(s -> s.nh() == nh);
        int dropped = gone.rx.drain();
        LOG.info("port {} detached: {} flows deleted, {} queued frames dropped", portId, deleted, dropped);
        return gone.io;
    }

    /**
     * Deletes every forward flow (with its reverse) matching {@code which}. Walks the table's
     * active list from the end, so the cost is the number of flows, not the capacity (a port
     * removal must not stall every guest's packets for a scan of 512K entries).
     */
    private int deleteForwardFlows(java.util.function.Predicate<FlowSnapshot> which) {
        int deleted = 0;
        for (int p = table.size() - 1; p >= 0; p = Math.min(p - 1, table.size() - 1)) {
            int i = table.activeIndex(p);
            if (table.read(i, snap) && (snap.flags() & FlowFlags.REVERSE) == 0 && which.test(snap)
                    && table.delete(snap.handle())) {
                deleted++;
            }
        }
        return deleted;
    }

    /** A control command and the future that carries its result. */
    private static final class Command<T> implements Runnable {
        final Supplier<T> body;
        final CompletableFuture<T> future = new CompletableFuture<>();

        Command(Supplier<T> body) {
            this.body = body;
        }

        @Override
        public void run() {
            try {
                future.complete(body.get());
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        }
    }

    // ------------------------------------------------------------------ stats (any thread)

    /** Counters, drops (the dataplane's and the table's), flows and per-port counters. */
    public DataplaneStats stats() {
        Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            long v = counters.drops(r) + table.dropCount(r);
            if (v != 0) {
                drops.put(r, v);
            }
        }
        List<PortStats> ps = new ArrayList<>();
        for (PortState p : ports) {
            ps.add(new PortStats(p.port.id(), p.name(), p.nh, p.counters.get(PortState.RX),
                    p.counters.get(PortState.TX), p.counters.get(PortState.DROPS), table.interfaceFlowCount(p.nh)));
        }
        Map<String, Long> totals = counters.totals();
        totals.put("vhost_capture_drops", vhost.io.captureDrops());
        return new DataplaneStats(totals, drops, table.size(), table.holdFlowCount(), table.linkLocalFlowCount(),
                List.copyOf(ps));
    }

    /** The dataplane's own counters (without the table's). */
    public DataplaneCounters counters() {
        return counters;
    }

    /**
     * Stops the thread and closes every port's I/O and the vhost I/O. Pending command futures
     * complete exceptionally.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Command<?> c;
        while ((c = commands.poll()) != null) {
            c.future.completeExceptionally(new IllegalStateException("dataplane closed"));
        }
        for (PortState p : ports) {
            p.io.close();
        }
        ports = NO_PORTS;
        vhost.io.close();
    }
}
