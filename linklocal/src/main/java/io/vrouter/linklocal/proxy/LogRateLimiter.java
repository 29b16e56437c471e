package io.vrouter.linklocal.proxy;

import java.util.function.LongSupplier;

/**
 * Log rate limiting per topic (one topic per reason a line is written): at most {@code lines}
 * lines of a topic per interval (fixed windows, the first line opening one); further lines are
 * counted instead of written, and the next line written for that topic says how many were
 * suppressed, as the kernel's printk rate limit does. So a guest repeating one bad request at
 * line rate costs one counter increment per request, not a log line, and the log still shows
 * that it happened and how often.
 *
 * <p>Thread-safe: a topic is guarded by its own monitor, so lines of different topics never
 * contend. Not on the success path: only refusals and upstream errors are logged.
 */
final class LogRateLimiter {
    private final int lines;
    private final long intervalNanos;
    private final LongSupplier nanoClock;

    LogRateLimiter(int lines, long intervalNanos, LongSupplier nanoClock) {
        if (lines < 1 || intervalNanos < 1) {
            throw new IllegalArgumentException("lines and interval must be positive");
        }
        this.lines = lines;
        this.intervalNanos = intervalNanos;
        this.nanoClock = nanoClock;
    }

    Topic topic() {
        return new Topic();
    }

    /** {@code " (N similar lines suppressed)"} for N > 0, else empty: appended to the line written. */
    static String suppressedNote(long suppressed) {
        return suppressed > 0 ? " (" + suppressed + " similar lines suppressed)" : "";
    }

    /** One kind of log line. */
    final class Topic {
        private boolean windowOpen;
        private long windowStartNanos;
        private int written;
        private long suppressed;

        /**
         * @return -1 when this line must not be written (it is counted); otherwise the number of
         *         lines of this topic suppressed since the last one written
         */
        synchronized long admit() {
            long now = nanoClock.getAsLong();
            if (!windowOpen || now - windowStartNanos >= intervalNanos) {
                windowOpen = true;
                windowStartNanos = now;
                written = 0;
            }
            if (written >= lines) {
                suppressed++;
                return -1;
            }
            written++;
            long s = suppressed;
            suppressed = 0;
            return s;
        }
    }
}
