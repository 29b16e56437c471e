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
 * <p>{@link #age} visits at most {@code maxVisits} flows. Closed TCP pairs are taken first from
 * the FIFO, as soon as their linger has passed; then a cursor walks the dense active list, so one
 * full round costs O(flows), not O(capacity). A pair expires when both halves were idle for the
 * protocol's idle timeout (the TCP close linger once closed); a HOLD flow when it was created
 * longer ago than the hold timeout. A call visits at most {@code min(maxVisits, size)} flows of
 * the active list. Every flow is visited within two rounds of the cursor (deletion moves the last
 * active flow into the hole, possibly behind the cursor); a call with
 * {@code maxVisits = Integer.MAX_VALUE} that removes nothing has visited every flow.
 *
 * <p>Writer thread only, except {@link #lastTick()} (any thread).
 */
final class FlowAging {
    private final FlowEntries entries;
    private final int[] rec;
    /** Deletes an entry and its partner, returning the number of entries removed. */
    private final IntUnaryOperator deletePair;
    private final int[] idleTicks = new int[256];
    private final int holdTicks;
    private final int lingerTicks;
    private final long[] closeRing;
    private final int closeMask;
    private int closeHead;
    private int closeTail;
    private int cursor;
    /** The tick of the last {@link #age} call, for readers turning a last-seen tick into an age. */
    private final AtomicInteger nowTick = new AtomicInteger();

    FlowAging(FlowTableConfig config, FlowEntries entries, IntUnaryOperator deletePair) {
        this.entries = entries;
        this.rec = entries.rec;
        this.deletePair = deletePair;
        for (int p = 0; p < 256; p++) {
            idleTicks[p] = FlowRecord.durationTicks(config.idleTimeoutNs[p]);
        }
        holdTicks = FlowRecord.durationTicks(config.holdTimeoutNs);
        lingerTicks = FlowRecord.durationTicks(config.tcpCloseLingerNs);
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

    /** See {@link FlowTable#age(long, int)}. */
    int age(long nowNs, int maxVisits) {
        int now = FlowRecord.tick(nowNs);
        nowTick.setOpaque(now);
        int removed = 0;
        int budget = maxVisits;
        while (budget > 0 && closeHead != closeTail) {
            budget--;
            int e = entries.liveIndex(closeRing[closeHead & closeMask]);
            if (e < 0) {
                closeHead++;
                continue;
            }
            if (now - pairLastSeen(e) < lingerTicks) {
                break;
            }
            closeHead++;
            removed += deletePair.applyAsInt(e);
        }
        // At most one round per call, so a large budget on a small table does not spin.
        int visits = Math.min(budget, entries.writerSize());
        while (visits > 0 && entries.writerSize() > 0) {
            visits--;
            if (cursor >= entries.writerSize()) {
                cursor = 0;
            }
            int e = entries.activeAt(cursor);
            if (expired(e, now)) {
                removed += deletePair.applyAsInt(e);
            } else {
                cursor++;
            }
        }
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
        int timeout = FlowRecord.hasFlag(state, FlowFlags.TCP_CLOSED) ? lingerTicks : idleTicks[FlowRecord.proto(rec, b)];
        return now - pairLastSeen(e) >= timeout;
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
