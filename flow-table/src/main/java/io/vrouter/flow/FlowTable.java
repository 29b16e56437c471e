package io.vrouter.flow;

import static io.vrouter.flow.FlowRecord.LINK;
import static io.vrouter.flow.FlowRecord.STATE;
import static io.vrouter.flow.FlowRecord.STRIDE;

import io.vrouter.drop.DropReason;
import java.util.Objects;

/**
 * The flow table: a fixed-capacity hash table of flows with NAT, HOLD queues, limits and
 * incremental aging, modelled on the Tungsten Fabric vrouter flow table ({@code vr_flow.c}).
 *
 * <h2>Storage</h2>
 * Entries live in one {@code int[]} ({@link FlowRecord} layout, 52 bytes each, {@link FlowEntries})
 * allocated once and addressed by a stable index. A separate open-addressing hash index
 * ({@link FlowHashIndex}, {@code vr_htable.c}'s part) maps keys to entry indexes. HOLD packets wait
 * in {@link HoldQueues}; per-interface counts live in {@link FlowLimits}; {@link FlowAging} walks
 * the dense list of active indexes, so aging costs the number of flows, not the capacity. Total:
 * {@value FlowRecord#BYTES_PER_ENTRY} bytes per entry.
 *
 * <h2>Handles</h2>
 * A flow is named by a {@code long} handle {@code generation << 32 | index}. The generation of an
 * entry changes every time it is allocated, so a handle kept after its flow was deleted never
 * matches the entry's next occupant; every method taking a handle checks it and reports
 * {@link FlowResult#STALE_HANDLE} / {@code -1} / {@code false}. Sentinels, never {@code null}.
 *
 * <h2>Limits</h2>
 * <table>
 *   <caption>What happens at each limit</caption>
 *   <tr><th>limit</th><th>checked by</th><th>result, counter</th></tr>
 *   <tr><td>capacity</td><td>addHold, installReverse</td><td>FLOW_TABLE_FULL</td></tr>
 *   <tr><td>max_vm_flows (entries per owning interface)</td><td>same</td><td>VM_FLOW_LIMIT</td></tr>
 *   <tr><td>max_vm_linklocal_flows, max_system_linklocal_flows (link-local pairs)</td>
 *       <td>installReverse with LINK_LOCAL</td><td>LINKLOCAL_FLOW_LIMIT</td></tr>
 *   <tr><td>flows in HOLD</td><td>addHold</td><td>HOLD_LIMIT</td></tr>
 *   <tr><td>packets per HOLD queue</td><td>holdPacket</td><td>HOLD_QUEUE_FULL</td></tr>
 *   <tr><td>interface id &ge; maxInterfaces</td><td>addHold</td><td>UNKNOWN_INTERFACE</td></tr>
 *   <tr><td>TCP first packet not a SYN (SYN+FIN, XMAS, NULL, ACK, RST)</td><td>addHold</td>
 *       <td>TCP_NOT_SYN</td></tr>
 *   <tr><td>new flows per interface per second (token bucket)</td><td>addHold</td>
 *       <td>NEW_FLOW_RATE_LIMIT</td></tr>
 * </table>
 * A refused {@code installReverse} turns the HOLD flow into a DROP flow carrying the reason (so
 * the guest's retries are dropped in the fast path instead of trapping to the agent again); a
 * refused {@code addHold} installs nothing. Each refusal, each held packet dropped and each packet
 * that hits a DROP flow is counted in {@link #dropCount(DropReason)}.
 * An entry is owned by its interface (next-hop id); a reverse entry by its forward's interface.
 *
 * <h2>Threads</h2>
 * One writer (the dataplane thread) calls every method not marked "any thread". Readers on other
 * threads (introspect) use {@link #read(int, FlowSnapshot)}, {@link #read(long, FlowSnapshot)} and
 * the statistics getters; they never block the writer. See {@code package-info}.
 *
 * @param <P> the caller's packet type, for HOLD queues
 */
public final class FlowTable<P> {
    private static final int TCP = 6;
    private static final int NONE = FlowEntries.NONE;

    private final FlowTableConfig config;
    private final FlowEntries entries;
    /** The record array of {@link #entries}, read through {@link FlowRecord}'s accessors. */
    private final int[] rec;
    private final FlowHashIndex index;
    private final HoldQueues<P> hold;
    private final FlowLimits limits;
    private final FlowAging aging;
    private final OffloadSync offloads;
    private final DropCounters drops = new DropCounters();
    private final FlowPairs<P> pairs;
    private final FlowAddresses6 addresses;

    /** A table whose held packets are discarded when released (for callers that never queue). */
    public FlowTable(FlowTableConfig config) {
        this(config, HeldPacketSink.discard());
    }

    /**
     * @param config sizes and limits; all memory is allocated here, once
     * @param sink   receives held packets when their flow's action is set to FORWARD or NAT
     */
    public FlowTable(FlowTableConfig config, HeldPacketSink<? super P> sink) {
        this(config, sink, FlowHashIndex.DEFAULT_DISPLACEMENT_BITS);
    }

    /** Tests: fewer displacement bits, so the saturated (re-hash) path of deletion is exercised. */
    FlowTable(FlowTableConfig config, HeldPacketSink<? super P> sink, int displacementBits) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(sink, "sink");
        entries = new FlowEntries(config.capacity);
        rec = entries.rec;
        index = new FlowHashIndex(rec, config.capacity, config.hashSeed, displacementBits);
        hold = new HoldQueues<>(config.maxHoldFlows, config.holdQueueLength, sink, drops);
        limits = new FlowLimits(config);
        addresses = new FlowAddresses6(config.ipv6Addresses, config.hashSeed);
        offloads = new OffloadSync(entries);
        pairs = new FlowPairs<>(entries, index, hold, limits, drops, addresses, offloads);
        aging = new FlowAging(config, entries, pairs::deletePair, offloads);
    }

    // ------------------------------------------------------------------ per-packet path (writer)

    /**
     * Finds a flow. Allocation-free. Out-of-range fields (port beyond 16 bits, negative or
     * 25-bit interface id, protocol beyond 8 bits) simply miss.
     *
     * @return the flow's handle, or {@link FlowResult#NO_FLOW}
     */
    public long lookup(int nh, int proto, int sip, int dip, int sport, int dport) {
        if (!FlowRecord.packable(proto, sport, dport) || nh < 0 || nh > FlowRecord.MAX_INTERFACE_ID) {
            return FlowResult.NO_FLOW;
        }
        return find(sip, dip, FlowRecord.ports(sport, dport), FlowRecord.protoNh(proto, nh));
    }

    /**
     * {@link #lookup(int, int, int, int, int, int)} for IPv6: the two addresses' ids, then the
     * packed key. Allocation-free; an address no flow uses is a miss.
     *
     * @return the flow's handle, or {@link FlowResult#NO_FLOW}
     */
    public long lookup6(int nh, int proto, long sHi, long sLo, long dHi, long dLo, int sport, int dport) {
        if (!FlowRecord.packable(proto, sport, dport) || nh < 0 || nh > FlowRecord.MAX_INTERFACE_ID) {
            return FlowResult.NO_FLOW;
        }
        int s = addresses.find(sHi, sLo);
        int d = s == FlowAddresses6.NONE ? FlowAddresses6.NONE : addresses.find(dHi, dLo);
        if (d == FlowAddresses6.NONE) {
            return FlowResult.NO_FLOW;
        }
        return find(s, d, FlowRecord.ports(sport, dport), FlowRecord.protoNh6(proto, nh));
    }

    /** {@link #lookup(int, int, int, int, int, int)} or {@link #lookup6} with a key object. */
    public long lookup(FlowKey k) {
        if (k.isIpv6()) {
            return lookup6(k.nh(), k.proto(), k.sipHi, k.sipLo, k.dipHi, k.dipLo, k.sport(), k.dport());
        }
        return find(k.sip, k.dip, k.ports, k.protoNh);
    }

    /** Handle of the flow with the packed key, or {@link FlowResult#NO_FLOW}. */
    private long find(int sip, int dip, int ports, int protoNh) {
        int pos = index.find(index.hash(sip, dip, ports, protoNh), sip, dip, ports, protoNh);
        return pos < 0 ? FlowResult.NO_FLOW : entries.handle(index.entryAt(pos));
    }

    /**
     * Counts a packet on a flow and returns what to do with it: updates packets, bytes and
     * last-seen (HOLD flows keep their creation time, so the hold timeout runs from creation),
     * records TCP flags and marks the pair closed after FIN both ways or RST. A packet on a DROP
     * flow is counted under the flow's drop reason. Allocation-free.
     *
     * @param bytes    frame length
     * @param tcpFlags the TCP header's flags byte for TCP packets (FIN 0x01, SYN 0x02, RST 0x04,
     *                 ACK 0x10), else 0
     * @return the flow's {@link FlowAction}, or -1 if the handle is stale
     */
    public int account(long handle, int bytes, int tcpFlags, long nowNs) {
        int e = entries.liveIndex(handle);
        if (e < 0) {
            return -1;
        }
        int b = e * STRIDE;
        int state = rec[b + STATE];
        int action = FlowRecord.action(state);
        int tcpNew = 0;
        if (FlowRecord.startsConnection(tcpFlags) && FlowRecord.hasFlag(state, FlowFlags.TCP_CLOSED)
                && FlowRecord.proto(rec, b) == TCP) {
            aging.reopen(e); // a new connection on a closed pair's ports
            state = rec[b + STATE];
        }
        if (tcpFlags != 0 && FlowRecord.proto(rec, b) == TCP) {
            tcpNew = FlowRecord.tcpBits(tcpFlags) & ~FlowRecord.tcpState(state);
        }
        entries.beginWrite(b);
        FlowRecord.addPacket(rec, b, bytes);
        if (action != FlowAction.HOLD) {
            rec[b + FlowRecord.LAST_SEEN] = FlowRecord.tick(nowNs);
        }
        if (tcpNew != 0) {
            rec[b + STATE] = FlowRecord.withTcpBits(state, tcpNew);
        }
        entries.endWrite(b);
        if (tcpNew != 0) {
            aging.tcpBitsSeen(e, tcpNew);
        }
        if (action == FlowAction.DROP) {
            drops.countFlowDrop(FlowRecord.dropReason(state));
        }
        return action;
    }

    /**
     * Queues a packet of a HOLD flow until the agent sets the action. When the queue is full the
     * packet is dropped and counted as HOLD_QUEUE_FULL.
     *
     * @return {@code true} if queued; {@code false} if the queue was full (dropped, counted), or
     *         the handle is stale or the flow is no longer in HOLD (nothing counted: the caller
     *         still owns the packet and should look the flow up again)
     */
    public boolean holdPacket(long handle, P packet) {
        int e = entries.liveIndex(handle);
        if (e < 0) {
            return false;
        }
        int b = e * STRIDE;
        return FlowRecord.action(rec, b) == FlowAction.HOLD && hold.offer(rec[b + LINK], packet);
    }

    // ------------------------------------------------------------------ flow set-up (writer)

    /**
     * Creates a HOLD flow for the first packet of a new flow (which the caller then hands to the
     * agent; later packets go to {@link #holdPacket}). Only a packet that can start a connection
     * creates a flow: for TCP a SYN without ACK, FIN or RST ({@link FlowRecord#startsConnection});
     * and an interface starts at most {@code newFlowBurst} flows at once, then
     * {@code newFlowsPerSecond}. A refusal creates nothing, and the guest's next packet is judged
     * again.
     *
     * @param tcpFlags the packet's TCP flags byte for TCP (FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10);
     *                 ignored for other protocols
     * @return the new flow's handle; {@link FlowResult#EXISTS}; {@link FlowResult#BAD_KEY};
     *         or a drop result (UNKNOWN_INTERFACE, TCP_NOT_SYN, NEW_FLOW_RATE_LIMIT, HOLD_LIMIT,
     *         VM_FLOW_LIMIT, FLOW_TABLE_FULL), counted
     */
    public long addHold(int nh, int proto, int sip, int dip, int sport, int dport, int tcpFlags, long nowNs) {
        return pairs.addHold(nh, proto, sip, dip, sport, dport, tcpFlags, nowNs);
    }

    /**
     * {@link #addHold(int, int, int, int, int, int, int, long)} for IPv6: the addresses are
     * interned (a reference each, dropped when the entry is deleted); when no address entry is
     * free the flow is refused with IPV6_ADDRESS_TABLE_FULL, counted.
     */
    public long addHold6(int nh, int proto, long sHi, long sLo, long dHi, long dLo, int sport, int dport,
                         int tcpFlags, long nowNs) {
        return pairs.addHold6(nh, proto, sHi, sLo, dHi, dLo, sport, dport, tcpFlags, nowNs);
    }

    /** {@link #addHold(int, int, int, int, int, int, int, long)} or {@link #addHold6} with a key object. */
    public long addHold(FlowKey k, int tcpFlags, long nowNs) {
        if (k.isIpv6()) {
            return addHold6(k.nh(), k.proto(), k.sipHi, k.sipLo, k.dipHi, k.dipLo, k.sport(), k.dport(), tcpFlags,
                    nowNs);
        }
        return pairs.addHold(k, tcpFlags, nowNs);
    }

    /**
     * The agent's answer to a HOLD flow: installs the reverse flow, links the pair, sets the
     * action on both halves (deriving NAT flags from the two keys when the action is NAT) and
     * releases the held packets to the sink. Also accepted for an unpaired FORWARD/NAT/DROP
     * forward flow.
     *
     * <p>When a limit refuses the reverse flow, the forward flow becomes a DROP flow with that
     * reason, its held packets are dropped, and everything is counted.
     *
     * @param action {@link FlowAction#FORWARD}, {@link FlowAction#NAT} or {@link FlowAction#DROP}
     * @param flags  caller flags ({@link FlowFlags#LINK_LOCAL}); others are derived
     * @return the reverse flow's handle; {@link FlowResult#STALE_HANDLE}; {@link FlowResult#BAD_STATE}
     *         (forward is a reverse half or already paired); {@link FlowResult#EXISTS} (reverse key
     *         taken; nothing changed); or a drop result (LINKLOCAL_FLOW_LIMIT, VM_FLOW_LIMIT,
     *         FLOW_TABLE_FULL)
     * @throws IllegalArgumentException for an action other than DROP/FORWARD/NAT or unknown flags
     */
    public long installReverse(long forwardHandle, FlowKey reverse, int action, int flags, long nowNs) {
        return pairs.installReverse(forwardHandle, reverse, action, flags, nowNs);
    }

    /**
     * Turns a flow and its partner into DROP flows carrying {@code reason}; a HOLD flow's queued
     * packets are dropped and counted under that reason.
     *
     * @return {@code false} if the handle is stale
     */
    public boolean setDrop(long handle, DropReason reason) {
        return pairs.setDrop(handle, reason);
    }

    /**
     * Deletes a flow and its partner. Packets still held are dropped and counted as
     * FLOW_EVICTED.
     *
     * @return {@code false} if the handle is stale
     */
    public boolean delete(long handle) {
        int e = entries.liveIndex(handle);
        if (e < 0) {
            return false;
        }
        pairs.deletePair(e);
        return true;
    }

    // ------------------------------------------------------------------ fast path (writer)

    /** Sets the fast path that {@link #markOffloaded} flows are forwarded by (null: none). */
    public void setOffload(FlowOffload offload) {
        offloads.set(offload);
    }

    /**
     * Marks a live flow {@link FlowFlags#OFFLOADED}: aging then merges its fast-path counters
     * before expiring it, and its deletion is reported to the {@link FlowOffload}.
     *
     * @return {@code false} if the handle is stale
     */
    public boolean markOffloaded(long handle) {
        int e = entries.liveIndex(handle);
        if (e >= 0) {
            offloads.mark(e);
        }
        return e >= 0;
    }

    // ------------------------------------------------------------------ aging (writer)

    /**
     * Incremental aging: visits at most {@code maxVisits} flows and removes expired pairs (both
     * halves together); how and in which order is described in {@link FlowAging}.
     *
     * @param nowNs     the caller's clock, read once per duty cycle (any monotonic origin)
     * @param maxVisits work bound for this call
     * @return number of entries removed
     */
    public int age(long nowNs, int maxVisits) {
        return aging.age(nowNs, maxVisits);
    }

    // ------------------------------------------------------------------ flow fields (writer)

    /** The flow's {@link FlowAction}, or -1 if the handle is stale. */
    public int action(long handle) {
        int e = entries.liveIndex(handle);
        return e < 0 ? -1 : FlowRecord.action(rec, e * STRIDE);
    }

    /** The flow's {@link FlowFlags}, or 0 if the handle is stale. */
    public int flags(long handle) {
        int e = entries.liveIndex(handle);
        return e < 0 ? 0 : FlowRecord.flags(rec[e * STRIDE + STATE]);
    }

    /** The drop reason stored with the flow, or {@code null}. */
    public DropReason dropReason(long handle) {
        int e = entries.liveIndex(handle);
        return e < 0 ? null : DropReason.ofCode(FlowRecord.dropReason(rec[e * STRIDE + STATE]));
    }

    /** The partner flow's handle, or {@link FlowResult#NO_FLOW} (none, or stale handle). */
    public long reverse(long handle) {
        int e = entries.liveIndex(handle);
        int p = e < 0 ? NONE : FlowRecord.partner(rec, e * STRIDE);
        return p < 0 ? FlowResult.NO_FLOW : entries.handle(p);
    }

    /** Source address after SNAT (the partner's destination); the flow's own source without SNAT; 0 if stale. */
    public int natSourceIp(long handle) {
        return FlowNat.sourceIp(rec, entries.liveIndex(handle));
    }

    /** Destination address after DNAT (the partner's source); 0 if stale. */
    public int natDestinationIp(long handle) {
        return FlowNat.destinationIp(rec, entries.liveIndex(handle));
    }

    /** Source port after SPAT (the partner's destination port); 0 if stale. */
    public int natSourcePort(long handle) {
        return FlowNat.port(rec, entries.liveIndex(handle), true);
    }

    /** Destination port after DPAT (the partner's source port); 0 if stale. */
    public int natDestinationPort(long handle) {
        return FlowNat.port(rec, entries.liveIndex(handle), false);
    }

    /**
     * For an IPv6 flow: the address an id in its key or NAT accessors stands for ({@link
     * #natSourceIp}, {@link #natDestinationIp} and a snapshot's {@code sip()}/{@code dip()} are
     * address ids then), high 64 bits. Writer thread: an id is only stable while a flow of this
     * thread's view refers to it.
     */
    public long ipv6High(int addressId) {
        return addresses.hi(addressId);
    }

    /** The low 64 bits of {@link #ipv6High}'s address. */
    public long ipv6Low(int addressId) {
        return addresses.lo(addressId);
    }

    /** IPv6 addresses interned now (writer thread). */
    public int ipv6AddressCount() {
        return addresses.size();
    }

    /**
     * Copies the key of a live flow into {@code into}, IPv6 addresses resolved (writer thread).
     *
     * @return {@code into}, or {@code null} when the handle is stale
     */
    public FlowKey key(long handle, FlowKey into) {
        int e = entries.liveIndex(handle);
        if (e < 0) {
            return null;
        }
        int b = e * STRIDE;
        int protoNh = rec[b + FlowRecord.PROTO_NH];
        int ports = rec[b + FlowRecord.PORTS];
        int s = rec[b + FlowRecord.SIP];
        int d = rec[b + FlowRecord.DIP];
        if (FlowRecord.isIpv6(protoNh)) {
            return into.set6(FlowRecord.nh(protoNh), FlowRecord.proto(protoNh), addresses.hi(s), addresses.lo(s),
                    addresses.hi(d), addresses.lo(d), FlowRecord.sport(ports), FlowRecord.dport(ports));
        }
        return into.set(FlowRecord.nh(protoNh), FlowRecord.proto(protoNh), s, d, FlowRecord.sport(ports),
                FlowRecord.dport(ports));
    }

    /** Whether the handle names a live flow. */
    public boolean isLive(long handle) {
        return entries.liveIndex(handle) >= 0;
    }

    // ------------------------------------------------------------------ readers (any thread)

    /**
     * Copies entry {@code index} into {@code out} as one consistent version (seqlock: retries
     * while the writer is changing it). Any thread; never blocks the writer.
     *
     * @return {@code false} if the index is out of range or the entry is free
     */
    public boolean read(int index, FlowSnapshot out) {
        return entries.read(index, out);
    }

    /** Like {@link #read(int, FlowSnapshot)}, but only if the entry still holds that handle's flow. */
    public boolean read(long handle, FlowSnapshot out) {
        return handle >= 0 && read((int) handle, out) && out.generation == FlowResult.generation(handle);
    }

    /** Capacity in entries. Any thread. */
    public int capacity() {
        return entries.capacity();
    }

    /**
     * Index of the {@code position}-th entry in use, {@code 0 <= position < size()}: the dense
     * active list aging walks, so a scan over the flows costs their number, not the capacity.
     * Writer thread only. Deleting moves the last entry of the list into the freed position, so a
     * loop that deletes walks from the end ({@code for (int p = size() - 1; p >= 0; p--)}, taking
     * {@code Math.min(p, size() - 1)} after a delete): every entry is then visited at least once.
     */
    public int activeIndex(int position) {
        int size = entries.writerSize();
        if (position < 0 || position >= size) {
            throw new IndexOutOfBoundsException("position " + position + " outside 0.." + (size - 1));
        }
        return entries.activeAt(position);
    }

    /** Entries in use. Any thread (may lag the writer slightly). */
    public int size() {
        return entries.size();
    }

    /** Flows in HOLD. Any thread. */
    public int holdFlowCount() {
        return hold.flowCount();
    }

    /** Link-local pairs installed. Any thread. */
    public int linkLocalFlowCount() {
        return limits.linkLocalFlowCount();
    }

    /** Entries owned by an interface (0 for an id out of range). Any thread. */
    public int interfaceFlowCount(int nh) {
        return limits.interfaceFlowCount(nh);
    }

    /** Link-local pairs owned by an interface. Any thread. */
    public int interfaceLinkLocalCount(int nh) {
        return limits.interfaceLinkLocalCount(nh);
    }

    /** Packets/requests dropped for a reason by this table. Any thread. */
    public long dropCount(DropReason reason) {
        return drops.get(reason);
    }

    /** The last tick passed to {@link #age}: lets readers turn {@link FlowSnapshot#lastSeenTick()} into an age. */
    public int lastAgeTick() {
        return aging.lastTick();
    }

    public FlowTableConfig config() {
        return config;
    }

    /** Heap bytes of all arrays this table allocated (excluding held packets themselves). */
    public long memoryBytes() {
        return entries.memoryBytes() + index.memoryBytes() + hold.memoryBytes() + limits.memoryBytes()
                + aging.memoryBytes() + drops.memoryBytes() + addresses.memoryBytes();
    }

    // ------------------------------------------------------------------ test seams

    /** Test seam: runs in {@link #read(int, FlowSnapshot)} between the copy and the validation. */
    void readCopyHook(Runnable hook) {
        entries.readCopyHook = hook;
    }

    /** Test seam: marks an entry as being written (sequence odd), as the writer does. */
    void beginWriteForTest(int e) {
        entries.beginWrite(e * STRIDE);
    }

    /** Test seam: ends {@link #beginWriteForTest}. */
    void endWriteForTest(int e) {
        entries.endWrite(e * STRIDE);
    }
}
