package io.vrouter.flow;

import io.vrouter.drop.DropReason;

import static io.vrouter.flow.FlowRecord.ACTION_MASK;
import static io.vrouter.flow.FlowRecord.ACTIVE_POS;
import static io.vrouter.flow.FlowRecord.BYTES_LO;
import static io.vrouter.flow.FlowRecord.COUNTERS_HI;
import static io.vrouter.flow.FlowRecord.DIP;
import static io.vrouter.flow.FlowRecord.DROP_MASK;
import static io.vrouter.flow.FlowRecord.DROP_SHIFT;
import static io.vrouter.flow.FlowRecord.FLAGS_SHIFT;
import static io.vrouter.flow.FlowRecord.GEN;
import static io.vrouter.flow.FlowRecord.LAST_SEEN;
import static io.vrouter.flow.FlowRecord.LINK;
import static io.vrouter.flow.FlowRecord.PACKETS_LO;
import static io.vrouter.flow.FlowRecord.PORTS;
import static io.vrouter.flow.FlowRecord.PROTO_NH;
import static io.vrouter.flow.FlowRecord.SEQ;
import static io.vrouter.flow.FlowRecord.SIP;
import static io.vrouter.flow.FlowRecord.STATE;
import static io.vrouter.flow.FlowRecord.STRIDE;
import static io.vrouter.flow.FlowRecord.TCP_FIN;
import static io.vrouter.flow.FlowRecord.TCP_MASK;
import static io.vrouter.flow.FlowRecord.TCP_RST;
import static io.vrouter.flow.FlowRecord.TCP_SHIFT;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * The flow table: a fixed-capacity hash table of flows with NAT, HOLD queues, limits and
 * incremental aging, modelled on the Tungsten Fabric vrouter flow table.
 *
 * <h2>Storage</h2>
 * Entries live in one {@code int[]} ({@link FlowRecord} layout, 52 bytes each) allocated once and
 * addressed by a stable index. A separate open-addressing hash index (linear probing, two slots
 * per entry so it is at most half full, backward-shift deletion, no tombstones) maps keys to
 * entry indexes. A slot is one {@code int}: {@code tag | displacement | entry+1} (0 = empty). The
 * tag (hash bits) rejects most non-matching slots without touching the entry; the displacement
 * (distance from the home slot, 5 bits, saturating) lets deletion shift slots back without
 * re-hashing their entries. A dense list of active indexes makes aging cost proportional to
 * the number of flows, not the capacity. Free entries form an intrusive list through their LINK
 * word. Total: {@value FlowRecord#BYTES_PER_ENTRY} bytes per entry.
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
 *   <tr><td>capacity</td><td>addHold, installReverse, addPair</td><td>FLOW_TABLE_FULL</td></tr>
 *   <tr><td>max_vm_flows (entries per owning interface)</td><td>same</td><td>VM_FLOW_LIMIT</td></tr>
 *   <tr><td>max_vm_linklocal_flows, max_system_linklocal_flows (link-local pairs)</td>
 *       <td>installReverse, addPair with LINK_LOCAL</td><td>LINKLOCAL_FLOW_LIMIT</td></tr>
 *   <tr><td>flows in HOLD</td><td>addHold</td><td>HOLD_LIMIT</td></tr>
 *   <tr><td>packets per HOLD queue</td><td>holdPacket</td><td>HOLD_QUEUE_FULL</td></tr>
 *   <tr><td>interface id &ge; maxInterfaces</td><td>addHold, addPair</td><td>UNKNOWN_INTERFACE</td></tr>
 * </table>
 * A refused {@code installReverse} turns the HOLD flow into a DROP flow carrying the reason (so
 * the guest's retries are dropped in the fast path instead of trapping to the agent again);
 * refused {@code addHold}/{@code addPair} install nothing. Each refusal, each held packet
 * dropped and each packet that hits a DROP flow is counted in {@link #dropCount(DropReason)}.
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
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle SIZE;
    private static final VarHandle HOLD_FLOWS;
    private static final VarHandle SYSTEM_LL;
    private static final VarHandle NOW_TICK;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            SIZE = l.findVarHandle(FlowTable.class, "size", int.class);
            HOLD_FLOWS = l.findVarHandle(FlowTable.class, "holdFlows", int.class);
            SYSTEM_LL = l.findVarHandle(FlowTable.class, "systemLinkLocal", int.class);
            NOW_TICK = l.findVarHandle(FlowTable.class, "nowTick", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int TCP = 6;
    private static final int NONE = -1;

    private final FlowTableConfig config;
    private final HeldPacketSink<? super P> sink;
    private final int capacity;
    private final int[] rec;
    private final int[] index;
    private final int indexMask;
    private final int idxBits;
    private final int idxLowMask;
    /** Slot displacement field: probe distance from the home slot, saturating at distMax. */
    private final int distMax;
    private final int tagShift;
    private final int tagMask;
    private final int tagFieldMask;
    private final long seed;
    private final int[] active;
    private int size;
    private int freeHead;
    private int ageCursor;

    private final int holdQueueLength;
    private final int maxHoldFlows;
    private final Object[] holdPackets;
    private final byte[] holdLen;
    private final int[] holdFree;
    private int holdFreeTop;
    private int holdFlows;

    private final int maxInterfaces;
    private final int maxVmFlows;
    private final int maxVmLinkLocal;
    private final int maxSystemLinkLocal;
    private final int[] ifFlows;
    private final int[] ifLinkLocal;
    private int systemLinkLocal;

    private final long[] closeRing;
    private final int closeMask;
    private int closeHead;
    private int closeTail;

    private final int[] idleTicks = new int[256];
    private final int holdTicks;
    private final int lingerTicks;
    private int nowTick;

    private final long[] drops = new long[128];

    /** Largest batch for {@link #lookupBatch}. */
    public static final int MAX_BATCH = 64;
    /** Ints per key in a {@link #lookupBatch} key array. */
    public static final int BATCH_KEY_INTS = 6;
    private final long[] batchHash = new long[MAX_BATCH];
    private final int[] batchSlot = new int[MAX_BATCH];
    /** Keeps the stage-2 loads of {@link #lookupBatch} from being optimised away. */
    private int batchSink;

    /** Test seam: runs in {@link #read(int, FlowSnapshot)} between the copy and the validation. */
    Runnable readCopyHook;

    /** A table whose held packets are discarded when released (for callers that never queue). */
    public FlowTable(FlowTableConfig config) {
        this(config, HeldPacketSink.discard());
    }

    /**
     * @param config sizes and limits; all memory is allocated here, once
     * @param sink   receives held packets when their flow's action is set to FORWARD or NAT
     */
    public FlowTable(FlowTableConfig config, HeldPacketSink<? super P> sink) {
        this(config, sink, DEFAULT_DISPLACEMENT_BITS);
    }

    /** Bits of probe displacement kept per hash slot (saturating); the rest of the spare bits are tag. */
    static final int DEFAULT_DISPLACEMENT_BITS = 5;

    /** Tests: fewer displacement bits, so the saturated (re-hash) path of deletion is exercised. */
    FlowTable(FlowTableConfig config, HeldPacketSink<? super P> sink, int displacementBits) {
        this.config = Objects.requireNonNull(config, "config");
        this.sink = Objects.requireNonNull(sink, "sink");
        capacity = config.capacity;
        rec = new int[capacity * STRIDE];
        index = new int[capacity * 2];
        indexMask = index.length - 1;
        idxBits = Integer.numberOfTrailingZeros(capacity) + 1;
        idxLowMask = (1 << idxBits) - 1;
        int spare = 31 - idxBits;
        int distBits = Math.max(1, Math.min(displacementBits, spare / 2));
        distMax = (1 << distBits) - 1;
        tagShift = idxBits + distBits;
        tagMask = (1 << (31 - tagShift)) - 1;
        tagFieldMask = tagMask << tagShift;
        seed = config.hashSeed;
        active = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            rec[i * STRIDE + LINK] = i + 1 < capacity ? i + 1 : NONE;
        }
        freeHead = 0;

        holdQueueLength = config.holdQueueLength;
        maxHoldFlows = config.maxHoldFlows;
        holdPackets = new Object[Math.max(1, maxHoldFlows * holdQueueLength)];
        holdLen = new byte[maxHoldFlows];
        holdFree = new int[maxHoldFlows];
        for (int i = 0; i < maxHoldFlows; i++) {
            holdFree[i] = maxHoldFlows - 1 - i;
        }
        holdFreeTop = maxHoldFlows;

        maxInterfaces = config.maxInterfaces;
        maxVmFlows = config.maxVmFlows();
        maxVmLinkLocal = config.maxVmLinkLocalFlows;
        maxSystemLinkLocal = config.maxSystemLinkLocalFlows;
        ifFlows = new int[maxInterfaces];
        ifLinkLocal = new int[maxInterfaces];

        closeRing = new long[config.closeQueueLength];
        closeMask = closeRing.length - 1;

        for (int p = 0; p < 256; p++) {
            idleTicks[p] = ticks(config.idleTimeoutNs[p]);
        }
        holdTicks = ticks(config.holdTimeoutNs);
        lingerTicks = ticks(config.tcpCloseLingerNs);
    }

    private static int ticks(long ns) {
        long t = (ns + (1L << FlowRecord.TICK_SHIFT) - 1) >>> FlowRecord.TICK_SHIFT;
        return (int) Math.min(t, Integer.MAX_VALUE);
    }

    // ------------------------------------------------------------------ per-packet path (writer)

    /**
     * Finds a flow. Allocation-free. Out-of-range fields (port beyond 16 bits, negative or
     * 25-bit interface id, protocol beyond 8 bits) simply miss.
     *
     * @return the flow's handle, or {@link FlowResult#NO_FLOW}
     */
    public long lookup(int nh, int proto, int sip, int dip, int sport, int dport) {
        if ((((sport | dport) >>> 16) | (proto >>> 8) | (nh >>> 24)) != 0) {
            return FlowResult.NO_FLOW;
        }
        int ports = (sport << 16) | dport;
        int protoNh = (proto << 24) | nh;
        int pos = probe(hash(sip, dip, ports, protoNh), sip, dip, ports, protoNh);
        if (pos < 0) {
            return FlowResult.NO_FLOW;
        }
        int e = (index[pos] & idxLowMask) - 1;
        return FlowResult.handle(rec[e * STRIDE + GEN], e);
    }

    /**
     * Looks up {@code n} keys at once, for a batch of received packets. Keys are packed
     * {@value #BATCH_KEY_INTS} ints each ({@code nh, proto, sip, dip, sport, dport}) from
     * {@code keys[offset]}; handles (or {@link FlowResult#NO_FLOW}) go to {@code handles[0..n)}.
     * Same results as {@code n} calls of {@link #lookup(int, int, int, int, int, int)}, but the
     * work is done in stages across the batch (hash all and load their index slots, then touch
     * the candidate entries, then compare), so the CPU overlaps the cache misses of different
     * packets instead of waiting for each in turn: at 1M flows most of a lookup is memory latency.
     * Allocation-free (scratch arrays are allocated once; writer thread only).
     *
     * @param n number of keys, 0..{@value #MAX_BATCH}
     * @throws IllegalArgumentException if {@code n} is out of range
     */
    public void lookupBatch(int[] keys, int offset, int n, long[] handles) {
        if (n < 0 || n > MAX_BATCH) {
            throw new IllegalArgumentException("batch of " + n + " keys; at most " + MAX_BATCH);
        }
        long[] hs = batchHash;
        int[] slots = batchSlot;
        int[] idx = index;
        // Stage 1: hash every key and load its home slot (independent loads, overlapped).
        for (int i = 0, o = offset; i < n; i++, o += BATCH_KEY_INTS) {
            int nh = keys[o];
            int proto = keys[o + 1];
            int sport = keys[o + 4];
            int dport = keys[o + 5];
            if ((((sport | dport) >>> 16) | (proto >>> 8) | (nh >>> 24)) != 0) {
                hs[i] = 0;
                slots[i] = -1;
                continue;
            }
            long h = hash(keys[o + 2], keys[o + 3], (sport << 16) | dport, (proto << 24) | nh);
            hs[i] = h;
            slots[i] = idx[(int) h & indexMask];
        }
        // Stage 2: touch the entry each matching slot points at (again independent loads).
        int touched = 0;
        for (int i = 0; i < n; i++) {
            int s = slots[i];
            if (s > 0 && (s & tagFieldMask) == tagField(hs[i])) {
                touched += rec[((s & idxLowMask) - 1) * STRIDE];
            }
        }
        batchSink = touched;
        // Stage 3: resolve, now mostly from cache.
        for (int i = 0, o = offset; i < n; i++, o += BATCH_KEY_INTS) {
            int s = slots[i];
            if (s <= 0) {
                handles[i] = FlowResult.NO_FLOW;
                continue;
            }
            int sip = keys[o + 2];
            int dip = keys[o + 3];
            int ports = (keys[o + 4] << 16) | keys[o + 5];
            int protoNh = (keys[o + 1] << 24) | keys[o];
            int e0 = (s & idxLowMask) - 1;
            int b0 = e0 * STRIDE;
            if ((s & tagFieldMask) == tagField(hs[i]) && rec[b0 + SIP] == sip && rec[b0 + DIP] == dip
                    && rec[b0 + PORTS] == ports && rec[b0 + PROTO_NH] == protoNh) {
                handles[i] = FlowResult.handle(rec[b0 + GEN], e0);   // found in its home slot
                continue;
            }
            int pos = probe(hs[i], sip, dip, ports, protoNh);
            if (pos < 0) {
                handles[i] = FlowResult.NO_FLOW;
            } else {
                int e = (idx[pos] & idxLowMask) - 1;
                handles[i] = FlowResult.handle(rec[e * STRIDE + GEN], e);
            }
        }
    }

    /** {@link #lookup(int, int, int, int, int, int)} with a key object. */
    public long lookup(FlowKey k) {
        return lookup(k.nh(), k.proto(), k.sip(), k.dip(), k.sport(), k.dport());
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
        int e = liveIndex(handle);
        if (e < 0) {
            return -1;
        }
        int b = e * STRIDE;
        int state = rec[b + STATE];
        int action = state & ACTION_MASK;
        int tcpNew = 0;
        if (tcpFlags != 0 && (rec[b + PROTO_NH] >>> 24) == TCP) {
            int old = (state >>> TCP_SHIFT) & TCP_MASK;
            tcpNew = FlowRecord.tcpBits(tcpFlags) & ~old;
        }
        beginWrite(b);
        int pl = rec[b + PACKETS_LO] + 1;
        int hi = rec[b + COUNTERS_HI];
        if (pl == 0) {
            hi += 1 << 24;
        }
        long bl = (rec[b + BYTES_LO] & 0xFFFF_FFFFL) + (bytes & 0xFFFF_FFFFL);
        if ((bl >>> 32) != 0) {
            hi = (hi & 0xFF00_0000) | ((hi + (int) (bl >>> 32)) & 0x00FF_FFFF);
        }
        rec[b + PACKETS_LO] = pl;
        rec[b + BYTES_LO] = (int) bl;
        rec[b + COUNTERS_HI] = hi;
        if (action != FlowAction.HOLD) {
            rec[b + LAST_SEEN] = FlowRecord.tick(nowNs);
        }
        if (tcpNew != 0) {
            rec[b + STATE] = state | (tcpNew << TCP_SHIFT);
        }
        endWrite(b);
        if (tcpNew != 0) {
            checkTcpClose(e, tcpNew);
        }
        if (action == FlowAction.DROP) {
            int reason = (state >>> DROP_SHIFT) & DROP_MASK;
            countDrop(reason != 0 ? reason : DropReason.DROP_FLOW.code());
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
        int e = liveIndex(handle);
        if (e < 0) {
            return false;
        }
        int b = e * STRIDE;
        if ((rec[b + STATE] & ACTION_MASK) != FlowAction.HOLD) {
            return false;
        }
        int g = rec[b + LINK];
        int n = holdLen[g];
        if (n >= holdQueueLength) {
            countDrop(DropReason.HOLD_QUEUE_FULL.code());
            return false;
        }
        holdPackets[g * holdQueueLength + n] = packet;
        holdLen[g] = (byte) (n + 1);
        return true;
    }

    // ------------------------------------------------------------------ flow set-up (writer)

    /**
     * Creates a HOLD flow for the first packet of a new flow (which the caller then hands to the
     * agent; later packets go to {@link #holdPacket}).
     *
     * @return the new flow's handle; {@link FlowResult#EXISTS}; {@link FlowResult#BAD_KEY};
     *         or a drop result (UNKNOWN_INTERFACE, HOLD_LIMIT, VM_FLOW_LIMIT, FLOW_TABLE_FULL),
     *         counted
     */
    public long addHold(int nh, int proto, int sip, int dip, int sport, int dport, long nowNs) {
        if ((((sport | dport) >>> 16) | (proto >>> 8)) != 0 || nh < 0) {
            return FlowResult.BAD_KEY;
        }
        if (nh >= maxInterfaces) {
            return refuse(DropReason.UNKNOWN_INTERFACE);
        }
        if (holdFlows >= maxHoldFlows) {
            return refuse(DropReason.HOLD_LIMIT);
        }
        if (freeHead == NONE) {
            return refuse(DropReason.FLOW_TABLE_FULL);
        }
        if (ifFlows[nh] >= maxVmFlows) {
            return refuse(DropReason.VM_FLOW_LIMIT);
        }
        int ports = (sport << 16) | dport;
        int protoNh = (proto << 24) | nh;
        long h = hash(sip, dip, ports, protoNh);
        int pos = probe(h, sip, dip, ports, protoNh);
        if (pos >= 0) {
            return FlowResult.EXISTS;
        }
        int g = holdFree[--holdFreeTop];
        holdLen[g] = 0;
        HOLD_FLOWS.setOpaque(this, holdFlows + 1);
        int e = allocate(h, ~pos, sip, dip, ports, protoNh, FlowAction.HOLD, 0, g, nowNs);
        ifFlows[nh]++;
        return FlowResult.handle(rec[e * STRIDE + GEN], e);
    }

    /** {@link #addHold(int, int, int, int, int, int, long)} with a key object. */
    public long addHold(FlowKey k, long nowNs) {
        return addHold(k.nh(), k.proto(), k.sip(), k.dip(), k.sport(), k.dport(), nowNs);
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
        checkActionAndFlags(action, flags);
        int f = liveIndex(forwardHandle);
        if (f < 0) {
            return FlowResult.STALE_HANDLE;
        }
        int fb = f * STRIDE;
        int fstate = rec[fb + STATE];
        int faction = fstate & ACTION_MASK;
        if (((fstate >>> FLAGS_SHIFT) & FlowFlags.REVERSE) != 0
                || (faction != FlowAction.HOLD && rec[fb + LINK] != NONE)) {
            return FlowResult.BAD_STATE;
        }
        int sip = reverse.sip();
        int dip = reverse.dip();
        int ports = FlowRecord.ports(reverse.sport(), reverse.dport());
        int protoNh = FlowRecord.protoNh(reverse.proto(), reverse.nh());
        long h = hash(sip, dip, ports, protoNh);
        int pos = probe(h, sip, dip, ports, protoNh);
        if (pos >= 0) {
            return FlowResult.EXISTS;
        }
        int owner = rec[fb + PROTO_NH] & FlowRecord.MAX_INTERFACE_ID;
        DropReason refused = checkPairLimits(owner, 1, (flags & FlowFlags.LINK_LOCAL) != 0);
        if (refused != null) {
            countDrop(refused.code());
            resolve(f, FlowAction.DROP, 0, refused.code(), NONE);
            return FlowResult.ofDrop(refused);
        }
        int r = allocate(h, ~pos, sip, dip, ports, protoNh, action, FlowFlags.REVERSE | flags, f, nowNs);
        chargePair(owner, 1, flags);
        int nat = action == FlowAction.NAT ? natFlags(fb, r * STRIDE) : 0;
        if (nat != 0) {
            setFlags(r, FlowFlags.REVERSE | flags | natFlags(r * STRIDE, fb));
        }
        resolve(f, action, flags | nat, 0, r);
        return FlowResult.handle(rec[r * STRIDE + GEN], r);
    }

    /**
     * Installs a forward + reverse pair at once (no HOLD step), e.g. flows the agent sets up
     * ahead of traffic.
     *
     * @return the forward flow's handle; {@link FlowResult#EXISTS} (either key taken);
     *         {@link FlowResult#BAD_KEY} (both keys equal); or a drop result
     *         (UNKNOWN_INTERFACE, LINKLOCAL_FLOW_LIMIT, VM_FLOW_LIMIT, FLOW_TABLE_FULL), counted;
     *         nothing is installed unless a handle is returned
     * @throws IllegalArgumentException for an action other than DROP/FORWARD/NAT or unknown flags
     */
    public long addPair(FlowKey forward, FlowKey reverse, int action, int flags, long nowNs) {
        checkActionAndFlags(action, flags);
        if (forward.equals(reverse)) {
            return FlowResult.BAD_KEY;
        }
        int owner = forward.nh();
        if (owner >= maxInterfaces) {
            return refuse(DropReason.UNKNOWN_INTERFACE);
        }
        int fsip = forward.sip();
        int fdip = forward.dip();
        int fports = FlowRecord.ports(forward.sport(), forward.dport());
        int fprotoNh = FlowRecord.protoNh(forward.proto(), owner);
        long fh = hash(fsip, fdip, fports, fprotoNh);
        int fpos = probe(fh, fsip, fdip, fports, fprotoNh);
        int rsip = reverse.sip();
        int rdip = reverse.dip();
        int rports = FlowRecord.ports(reverse.sport(), reverse.dport());
        int rprotoNh = FlowRecord.protoNh(reverse.proto(), reverse.nh());
        long rh = hash(rsip, rdip, rports, rprotoNh);
        if (fpos >= 0 || probe(rh, rsip, rdip, rports, rprotoNh) >= 0) {
            return FlowResult.EXISTS;
        }
        DropReason refused = checkPairLimits(owner, 2, (flags & FlowFlags.LINK_LOCAL) != 0);
        if (refused != null) {
            return refuse(refused);
        }
        int f = allocate(fh, ~fpos, fsip, fdip, fports, fprotoNh, action, flags, NONE, nowNs);
        // The forward insert may have taken the reverse's empty slot: probe again.
        int rpos = probe(rh, rsip, rdip, rports, rprotoNh);
        int r = allocate(rh, ~rpos, rsip, rdip, rports, rprotoNh, action, FlowFlags.REVERSE | flags, f, nowNs);
        chargePair(owner, 2, flags);
        int fb = f * STRIDE;
        int rb = r * STRIDE;
        int fnat = 0;
        int rnat = 0;
        if (action == FlowAction.NAT) {
            fnat = natFlags(fb, rb);
            rnat = natFlags(rb, fb);
        }
        beginWrite(fb);
        rec[fb + LINK] = r;
        rec[fb + STATE] = (rec[fb + STATE] & 0xFFFF) | ((flags | fnat) << FLAGS_SHIFT);
        endWrite(fb);
        if (rnat != 0) {
            setFlags(r, FlowFlags.REVERSE | flags | rnat);
        }
        return FlowResult.handle(rec[fb + GEN], f);
    }

    /**
     * Turns a flow and its partner into DROP flows carrying {@code reason}; a HOLD flow's queued
     * packets are dropped and counted under that reason.
     *
     * @return {@code false} if the handle is stale
     */
    public boolean setDrop(long handle, DropReason reason) {
        Objects.requireNonNull(reason, "reason");
        int e = liveIndex(handle);
        if (e < 0) {
            return false;
        }
        int b = e * STRIDE;
        int state = rec[b + STATE];
        if ((state & ACTION_MASK) == FlowAction.HOLD) {
            resolve(e, FlowAction.DROP, state >>> FLAGS_SHIFT, reason.code(), NONE);
            return true;
        }
        setDropState(e, reason.code());
        int p = rec[b + LINK];
        if (p != NONE) {
            setDropState(p, reason.code());
        }
        return true;
    }

    /**
     * Deletes a flow and its partner. Packets still held are dropped and counted as
     * FLOW_EVICTED.
     *
     * @return {@code false} if the handle is stale
     */
    public boolean delete(long handle) {
        int e = liveIndex(handle);
        if (e < 0) {
            return false;
        }
        deletePair(e);
        return true;
    }

    // ------------------------------------------------------------------ aging (writer)

    /**
     * Incremental aging: visits at most {@code maxVisits} flows and removes expired pairs
     * (both halves together). Closed TCP flows are taken first from a FIFO, as soon as their
     * linger has passed; then a cursor walks the dense active list, so one full round costs
     * O(flows), not O(capacity), and a call never costs more than {@code maxVisits} visits.
     * A pair expires when both halves were idle for the protocol's idle timeout (the TCP close
     * linger once closed); a HOLD flow when it was created longer ago than the hold timeout.
     * A call visits at most {@code min(maxVisits, size)} flows of the active list. Every flow is
     * visited within two rounds of the cursor (deletion moves the last active flow into the hole,
     * possibly behind the cursor); a call with {@code maxVisits = Integer.MAX_VALUE} that removes nothing has
     * visited every flow.
     *
     * @param nowNs     the caller's clock, read once per duty cycle (any monotonic origin)
     * @param maxVisits work bound for this call
     * @return number of entries removed
     */
    public int age(long nowNs, int maxVisits) {
        int now = FlowRecord.tick(nowNs);
        NOW_TICK.setOpaque(this, now);
        int removed = 0;
        int budget = maxVisits;
        while (budget > 0 && closeHead != closeTail) {
            budget--;
            long h = closeRing[closeHead & closeMask];
            int e = liveIndex(h);
            if (e < 0) {
                closeHead++;
                continue;
            }
            if (now - pairLastSeen(e) < lingerTicks) {
                break;
            }
            closeHead++;
            removed += deletePair(e);
        }
        // At most one round per call, so a large budget on a small table does not spin.
        int visits = Math.min(budget, size);
        while (visits > 0 && size > 0) {
            visits--;
            if (ageCursor >= size) {
                ageCursor = 0;
            }
            int e = active[ageCursor];
            if (expired(e, now)) {
                removed += deletePair(e);
            } else {
                ageCursor++;
            }
        }
        return removed;
    }

    private boolean expired(int e, int now) {
        int b = e * STRIDE;
        int state = rec[b + STATE];
        if ((state & ACTION_MASK) == FlowAction.HOLD) {
            return now - rec[b + LAST_SEEN] >= holdTicks;
        }
        int timeout = ((state >>> FLAGS_SHIFT) & FlowFlags.TCP_CLOSED) != 0
                ? lingerTicks : idleTicks[rec[b + PROTO_NH] >>> 24];
        return now - pairLastSeen(e) >= timeout;
    }

    /** The later last-seen tick of a flow and its partner (wrapping compare). */
    private int pairLastSeen(int e) {
        int b = e * STRIDE;
        int last = rec[b + LAST_SEEN];
        int p = (rec[b + STATE] & ACTION_MASK) == FlowAction.HOLD ? NONE : rec[b + LINK];
        if (p != NONE) {
            int pl = rec[p * STRIDE + LAST_SEEN];
            if (pl - last > 0) {
                last = pl;
            }
        }
        return last;
    }

    // ------------------------------------------------------------------ flow fields (writer)

    /** The flow's {@link FlowAction}, or -1 if the handle is stale. */
    public int action(long handle) {
        int e = liveIndex(handle);
        return e < 0 ? -1 : rec[e * STRIDE + STATE] & ACTION_MASK;
    }

    /** The flow's {@link FlowFlags}, or 0 if the handle is stale. */
    public int flags(long handle) {
        int e = liveIndex(handle);
        return e < 0 ? 0 : rec[e * STRIDE + STATE] >>> FLAGS_SHIFT;
    }

    /** The drop reason stored with the flow, or {@code null}. */
    public DropReason dropReason(long handle) {
        int e = liveIndex(handle);
        return e < 0 ? null : DropReason.ofCode((rec[e * STRIDE + STATE] >>> DROP_SHIFT) & DROP_MASK);
    }

    /** The partner flow's handle, or {@link FlowResult#NO_FLOW} (none, or stale handle). */
    public long reverse(long handle) {
        int p = partner(liveIndex(handle));
        return p < 0 ? FlowResult.NO_FLOW : FlowResult.handle(rec[p * STRIDE + GEN], p);
    }

    /** Source address after SNAT (the partner's destination); the flow's own source without SNAT. */
    public int natSourceIp(long handle) {
        return natField(handle, DIP, SIP, FlowFlags.SNAT);
    }

    /** Destination address after DNAT (the partner's source). */
    public int natDestinationIp(long handle) {
        return natField(handle, SIP, DIP, FlowFlags.DNAT);
    }

    /** Source port after SPAT (the partner's destination port). */
    public int natSourcePort(long handle) {
        int ports = natField(handle, PORTS, PORTS, FlowFlags.SPAT);
        return (flags(handle) & FlowFlags.SPAT) != 0 ? ports & 0xFFFF : ports >>> 16;
    }

    /** Destination port after DPAT (the partner's source port). */
    public int natDestinationPort(long handle) {
        int ports = natField(handle, PORTS, PORTS, FlowFlags.DPAT);
        return (flags(handle) & FlowFlags.DPAT) != 0 ? ports >>> 16 : ports & 0xFFFF;
    }

    private int natField(long handle, int partnerWord, int ownWord, int flag) {
        int e = liveIndex(handle);
        if (e < 0) {
            return 0;
        }
        int b = e * STRIDE;
        int p = partner(e);
        if (p >= 0 && ((rec[b + STATE] >>> FLAGS_SHIFT) & flag) != 0) {
            return rec[p * STRIDE + partnerWord];
        }
        return rec[b + ownWord];
    }

    /** Whether the handle names a live flow. */
    public boolean isLive(long handle) {
        return liveIndex(handle) >= 0;
    }

    // ------------------------------------------------------------------ readers (any thread)

    /**
     * Copies entry {@code index} into {@code out} as one consistent version (seqlock: retries
     * while the writer is changing it). Any thread; never blocks the writer.
     *
     * @return {@code false} if the index is out of range or the entry is free
     */
    public boolean read(int index, FlowSnapshot out) {
        if (index < 0 || index >= capacity) {
            return false;
        }
        int b = index * STRIDE;
        for (;;) {
            int s1 = (int) INTS.getAcquire(rec, b + SEQ);
            if ((s1 & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            int sip = rec[b + SIP];
            int dip = rec[b + DIP];
            int ports = rec[b + PORTS];
            int protoNh = rec[b + PROTO_NH];
            int gen = rec[b + GEN];
            int state = rec[b + STATE];
            int link = rec[b + LINK];
            int last = rec[b + LAST_SEEN];
            int pl = rec[b + PACKETS_LO];
            int bl = rec[b + BYTES_LO];
            int hi = rec[b + COUNTERS_HI];
            Runnable hook = readCopyHook;
            if (hook != null) {
                hook.run();
            }
            VarHandle.loadLoadFence();
            int s2 = (int) INTS.getOpaque(rec, b + SEQ);
            if (s1 != s2) {
                continue;
            }
            int action = state & ACTION_MASK;
            if (action == FlowAction.FREE) {
                return false;
            }
            out.index = index;
            out.generation = gen;
            out.sip = sip;
            out.dip = dip;
            out.sport = ports >>> 16;
            out.dport = ports & 0xFFFF;
            out.proto = protoNh >>> 24;
            out.nh = protoNh & FlowRecord.MAX_INTERFACE_ID;
            out.action = action;
            out.tcpState = (state >>> TCP_SHIFT) & TCP_MASK;
            out.dropReason = (state >>> DROP_SHIFT) & DROP_MASK;
            out.flags = state >>> FLAGS_SHIFT;
            out.reverseIndex = action == FlowAction.HOLD ? NONE : link;
            out.lastSeenTick = last;
            out.packets = ((long) (hi >>> 24) << 32) | (pl & 0xFFFF_FFFFL);
            out.bytes = ((long) (hi & 0x00FF_FFFF) << 32) | (bl & 0xFFFF_FFFFL);
            return true;
        }
    }

    /** Like {@link #read(int, FlowSnapshot)}, but only if the entry still holds that handle's flow. */
    public boolean read(long handle, FlowSnapshot out) {
        return handle >= 0 && read((int) handle, out) && out.generation == FlowResult.generation(handle);
    }

    /** Capacity in entries. Any thread. */
    public int capacity() {
        return capacity;
    }

    /**
     * Index of the {@code position}-th entry in use, {@code 0 <= position < size()}: the dense
     * active list aging walks, so a scan over the flows costs their number, not the capacity.
     * Writer thread only. Deleting moves the last entry of the list into the freed position, so a
     * loop that deletes walks from the end ({@code for (int p = size() - 1; p >= 0; p--)}, taking
     * {@code Math.min(p, size() - 1)} after a delete): every entry is then visited at least once.
     */
    public int activeIndex(int position) {
        if (position < 0 || position >= size) {
            throw new IndexOutOfBoundsException("position " + position + " outside 0.." + (size - 1));
        }
        return active[position];
    }

    /** Entries in use. Any thread (may lag the writer slightly). */
    public int size() {
        return (int) SIZE.getOpaque(this);
    }

    /** Flows in HOLD. Any thread. */
    public int holdFlowCount() {
        return (int) HOLD_FLOWS.getOpaque(this);
    }

    /** Link-local pairs installed. Any thread. */
    public int linkLocalFlowCount() {
        return (int) SYSTEM_LL.getOpaque(this);
    }

    /** Entries owned by an interface (0 for an id out of range). Any thread. */
    public int interfaceFlowCount(int nh) {
        return nh >= 0 && nh < maxInterfaces ? (int) INTS.getOpaque(ifFlows, nh) : 0;
    }

    /** Link-local pairs owned by an interface. Any thread. */
    public int interfaceLinkLocalCount(int nh) {
        return nh >= 0 && nh < maxInterfaces ? (int) INTS.getOpaque(ifLinkLocal, nh) : 0;
    }

    /** Packets/requests dropped for a reason by this table. Any thread. */
    public long dropCount(DropReason reason) {
        return (long) LONGS.getOpaque(drops, reason.code());
    }

    /** The last tick passed to {@link #age}: lets readers turn {@link FlowSnapshot#lastSeenTick()} into an age. */
    public int lastAgeTick() {
        return (int) NOW_TICK.getOpaque(this);
    }

    public FlowTableConfig config() {
        return config;
    }

    /** Heap bytes of all arrays this table allocated (excluding held packets themselves). */
    public long memoryBytes() {
        return 4L * (rec.length + index.length + active.length + holdFree.length + ifFlows.length
                + ifLinkLocal.length + idleTicks.length) + holdLen.length + 8L * (closeRing.length + drops.length)
                + 4L * holdPackets.length;
    }

    // ------------------------------------------------------------------ internals

    private static void checkActionAndFlags(int action, int flags) {
        if (!FlowAction.isFinal(action)) {
            throw new IllegalArgumentException("flow action must be DROP, FORWARD or NAT, not "
                    + FlowAction.name(action));
        }
        if ((flags & ~FlowFlags.CALLER_MASK) != 0) {
            throw new IllegalArgumentException("flags " + FlowFlags.describe(flags & ~FlowFlags.CALLER_MASK)
                    + " are derived by the table and may not be set by the caller");
        }
    }

    /** Index of the live entry a handle names, or -1. */
    private int liveIndex(long handle) {
        int e = (int) handle;
        if (handle < 0 || e >= capacity) {
            return -1;
        }
        int b = e * STRIDE;
        if (rec[b + GEN] != (int) (handle >>> 32) || (rec[b + STATE] & ACTION_MASK) == FlowAction.FREE) {
            return -1;
        }
        return e;
    }

    /** Partner index of a live entry (or -1 for none / e &lt; 0). */
    private int partner(int e) {
        if (e < 0) {
            return NONE;
        }
        int b = e * STRIDE;
        return (rec[b + STATE] & ACTION_MASK) == FlowAction.HOLD ? NONE : rec[b + LINK];
    }

    private long refuse(DropReason reason) {
        countDrop(reason.code());
        return FlowResult.ofDrop(reason);
    }

    private void countDrop(int code) {
        LONGS.setOpaque(drops, code, drops[code] + 1);
    }

    private DropReason checkPairLimits(int owner, int newEntries, boolean linkLocal) {
        if (linkLocal) {
            if (ifLinkLocal[owner] >= maxVmLinkLocal || systemLinkLocal >= maxSystemLinkLocal) {
                return DropReason.LINKLOCAL_FLOW_LIMIT;
            }
        }
        if (size + newEntries > capacity) {
            return DropReason.FLOW_TABLE_FULL;
        }
        if (ifFlows[owner] + newEntries > maxVmFlows) {
            return DropReason.VM_FLOW_LIMIT;
        }
        return null;
    }

    private void chargePair(int owner, int newEntries, int flags) {
        INTS.setOpaque(ifFlows, owner, ifFlows[owner] + newEntries);
        if ((flags & FlowFlags.LINK_LOCAL) != 0) {
            INTS.setOpaque(ifLinkLocal, owner, ifLinkLocal[owner] + 1);
            SYSTEM_LL.setOpaque(this, systemLinkLocal + 1);
        }
    }

    /**
     * NAT flags of flow x given partner y: each field where y is not x swapped is a
     * translation (see {@link FlowFlags}).
     */
    private int natFlags(int xb, int yb) {
        int flags = 0;
        if (rec[yb + DIP] != rec[xb + SIP]) {
            flags |= FlowFlags.SNAT;
        }
        if (rec[yb + SIP] != rec[xb + DIP]) {
            flags |= FlowFlags.DNAT;
        }
        int xp = rec[xb + PORTS];
        int yp = rec[yb + PORTS];
        if ((yp & 0xFFFF) != (xp >>> 16)) {
            flags |= FlowFlags.SPAT;
        }
        if ((yp >>> 16) != (xp & 0xFFFF)) {
            flags |= FlowFlags.DPAT;
        }
        return flags;
    }

    private void setFlags(int e, int flags) {
        int b = e * STRIDE;
        beginWrite(b);
        rec[b + STATE] = (rec[b + STATE] & 0xFFFF) | (flags << FLAGS_SHIFT);
        endWrite(b);
    }

    private void setDropState(int e, int reason) {
        int b = e * STRIDE;
        beginWrite(b);
        int s = rec[b + STATE];
        rec[b + STATE] = (s & ~(ACTION_MASK | (DROP_MASK << DROP_SHIFT))) | FlowAction.DROP | (reason << DROP_SHIFT);
        endWrite(b);
    }

    /**
     * Sets a flow's final action (and link), leaving HOLD if it was in it: the hold-queue slot is
     * detached first, then the packets are released (FORWARD/NAT) or dropped and counted (DROP).
     */
    private void resolve(int e, int action, int flags, int dropReason, int link) {
        int b = e * STRIDE;
        int state = rec[b + STATE];
        int g = (state & ACTION_MASK) == FlowAction.HOLD ? rec[b + LINK] : NONE;
        beginWrite(b);
        int keep = (state >>> FLAGS_SHIFT) & FlowFlags.TCP_CLOSED;
        rec[b + STATE] = ((flags | keep) << FLAGS_SHIFT) | (dropReason << DROP_SHIFT)
                | (state & (TCP_MASK << TCP_SHIFT)) | action;
        rec[b + LINK] = link;
        endWrite(b);
        if (g != NONE) {
            HOLD_FLOWS.setOpaque(this, holdFlows - 1);
            releaseHeld(g, FlowResult.handle(rec[b + GEN], e), action, dropReason);
        }
    }

    private void releaseHeld(int g, long handle, int action, int dropReason) {
        int n = holdLen[g];
        holdLen[g] = 0;
        int base = g * holdQueueLength;
        for (int i = 0; i < n; i++) {
            @SuppressWarnings("unchecked")
            P p = (P) holdPackets[base + i];
            holdPackets[base + i] = null;
            if (action == FlowAction.FORWARD || action == FlowAction.NAT) {
                sink.release(p, handle, action);
            } else {
                countDrop(dropReason != 0 ? dropReason : DropReason.DROP_FLOW.code());
            }
        }
        holdFree[holdFreeTop++] = g;
    }

    private void checkTcpClose(int e, int tcpNew) {
        int b = e * STRIDE;
        int state = rec[b + STATE];
        if (((state >>> FLAGS_SHIFT) & FlowFlags.TCP_CLOSED) != 0) {
            return;
        }
        int p = partner(e);
        boolean closed = (tcpNew & TCP_RST) != 0;
        if (!closed && (tcpNew & TCP_FIN) != 0 && p != NONE) {
            closed = ((rec[p * STRIDE + STATE] >>> TCP_SHIFT) & TCP_FIN) != 0;
        }
        if (!closed) {
            return;
        }
        setFlags(e, (state >>> FLAGS_SHIFT) | FlowFlags.TCP_CLOSED);
        if (p != NONE) {
            setFlags(p, (rec[p * STRIDE + STATE] >>> FLAGS_SHIFT) | FlowFlags.TCP_CLOSED);
        }
        if (closeTail - closeHead < closeRing.length) {
            closeRing[closeTail++ & closeMask] = FlowResult.handle(rec[b + GEN], e);
        }
        // else: the aging cursor still finds it (closed flows use the linger as their timeout).
    }

    /** Deletes entry e and its partner; returns the number of entries removed. */
    private int deletePair(int e) {
        int b = e * STRIDE;
        int state = rec[b + STATE];
        int action = state & ACTION_MASK;
        int p = action == FlowAction.HOLD ? NONE : rec[b + LINK];
        int f = ((state >>> FLAGS_SHIFT) & FlowFlags.REVERSE) != 0 ? p : e;
        int r = f == e ? p : e;
        int fb = f * STRIDE;
        int fstate = rec[fb + STATE];
        int owner = rec[fb + PROTO_NH] & FlowRecord.MAX_INTERFACE_ID;
        if ((fstate & ACTION_MASK) == FlowAction.HOLD) {
            HOLD_FLOWS.setOpaque(this, holdFlows - 1);
            int g = rec[fb + LINK];
            int n = holdLen[g];
            int base = g * holdQueueLength;
            for (int i = 0; i < n; i++) {
                holdPackets[base + i] = null;
                countDrop(DropReason.FLOW_EVICTED.code());
            }
            holdLen[g] = 0;
            holdFree[holdFreeTop++] = g;
        }
        int removed = r != NONE ? 2 : 1;
        INTS.setOpaque(ifFlows, owner, ifFlows[owner] - removed);
        if (r != NONE && ((fstate >>> FLAGS_SHIFT) & FlowFlags.LINK_LOCAL) != 0) {
            INTS.setOpaque(ifLinkLocal, owner, ifLinkLocal[owner] - 1);
            SYSTEM_LL.setOpaque(this, systemLinkLocal - 1);
        }
        free(f);
        if (r != NONE) {
            free(r);
        }
        return removed;
    }

    /** Takes a free entry, writes it (under the seqlock), inserts it in the index and active list. */
    private int allocate(long h, int slot, int sip, int dip, int ports, int protoNh, int action, int flags,
            int link, long nowNs) {
        int e = freeHead;
        int b = e * STRIDE;
        freeHead = rec[b + LINK];
        int gen = (rec[b + GEN] + 1) & 0x7FFF_FFFF;
        beginWrite(b);
        rec[b + SIP] = sip;
        rec[b + DIP] = dip;
        rec[b + PORTS] = ports;
        rec[b + PROTO_NH] = protoNh;
        rec[b + GEN] = gen == 0 ? 1 : gen;
        rec[b + STATE] = (flags << FLAGS_SHIFT) | action;
        rec[b + LINK] = link;
        rec[b + LAST_SEEN] = FlowRecord.tick(nowNs);
        rec[b + PACKETS_LO] = 0;
        rec[b + BYTES_LO] = 0;
        rec[b + COUNTERS_HI] = 0;
        endWrite(b);
        int dist = Math.min((slot - (int) h) & indexMask, distMax);
        index[slot] = tagField(h) | (dist << idxBits) | (e + 1);
        rec[b + ACTIVE_POS] = size;
        active[size] = e;
        SIZE.setOpaque(this, size + 1);
        return e;
    }

    /** Removes entry e from the index and active list and returns it to the free list. */
    private void free(int e) {
        int b = e * STRIDE;
        indexRemove(e);
        int pos = rec[b + ACTIVE_POS];
        int last = active[size - 1];
        active[pos] = last;
        rec[last * STRIDE + ACTIVE_POS] = pos;
        SIZE.setOpaque(this, size - 1);
        beginWrite(b);
        rec[b + STATE] = FlowAction.FREE;
        rec[b + LINK] = freeHead;
        endWrite(b);
        freeHead = e;
    }

    /** Test seam: marks an entry as being written (sequence odd), as the writer does. */
    void beginWriteForTest(int e) {
        beginWrite(e * STRIDE);
    }

    /** Test seam: ends {@link #beginWriteForTest}. */
    void endWriteForTest(int e) {
        endWrite(e * STRIDE);
    }

    private void beginWrite(int b) {
        INTS.setOpaque(rec, b + SEQ, rec[b + SEQ] + 1);
        VarHandle.storeStoreFence();
    }

    private void endWrite(int b) {
        INTS.setRelease(rec, b + SEQ, rec[b + SEQ] + 1);
    }

    // ------------------------------------------------------------------ hash index

    private long hash(int sip, int dip, int ports, int protoNh) {
        long k0 = ((long) sip << 32) | (dip & 0xFFFF_FFFFL);
        long k1 = ((long) ports << 32) | (protoNh & 0xFFFF_FFFFL);
        long h = (k0 ^ seed) * 0x9E37_79B9_7F4A_7C15L;
        h = (Long.rotateLeft(h, 31) ^ k1) * 0xBF58_476D_1CE4_E5B9L;
        h ^= h >>> 29;
        h *= 0x94D0_49BB_1331_11EBL;
        return h ^ (h >>> 32);
    }

    /** The slot's tag field for a hash: a few hash bits that reject most non-matching slots. */
    private int tagField(long h) {
        return ((int) (h >>> 40) & tagMask) << tagShift;
    }

    /** Slot holding the key, or {@code ~slot} of the empty slot where it would go. */
    private int probe(long h, int sip, int dip, int ports, int protoNh) {
        int pos = (int) h & indexMask;
        int tag = tagField(h);
        int[] idx = index;
        int[] r = rec;
        for (;;) {
            int s = idx[pos];
            if (s == 0) {
                return ~pos;
            }
            if ((s & tagFieldMask) == tag) {
                int b = ((s & idxLowMask) - 1) * STRIDE;
                if (r[b + SIP] == sip && r[b + DIP] == dip && r[b + PORTS] == ports && r[b + PROTO_NH] == protoNh) {
                    return pos;
                }
            }
            pos = (pos + 1) & indexMask;
        }
    }

    private int home(int e) {
        int b = e * STRIDE;
        return (int) hash(rec[b + SIP], rec[b + DIP], rec[b + PORTS], rec[b + PROTO_NH]) & indexMask;
    }

    /** Removes e's slot, shifting later slots of the probe run back (no tombstones). */
    private void indexRemove(int e) {
        int pos = home(e);
        while ((index[pos] & idxLowMask) != e + 1) {
            pos = (pos + 1) & indexMask;
        }
        int hole = pos;
        int j = pos;
        for (;;) {
            j = (j + 1) & indexMask;
            int s = index[j];
            if (s == 0) {
                break;
            }
            // The stored displacement gives the home slot without touching the entry (a cache
            // miss per shifted slot at 1M flows); only a saturated one is recomputed.
            int d = (s >>> idxBits) & distMax;
            int home = d < distMax ? (j - d) & indexMask : home((s & idxLowMask) - 1);
            if (((j - home) & indexMask) >= ((j - hole) & indexMask)) {
                int nd = Math.min((hole - home) & indexMask, distMax);
                index[hole] = (s & ~(distMax << idxBits)) | (nd << idxBits);
                hole = j;
            }
        }
        index[hole] = 0;
    }
}
