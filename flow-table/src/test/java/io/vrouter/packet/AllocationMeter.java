package io.vrouter.packet;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;

/**
 * The JVM's per-thread allocation counter, for the tests that prove a hot path allocates nothing
 * (measured in bytes, never by timing). Shared by the packet and flow-table tests.
 */
public final class AllocationMeter {
    /** Slack for the counter's own bookkeeping; one object per operation over a test's rounds is far more. */
    public static final long SLACK_BYTES = 16 * 1024;

    private final com.sun.management.ThreadMXBean mx;

    private AllocationMeter(com.sun.management.ThreadMXBean mx) {
        this.mx = mx;
    }

    /** The meter; skips the calling test (an assumption, reported) where this JVM has no enabled counter. */
    public static AllocationMeter assumeAvailable() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        assumeTrue(mx instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter on this JVM");
        com.sun.management.ThreadMXBean tmx = (com.sun.management.ThreadMXBean) mx;
        assumeTrue(tmx.isThreadAllocatedMemorySupported() && tmx.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counter disabled");
        return new AllocationMeter(tmx);
    }

    /** Bytes the calling thread allocated while running {@code work}. */
    public long bytesAllocatedBy(Runnable work) {
        long tid = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(tid);
        work.run();
        return mx.getThreadAllocatedBytes(tid) - before;
    }
}
