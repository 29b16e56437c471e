package io.vrouter.flow;

import static io.vrouter.flow.FlowRecord.LAST_SEEN;
import static io.vrouter.flow.FlowRecord.STATE;
import static io.vrouter.flow.FlowRecord.STRIDE;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;

/**
 * Incremental aging of a {@link FlowTable}: per-protocol idle timeouts, the HOLD timeout, and
 * TCP close tracking (FIN both ways or RST marks the pair TCP_CLOSED and queues it in a FIFO).
 * Times are {@link FlowRecord} ticks.
 *
 * <p>Which timeout applies to a pair, first match:
 * <table>
 *   <caption>Timeouts</caption>
 *   <tr><th>pair</th><th>timeout, from</th></tr>
 *   <tr><td>HOLD</td><td>hold timeout, from creation</td></tr>
 *   <tr><td>DROP</td><td>drop timeout, idle</td></tr>
 *   <tr><td>TCP_CLOSED</td><td>close linger, idle</td></tr>
 *   <tr><td>never completed: TCP whose reverse saw no SYN or forward no ACK (SYN-only, a
 *       half-open handshake); another protocol whose reverse saw no packet</td>
 *       <td>embryonic timeout, idle</td></tr>
 *   <tr><td>otherwise (and an unpaired flow)</td><td>the protocol's idle timeout</td></tr>
 * </table>
 * The drop and embryonic timeouts never exceed the protocol's idle timeout.
 *
 * <p>{@link #age} visits at most {@code maxVisits} flows. Closed TCP pairs are taken first from
 * the FIFO, as soon as their linger has passed; then a cursor walks the dense active list, so one
 * full round costs O(flows), not O(capacity). A pair expires when both halves were idle for the
 * protocol's idle timeout (the TCP close linger once closed); a HOLD flow when it was created
 * longer ago than the hold timeout. A call visits at most {@code min(maxVisits, size)} flows of
 * the active list. Every flow is visited within two rounds of the cursor (deletion moves the last
 * active flow into the hole, possibly behind the cursor); a call with
 * {@code maxVisits = Integer.MAX_VALUE} that removes nothing has visited every flow.
 *
 * <p>A pair with an {@link FlowFlags#OFFLOADED} half that looks expired first merges what the
 * fast path forwarded ({@link OffloadSync#sync}); if that was anything, its last-seen is now and
 * it stays. So a fast path costs one query per pair per timeout, not one per packet. A closed
 * pair leaves when its linger has passed, unqueried (what follows both FINs is their ACKs);
 * unless a guest's SYN reopened it ({@link #reopen}: a new connection on the same ports).
 *
 * <p>Writer thread only, except {@link #lastTick()} (any thread).
 */
final class FlowAging {
    private static final int TCP = 6;
    private final FlowEntries entries;
    private final int[] rec;
    /** Deletes an entry and its partner, returning the number of entries removed. */
    private final IntUnaryOperator deletePair;
    private final int[] idleTicks = new int[256];
    private final int holdTicks;
    private final int lingerTicks;
    private final int embryonicTicks;
    private final int dropTicks;
    private final long[] closeRing;
    private final int closeMask;
    private int closeHead;
    private int closeTail;
    private int cursor;
    /** The tick of the last {@link #age} call, for readers turning a last-seen tick into an age. */
    private final AtomicInteger nowTick = new AtomicInteger();

    private final OffloadSync offloads;

    FlowAging(FlowTableConfig config, FlowEntries entries, IntUnaryOperator deletePair, OffloadSync offloads) {
        this.entries = entries;
        this.offloads = offloads;
        this.rec = entries.rec;
        this.deletePair = deletePair;
        for (int p = 0; p < 256; p++) {
            idleTicks[p] = FlowRecord.durationTicks(config.idleTimeoutNs[p]);
        }
        holdTicks = FlowRecord.durationTicks(config.holdTimeoutNs);
        lingerTicks = FlowRecord.durationTicks(config.tcpCloseLingerNs);
        embryonicTicks = FlowRecord.durationTicks(config.embryonicTimeoutNs);
        dropTicks = FlowRecord.durationTicks(config.dropTimeoutNs);
        closeRing = new long[config.closeQueueLength];
        closeMask = closeRing.length - 1;
    }

    /**
     * Entry e just saw the new stored TCP bits {@code tcpNew}: an RST, or a FIN when the partner
     * already sent one, marks both halves TCP_CLOSED and queues the pair for removal after the
     * linger. When the FIFO is full the cursor still finds it (closed flows use the linger).
     */
    void tcpBitsSeen(int e, int tcpNew) {
        int b = e * STRIDE;
        int state = rec[b + STATE];
        if (FlowRecord.hasFlag(state, FlowFlags.TCP_CLOSED)) {
            return;
        }
        int p = FlowRecord.partner(rec, b);
        boolean closed = (tcpNew & FlowRecord.TCP_RST) != 0;
        if (!closed && (tcpNew & FlowRecord.TCP_FIN) != 0 && p != FlowEntries.NONE) {
            closed = (FlowRecord.tcpState(rec[p * STRIDE + STATE]) & FlowRecord.TCP_FIN) != 0;
        }
        if (!closed) {
            return;
        }
        entries.setFlags(e, FlowRecord.flags(state) | FlowFlags.TCP_CLOSED);
        if (p != FlowEntries.NONE) {
            entries.setFlags(p, FlowRecord.flags(rec[p * STRIDE + STATE]) | FlowFlags.TCP_CLOSED);
        }
        if (closeTail - closeHead < closeRing.length) {
            closeRing[closeTail++ & closeMask] = entries.handle(e);
        }
    }

    /**
     * Entry e, TCP_CLOSED, saw a SYN without ACK: a new connection on the same addresses and
     * ports (a guest reuses a port within the linger). Both halves forget the old connection's
     * TCP bits and TCP_CLOSED, so the new one is tracked, and aged, afresh.
     */
    void reopen(int e) {
        int p = FlowRecord.partner(rec, e * STRIDE);
        forgetTcp(e);
        if (p != FlowEntries.NONE) {
            forgetTcp(p);
        }
    }

    private void forgetTcp(int e) {
        int state = rec[e * STRIDE + STATE];
        int flags = FlowRecord.flags(state) & ~FlowFlags.TCP_CLOSED;
        entries.setState(e, FlowRecord.withFlags(FlowRecord.withoutTcpBits(state), flags));
    }

    /** See {@link FlowTable#age(long, int)}. */
    int age(long nowNs, int maxVisits) {
        int now = FlowRecord.tick(nowNs);
        nowTick.setOpaque(now);
        int removed = 0;
        int budget = maxVisits;
        while (budget > 0 && closeHead != closeTail) {
            budget--;
            int e = entries.liveIndex(closeRing[closeHead & closeMask]);
            // Gone, or reopened by a new connection on the same ports (the cursor ages it; its
            // new close queues it again): either way not a reason to hold back the ones behind.
            if (e < 0 || !closed(e)) {
                closeHead++;
                continue;
            }
            if (now - pairLastSeen(e) < lingerTicks) {
                break;
            }
            closeHead++;
            removed += deletePair.applyAsInt(e);
        }
        // At most one round per call, so a large budget on a small table does not spin. The
        // size and cursor stay in locals (the size changes only when a pair is removed).
        int size = entries.writerSize();
        int visits = Math.min(budget, size);
        int c = cursor;
        while (visits > 0 && size > 0) {
            visits--;
            if (c >= size) {
                c = 0;
            }
            int e = entries.activeAt(c);
            if (expired(e, now) && !(offloads.offloaded(e) && !closed(e) && offloads.sync(e, now))) {
                removed += deletePair.applyAsInt(e);
                size = entries.writerSize();
            } else {
                c++;
            }
        }
        cursor = c;
        return removed;
    }

    /** The last tick passed to {@link #age}. Any thread. */
    int lastTick() {
        return nowTick.getOpaque();
    }

    long memoryBytes() {
        return 4L * idleTicks.length + 8L * closeRing.length;
    }

    private boolean expired(int e, int now) {
        int b = e * STRIDE;
        int state = rec[b + STATE];
        if (FlowRecord.action(state) == FlowAction.HOLD) {
            return now - rec[b + LAST_SEEN] >= holdTicks;
        }
        int idle = now - pairLastSeen(e);
        int timeout = idleTicks[FlowRecord.proto(rec, b)];
        if (FlowRecord.action(state) == FlowAction.DROP) {
            return idle >= Math.min(timeout, dropTicks);
        }
        if (FlowRecord.hasFlag(state, FlowFlags.TCP_CLOSED)) {
            return idle >= lingerTicks;
        }
        // The embryonic timeout is the shorter one: a pair idle for less never needs the
        // completion check (the scan's common case).
        return idle >= timeout || idle >= embryonicTicks && !completed(e);
    }

    /**
     * Whether entry e's pair completed: TCP once the reverse sent a SYN (the SYN-ACK) and the
     * forward an ACK; other protocols once the reverse sent a packet. An unpaired flow counts as
     * completed (it has no other half to wait for).
     */
    private boolean completed(int e) {
        int b = e * STRIDE;
        int p = FlowRecord.partner(rec, b);
        if (p == FlowEntries.NONE) {
            return true;
        }
        boolean reverse = FlowRecord.hasFlag(rec[b + STATE], FlowFlags.REVERSE);
        int fb = reverse ? p * STRIDE : b;
        int rb = reverse ? b : p * STRIDE;
        if (FlowRecord.proto(rec, b) == TCP) {
            return (FlowRecord.tcpState(rec[fb + STATE]) & FlowRecord.TCP_ACK) != 0
                    && (FlowRecord.tcpState(rec[rb + STATE]) & FlowRecord.TCP_SYN) != 0;
        }
        return (rec[rb + FlowRecord.PACKETS_LO] | (rec[rb + FlowRecord.COUNTERS_HI] >>> 24)) != 0;
    }

    private boolean closed(int e) {
        return FlowRecord.hasFlag(rec[e * STRIDE + STATE], FlowFlags.TCP_CLOSED);
    }

    /** The later last-seen tick of a flow and its partner (wrapping compare). */
    private int pairLastSeen(int e) {
        int b = e * STRIDE;
        int last = rec[b + LAST_SEEN];
        int p = FlowRecord.partner(rec, b);
        if (p != FlowEntries.NONE) {
            int pl = rec[p * STRIDE + LAST_SEEN];
            if (pl - last > 0) {
                last = pl;
            }
        }
        return last;
    }
}
