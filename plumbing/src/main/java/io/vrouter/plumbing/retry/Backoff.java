package io.vrouter.plumbing.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capped exponential backoff with "equal jitter": the n-th consecutive failure waits a random
 * time in [d/2, d] where d = min(cap, initial * 2^(n-1)). The jitter keeps a thousand agents
 * that lost the config API together from reconnecting in lock-step.
 */
public final class Backoff {
    private final long initialMs;
    private final long capMs;

    public Backoff(Duration initial, Duration cap) {
        if (initial.isNegative() || initial.isZero() || cap.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= cap, got " + initial + ", " + cap);
        }
        this.initialMs = initial.toMillis();
        this.capMs = cap.toMillis();
    }

    /** Upper bound of the delay after {@code failures} consecutive failures (1 = first). */
    public long ceilingMs(int failures) {
        int shift = Math.min(Math.max(failures, 1) - 1, 30);
        long d = initialMs << shift;
        return d <= 0 || d > capMs ? capMs : d;
    }

    /** A random delay for {@code failures} consecutive failures, in [ceiling/2, ceiling]. */
    public long delayMs(int failures) {
        long ceiling = ceilingMs(failures);
        long half = ceiling / 2;
        return half + ThreadLocalRandom.current().nextLong(ceiling - half + 1);
    }
}
