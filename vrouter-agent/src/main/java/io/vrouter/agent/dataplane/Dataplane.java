package io.vrouter.agent.dataplane;

import io.vrouter.agent.dataplane.io.FrameReceiver;
import io.vrouter.agent.dataplane.io.FrameSelector;
import io.vrouter.agent.dataplane.io.PacketIo;
import io.vrouter.agent.dataplane.kernel.KernelFastPath;
import io.vrouter.agent.dataplane.relay.RelayDirectory;
import io.vrouter.agent.port.VmPort;
import io.vrouter.drop.DropReason;
import io.vrouter.flow.FlowAction;
import io.vrouter.flow.FlowKey;
import io.vrouter.flow.FlowRecord;
import io.vrouter.flow.FlowTable;
import io.vrouter.linklocal.registry.RegistrySnapshot;
import io.vrouter.packet.Ethernet;
import io.vrouter.packet.Ipv4;
import io.vrouter.packet.Ipv6;
import io.vrouter.packet.PacketParser;
import io.vrouter.packet.ParsedPacket;
import io.vrouter.packet.TcpSegmenter;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The userspace dataplane: one thread that owns the flow table and moves frames between guest
 * ports and the vhost agent end.
 *
 * <h2>Duty cycle ({@link #doWork()})</h2>
 * An Agrona {@link Agent} on the thread {@value #ROLE_NAME}. Each cycle reads the clock once,
 * runs up to {@code commandBudget} control commands, asks the {@link FrameSelector} which capture
 * sockets have frames and takes up to {@code rxBatch} from each into one reused buffer, processed
 * in place (no queue, no allocation; a held packet is copied); then sets up the flows that missed
 * ({@link FlowSetup}), ages as many flows as {@link AgingPace} says once per flow-time tick, and
 * flushes the fast path's queued map deletions. An idle cycle hands over to
 * {@link DataplaneIdleStrategy} (busy-poll, then sleep in the selector). No thread per port.
 *
 * <h2>From a guest</h2>
 * <ol>
 *   <li>Parse (io.vrouter.packet); a bad frame is dropped with the parser's reason.</li>
 *   <li>Source enforcement: Ethernet source and, for ARP, sender MAC must be the port's
 *       {@code mac-address}; the IPv4 source (ARP sender IP) its {@code ip-address}: else
 *       {@link DropReason#SPOOFED_SOURCE}.</li>
 *   <li>ARP requests are answered with the agent MAC ({@link NeighborAnswers}).</li>
 *   <li>TCP/UDP: flow lookup keyed by the port's interface index. A miss creates a HOLD flow and
 *       queues the packet in it ({@link GuestFlows}), later ones behind it (the table's HOLD
 *       limits); each new flow is set up after the batch ({@link FlowSetup}) and releases them.</li>
 *   <li>A NAT flow rewrites the packet in place (RFC 1624 incremental checksums; a partial
 *       checksum a guest left to offload completed first, when
 *       {@link DataplaneConfig#completePartialGuestChecksums()}), agent MAC → vhost kernel MAC,
 *       TSO/GSO super-frames cut to the vhost MTU ({@link TcpSegmenter}), and injects it into
 *       the vhost agent end ({@link Egress}).</li>
 * </ol>
 *
 * <h2>IPv6 (metadata6)</h2>
 * The same for IPv6: NS for fe80::a9fe:a9fe answered ({@link NeighborAnswers}); source the
 * port's {@code ip6-address} or link-local; TCP to {@code [fe80::a9fe:a9fe]:80} NAT'd to
 * {@code [fe80::a9fe:ffff]:metadata_proxy_port} from the port's IPv6 metadata source
 * {@code fe80::a9fe:XXYY} ({@link FlowSetup}), replies reverse-NAT'd into the port owning it.
 *
 * <h2>From the vhost</h2>
 * {@link VhostFrames}: replies reverse-NAT'd into the port that owns their metadata address.
 *
 * <h2>Threads</h2>
 * Only the dataplane thread touches the flow table, port table and service state; other threads
 * {@link #submit} commands (answered with futures) and read {@link #stats()}. Without
 * {@link #start()}, a test calls {@link #doWork()} itself, with its own clock: deterministic.
 */
public final class Dataplane implements Agent, AutoCloseable {
    /** Interface id of the vhost in flow keys (guest ports have 1-65534). */
    public static final int VHOST_INTERFACE_ID = 0;
    /** Name of the dataplane thread. */
    public static final String ROLE_NAME = "vrouter-dataplane";

    private static final Logger LOG = LoggerFactory.getLogger(Dataplane.class);

    private final DataplaneConfig config;
    private final FlowTable<byte[]> table;
    /** Any frame pcap can capture: a guest with TSO/GSO on hands over frames of up to 64 KiB. */
    private final PacketParser parser = new PacketParser(PacketParser.MAX_MAX_FRAME_LENGTH, true);
    private final ParsedPacket pkt = new ParsedPacket();
    private final ParsedPacket heldPkt = new ParsedPacket();
    private final FlowKey heldKey = new FlowKey();
    private final DataplaneCounters counters = new DataplaneCounters();
    private final ControlQueue commands = new ControlQueue();
    private final LongSupplier clock;
    private final PortState vhost;
    private final Egress egress;
    private final PortTable ports = new PortTable();
    private final FlowSetup setup;
    private final AgingPace aging;
    /** ARP and IPv6 neighbour-discovery answers. */
    private final NeighborAnswers ndp;
    private final GuestFlows flows;
    private final DataplaneIdleStrategy idle;
    private final FrameSelector selector;
    /** Every frame is read into this and processed in place; {@link PacketIo#MAX_FRAME_LENGTH} long. */
    private final byte[] rxBuffer = new byte[PacketIo.MAX_FRAME_LENGTH];
    private final FrameReceiver guestReceiver = this::fromGuest;
    private final VhostFrames fromVhost;
    private final FrameReceiver vhostReceiver;
    /** The port being polled, for {@link #guestReceiver}. */
    private PortState polled;
    private long now;

    private volatile AgentRunner runner;
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
        this.setup = new FlowSetup(config, table, ports, counters);
        this.aging = new AgingPace(config.flowTable(), config.ageBudget());
        this.vhost = PortState.vhost(Objects.requireNonNull(vhostIo, "vhostIo"));
        this.egress = new Egress(config, table, counters, vhost);
        this.ndp = new NeighborAnswers(config.agentMac(), setup, egress, counters);
        this.flows = new GuestFlows(table, setup, egress);
        this.fromVhost = new VhostFrames(table, ports, vhost, egress, ndp, counters, parser, pkt);
        this.vhostReceiver = (f, length) -> fromVhost.receive(f, length, now);
        this.selector = new FrameSelector();
        this.idle = new DataplaneIdleStrategy(selector, this::hasWork, config.idleParkNs(), config.busyPollNs());
        watch(vhost);
    }

    /** Its settings (vhost address and MAC, agent MAC, ...). */
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
        CompletableFuture<T> future = commands.submit(command);
        idle.wake();
        return future;
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
     * @param affected service addresses as {@link #serviceKey}
     * @return completes with the number of flows deleted
     */
    public CompletableFuture<Integer> updateServices(RegistrySnapshot snapshot, RelayDirectory relayDirectory,
                                                     long[] affected) {
        Objects.requireNonNull(snapshot, "snapshot");
        Objects.requireNonNull(relayDirectory, "relayDirectory");
        long[] keys = affected.clone();
        Arrays.sort(keys);
        return submit(() -> setup.use(snapshot, relayDirectory, keys));
    }

    /** The key {@link #updateServices} takes for a service address. */
    public static long serviceKey(int ipv4, int port) {
        return ((ipv4 & 0xFFFF_FFFFL) << 16) | (port & 0xFFFF);
    }

    // ------------------------------------------------------------------ thread

    /**
     * Puts established TCP flows on {@code kernel}'s fast path from now on (ports it has made
     * ready); before {@link #start}.
     */
    public synchronized void useFastPath(KernelFastPath kernel) {
        if (runner != null) {
            throw new IllegalStateException("the fast path is chosen before the dataplane starts");
        }
        egress.useFastPath(kernel);
    }

    /** Starts the dataplane thread ({@value #ROLE_NAME}). */
    public synchronized void start() {
        if (runner != null) {
            throw new IllegalStateException("already started");
        }
        AgentRunner r = new AgentRunner(idle, this::onError, null, this);
        runner = r;
        AgentRunner.startOnThread(r, task -> {
            Thread t = new Thread(task, ROLE_NAME);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String roleName() {
        return ROLE_NAME; // AgentRunner's thread name
    }

    /** A cycle that threw: a bug on one packet must not stop the node's dataplane. */
    private void onError(Throwable t) {
        if (!(t instanceof AgentTerminationException)) {
            counters.count(DataplaneCounters.ERRORS);
            LOG.error("dataplane cycle failed", t);
        }
    }

    /** Commands waiting; frames are the selector's to report. */
    private boolean hasWork() {
        return closed || !commands.isEmpty();
    }

    /** Starts an I/O and has the selector watch it (id: its interface id). */
    private void watch(PortState p) {
        p.io().start(idle::wake);
        int fd = p.io().selectableFd();
        if (fd >= 0) {
            selector.add(fd, p.nh());
        }
    }

    /**
     * One duty cycle; see the class comment. Called by the dataplane thread, or by a test that
     * did not {@link #start()} it. Not thread-safe.
     *
     * @return work done (commands, frames, set-ups, aged flows); 0 when idle
     * @throws AgentTerminationException on the dataplane thread once closed, to end its runner
     */
    @Override
    public int doWork() {
        if (closed && runner != null) {
            throw new AgentTerminationException("dataplane closed");
        }
        now = clock.getAsLong();
        int work = commands.run(config.commandBudget());
        counters.add(DataplaneCounters.COMMANDS, work);
        int ready = selector.takeReady();
        for (int i = 0; i < ready; i++) {
            int id = selector.readyId(i);
            PortState p = id == VHOST_INTERFACE_ID ? vhost : ports.byIndex(id);
            if (p != null) {
                work += poll(p);
            }
        }
        for (PortState p : ports.unselectable()) {
            work += poll(p);
        }
        if (vhost.io().selectableFd() < 0) {
            work += poll(vhost);
        }
        work += setup.runDeferred(now);
        int visits = aging.visits(FlowRecord.tick(now), table.size());
        if (visits > 0) {
            work += table.age(now, visits);
        }
        egress.flushFastPath();
        return work;
    }

    /** Takes up to {@code rxBatch} frames from one interface: a busy guest cannot starve the others. */
    private int poll(PortState p) {
        polled = p;
        int n;
        try {
            n = p.io().receive(rxBuffer, p.isVhost() ? vhostReceiver : guestReceiver, config.rxBatch());
        } catch (RuntimeException e) { // a bug on one frame: the I/O's loop stops there; the rest wait
            counters.count(DataplaneCounters.ERRORS);
            LOG.error("frame from {} dropped: processing failed", p.name(), e);
            return 1;
        }
        if (n == PacketIo.FAILED) {
            int fd = p.io().selectableFd();
            if (fd >= 0 && selector.remove(fd)) {
                counters.count(DataplaneCounters.ERRORS);
                LOG.error("capture on {} failed; it is no longer polled until the port is plugged again", p.name());
            }
            return 0;
        }
        return n;
    }

    // ------------------------------------------------------------------ guest → vhost

    private void fromGuest(byte[] f, int length) {
        PortState p = polled;
        counters.count(DataplaneCounters.RX_GUEST);
        p.count(PortState.RX);
        p.add(PortState.RX_BYTES, length);
        int rc = parser.parse(f, 0, length, pkt);
        if (rc != 0) {
            dropGuest(p, rc);
            return;
        }
        if (Ethernet.srcMac(f, 0) != p.mac()) {
            dropGuest(p, DropReason.SPOOFED_SOURCE.code());
            return;
        }
        if (pkt.vlanId() >= 0) {
            dropGuest(p, DropReason.POLICY.code()); // ports here are untagged
            return;
        }
        if (pkt.isArp()) {
            dropGuest(p, ndp.arpFromGuest(p, pkt));
            return;
        }
        if (pkt.isIpv6()) {
            fromGuest6(p, f);
            return;
        }
        if (!pkt.isIpv4()) {
            dropGuest(p, DropReason.UNSUPPORTED_ETHERTYPE.code());
            return;
        }
        if (!p.isOwnSource(pkt.srcIp())) {
            dropGuest(p, DropReason.SPOOFED_SOURCE.code());
            return;
        }
        int proto = pkt.ipProtocol();
        if (proto != Ipv4.PROTO_TCP && proto != Ipv4.PROTO_UDP) {
            dropGuest(p, DropReason.POLICY.code());
            return;
        }
        flows.ipv4(p, f, pkt, proto, now);
    }

    /** IPv6 from a guest: NDP, else as IPv4 (flows keyed by the port: overlapping guests never share one). */
    private void fromGuest6(PortState p, byte[] f) {
        int proto = pkt.ipProtocol();
        if (proto == Ipv6.NH_ICMPV6) {
            dropGuest(p, ndp.fromGuest(p, f, pkt));
            return;
        }
        if (!p.isOwnSource6(pkt.srcIp6Hi(), pkt.srcIp6Lo())) {
            dropGuest(p, DropReason.SPOOFED_SOURCE.code());
            return;
        }
        if (proto != Ipv4.PROTO_TCP && proto != Ipv4.PROTO_UDP) {
            dropGuest(p, DropReason.POLICY.code());
            return;
        }
        flows.ipv6(p, f, pkt, proto, now);
    }

    /** Held packets released by {@link FlowTable#installReverse}: re-parse and forward. */
    private void releaseHeld(byte[] f, long handle, int action) {
        if (parser.parse(f, 0, f.length, heldPkt) != 0) {
            counters.count(DataplaneCounters.ERRORS); // it parsed when it was held
            return;
        }
        if (action == FlowAction.NAT || action == FlowAction.FORWARD) {
            PortState p = table.key(handle, heldKey) == null ? null : ports.byIndex(heldKey.nh());
            if (p != null) {
                egress.offerToKernel(handle, heldPkt, p);
            }
        }
        egress.toVhost(handle, action, f, heldPkt);
    }

    /** Counts a guest frame dropped for {@code reasonCode}; 0 (not dropped) counts nothing. */
    private void dropGuest(PortState p, int reasonCode) {
        if (reasonCode != 0) {
            counters.drop(reasonCode);
            p.count(PortState.DROPS);
        }
    }

    // ------------------------------------------------------------------ ports (dataplane thread)

    private void attach(VmPort port, PacketIo io) {
        PortState ps = PortState.guest(port, io);
        PacketIo old = detach(port.id()); // re-add of the same port: replace it
        if (old != null && old != io) {
            old.close();
        }
        ports.add(ps);
        try {
            watch(ps);
        } catch (RuntimeException e) {
            ports.remove(port.id());
            throw e;
        }
        LOG.info("port {} attached: {} index {} ip {} mac {}", port.id(), io.interfaceName(), ps.nh(),
                port.fixedIp(), port.macAddress());
    }

    private PacketIo detach(String portId) {
        PortState gone = ports.remove(portId);
        if (gone == null) {
            return null;
        }
        int fd = gone.io().selectableFd();
        if (fd >= 0) {
            selector.remove(fd);
        }
        int deleted = setup.forgetInterface(gone.nh());
        LOG.info("port {} detached: {} flows deleted", portId, deleted);
        return gone.io();
    }

    // ------------------------------------------------------------------ stats (any thread)

    /** Counters, drops (the dataplane's and the table's), flows and per-port counters. */
    public DataplaneStats stats() {
        return DataplaneStats.of(counters, table, ports.all(), vhost);
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
        AgentRunner r = runner;
        if (r != null) {
            idle.wake();
            r.close();
        }
        commands.close();
        for (PortState p : ports.clear()) {
            p.io().close();
        }
        vhost.io().close();
        selector.close();
    }
}
