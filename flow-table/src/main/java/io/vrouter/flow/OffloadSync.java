package io.vrouter.flow;

import static io.vrouter.flow.FlowRecord.LAST_SEEN;
import static io.vrouter.flow.FlowRecord.STATE;
import static io.vrouter.flow.FlowRecord.STRIDE;

/**
 * The table's side of a {@link FlowOffload}: marks entries offloaded, merges what the fast path
 * forwarded into their records, and tells it about deletions. Without an offload set every call
 * is a no-op. Writer thread only.
 */
final class OffloadSync {
    private static final int TCP = 6;
    private final FlowEntries entries;
    private final int[] rec;
    private final long[] drained = new long[2];
    private FlowOffload offload;

    OffloadSync(FlowEntries entries) {
        this.entries = entries;
        this.rec = entries.rec;
    }

    void set(FlowOffload o) {
        offload = o;
    }

    void mark(int e) {
        entries.setFlags(e, FlowRecord.flags(rec[e * STRIDE + STATE]) | FlowFlags.OFFLOADED);
    }

    /**
     * Merges what the fast path forwarded for entry e and its partner since the last call.
     *
     * @return whether it forwarded anything (their last-seen is then {@code nowTick})
     */
    boolean sync(int e, int nowTick) {
        if (offload == null) {
            return false;
        }
        boolean any = syncOne(e, nowTick);
        int p = FlowRecord.partner(rec, e * STRIDE);
        return p != FlowEntries.NONE && syncOne(p, nowTick) || any;
    }

    /** Whether entry e or its partner is offloaded. */
    boolean offloaded(int e) {
        int p = FlowRecord.partner(rec, e * STRIDE);
        return FlowRecord.hasFlag(rec[e * STRIDE + STATE], FlowFlags.OFFLOADED)
                || p != FlowEntries.NONE && FlowRecord.hasFlag(rec[p * STRIDE + STATE], FlowFlags.OFFLOADED);
    }

    /** Entry e (or NONE) is being deleted. */
    void removed(int e) {
        if (offload != null && e != FlowEntries.NONE && FlowRecord.hasFlag(rec[e * STRIDE + STATE], FlowFlags.OFFLOADED)) {
            offload.removed(entries.handle(e));
        }
    }

    private boolean syncOne(int e, int nowTick) {
        int b = e * STRIDE;
        if (!FlowRecord.hasFlag(rec[b + STATE], FlowFlags.OFFLOADED)) {
            return false;
        }
        drained[0] = 0;
        drained[1] = 0;
        offload.drain(entries.handle(e), drained);
        if (drained[0] <= 0) {
            return false;
        }
        entries.beginWrite(b);
        FlowRecord.addCounters(rec, b, drained[0], drained[1]);
        rec[b + LAST_SEEN] = nowTick;
        if (FlowRecord.proto(rec, b) == TCP) {
            // Fast-path segments carry ACK; towards the guest the first of them was the SYN-ACK.
            boolean reverse = FlowRecord.hasFlag(rec[b + STATE], FlowFlags.REVERSE);
            rec[b + STATE] = FlowRecord.withTcpBits(rec[b + STATE],
                    reverse ? FlowRecord.TCP_SYN | FlowRecord.TCP_ACK : FlowRecord.TCP_ACK);
        }
        entries.endWrite(b);
        return true;
    }
}
