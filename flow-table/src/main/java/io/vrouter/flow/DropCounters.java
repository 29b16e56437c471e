package io.vrouter.flow;

import io.vrouter.drop.DropReason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Per-reason drop counters of a {@link FlowTable}, indexed by {@link DropReason#code()}. One writer
 * (the dataplane thread) counts with plain increments published opaquely; any thread reads.
 */
final class DropCounters {
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] counts = new long[128];

    /** Counts one drop under a reason code. Writer thread. */
    void count(int code) {
        LONGS.setOpaque(counts, code, counts[code] + 1);
    }

    /** Counts one drop under a flow's stored reason, or DROP_FLOW when it has none. Writer thread. */
    void countFlowDrop(int storedReason) {
        count(storedReason != 0 ? storedReason : DropReason.DROP_FLOW.code());
    }

    /** Drops counted under a reason. Any thread. */
    long get(DropReason reason) {
        return (long) LONGS.getOpaque(counts, reason.code());
    }

    long memoryBytes() {
        return 8L * counts.length;
    }
}
