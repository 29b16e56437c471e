package io.vrouter.linklocal.proxy;

/**
 * A token bucket: {@code burst} tokens, refilled at {@code perSecond}. One per VM; connections
 * of one VM may sit on different event loops, so {@link #tryAcquire} is synchronized (the lock
 * is per VM, so one guest never contends with another).
 */
final class TokenBucket {
    private final double perNano;
    private final double burst;
    private double tokens;
    private long lastNanos;

    TokenBucket(double perSecond, int burst, long nowNanos) {
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.lastNanos = nowNanos;
    }

    /** 0 when a token was taken; otherwise the nanoseconds until one will be available. */
    synchronized long tryAcquire(long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * perNano);
            lastNanos = nowNanos;
        }
        if (tokens >= 1.0) {
            tokens -= 1.0;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1.0 - tokens) / perNano));
    }
}
