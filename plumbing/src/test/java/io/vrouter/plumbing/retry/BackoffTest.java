package io.vrouter.plumbing.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

    @Test
    void ceilingShouldDoubleUpToTheCap() {
        assertEquals(100, backoff.ceilingMs(1));
        assertEquals(200, backoff.ceilingMs(2));
        assertEquals(3200, backoff.ceilingMs(6));
        assertEquals(5000, backoff.ceilingMs(7));
        assertEquals(5000, backoff.ceilingMs(Integer.MAX_VALUE));
    }

    @Test
    void delayShouldStayBetweenHalfTheCeilingAndTheCeiling() {
        for (int failures = 1; failures < 80; failures++) {
            long ceiling = backoff.ceilingMs(failures);
            for (int i = 0; i < 50; i++) {
                long d = backoff.delayMs(failures);
                assertTrue(d >= ceiling / 2 && d <= ceiling, d + " outside [" + ceiling / 2 + ", " + ceiling + "]");
            }
        }
    }

    @Test
    void shouldRefuseACapBelowTheInitialDelay() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
    }
}
