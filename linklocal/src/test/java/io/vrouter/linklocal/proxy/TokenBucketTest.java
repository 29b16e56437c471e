package io.vrouter.linklocal.proxy;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void shouldAllowBurstThenRefuseWithTimeUntilNextToken() {
        TokenBucket b = new TokenBucket(2.0, 3, 0);
        assertEquals(0, b.tryAcquire(0));
        assertEquals(0, b.tryAcquire(0));
        assertEquals(0, b.tryAcquire(0));
        long wait = b.tryAcquire(0);
        assertEquals(SECOND / 2, wait);
    }

    @Test
    void shouldRefillAtTheConfiguredRateUpToTheBurst() {
        TokenBucket b = new TokenBucket(2.0, 3, 0);
        for (int i = 0; i < 3; i++) {
            b.tryAcquire(0);
        }
        assertEquals(0, b.tryAcquire(SECOND / 2));
        assertTrue(b.tryAcquire(SECOND / 2) > 0);
        // A long pause refills to the burst, never beyond.
        long later = 100 * SECOND;
        for (int i = 0; i < 3; i++) {
            assertEquals(0, b.tryAcquire(later));
        }
        assertTrue(b.tryAcquire(later) > 0);
    }

    @Test
    void shouldIgnoreClockGoingBackwards() {
        TokenBucket b = new TokenBucket(1.0, 1, SECOND);
        assertEquals(0, b.tryAcquire(SECOND));
        assertTrue(b.tryAcquire(0) > 0);
    }
}
