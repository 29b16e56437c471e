package io.vrouter.provision.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The failure buckets against a clock the test moves. */
class FailureThrottleTest {
    private long nowNs = 1_000_000_000L;
    private final FailureThrottle throttle = new FailureThrottle(() -> nowNs, 3, 1_000, 2, 5_000, 4);

    private void advanceMs(long ms) {
        nowNs += TimeUnit.MILLISECONDS.toNanos(ms);
    }

    @Test
    void aSourceShouldBeRefusedAfterItsBurstOfFailuresAndLetInAgainOnePerRefill() {
        for (int i = 0; i < 3; i++) {
            assertEquals(0, throttle.waitNanos("10.0.0.1", null));
            throttle.failed("10.0.0.1", null);
        }
        assertEquals(TimeUnit.MILLISECONDS.toNanos(1_000), throttle.waitNanos("10.0.0.1", null));
        advanceMs(400);
        assertEquals(TimeUnit.MILLISECONDS.toNanos(600), throttle.waitNanos("10.0.0.1", null));
        advanceMs(600);
        assertEquals(0, throttle.waitNanos("10.0.0.1", null));
        throttle.failed("10.0.0.1", null);
        assertTrue(throttle.waitNanos("10.0.0.1", null) > 0, "one token came back, one was used");
        assertEquals(0, throttle.waitNanos("10.0.0.2", null), "other sources are not affected");
    }

    @Test
    void aUserShouldBeRefusedFromEverySourceAfterItsBurst() {
        throttle.failed("10.0.0.1", "admin");
        throttle.failed("10.0.0.2", "admin");
        assertTrue(throttle.waitNanos("10.0.0.3", "admin") > 0);
        assertEquals(0, throttle.waitNanos("10.0.0.3", "reader"));
        advanceMs(5_000);
        assertEquals(0, throttle.waitNanos("10.0.0.3", "admin"));
    }

    @Test
    void aFullBucketShouldNotSaveUpMoreThanItsBurst() {
        advanceMs(3_600_000);
        for (int i = 0; i < 3; i++) {
            throttle.failed("10.0.0.1", null);
        }
        assertTrue(throttle.waitNanos("10.0.0.1", null) > 0);
    }

    @Test
    void theLeastRecentlyUsedKeysShouldBeForgottenBeyondTheBound() {
        for (int i = 0; i < 3; i++) {
            throttle.failed("flooder", null);
        }
        for (int k = 0; k < 4; k++) {
            throttle.failed("other-" + k, null);
        }
        assertEquals(0, throttle.waitNanos("flooder", null), "evicted: at most 4 keys are kept");
    }

    @Test
    void veryLongClaimedNamesShouldShareOneBucket() {
        String a = "x".repeat(FailureThrottle.MAX_USER_KEY_CHARS) + "a";
        String b = "x".repeat(FailureThrottle.MAX_USER_KEY_CHARS) + "b";
        throttle.failed("s1", a);
        throttle.failed("s2", b);
        assertTrue(throttle.waitNanos("s3", a) > 0);
    }
}
