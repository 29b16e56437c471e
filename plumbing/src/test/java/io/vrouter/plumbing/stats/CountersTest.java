package io.vrouter.plumbing.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class CountersTest {
    enum Event { SENT, FAILED, RETRIED }

    @Test
    void newCountersShouldAllReadZero() {
        Counters<Event> c = new Counters<>(Event.class);
        for (Event e : Event.values()) {
            assertEquals(0, c.get(e), e.name());
        }
    }

    @Test
    void incrementShouldCountOnlyTheNamedEvent() {
        Counters<Event> c = new Counters<>(Event.class);
        c.increment(Event.FAILED);
        c.increment(Event.FAILED);
        c.increment(Event.RETRIED);
        assertEquals(0, c.get(Event.SENT));
        assertEquals(2, c.get(Event.FAILED));
        assertEquals(1, c.get(Event.RETRIED));
    }

    @Test
    void addShouldCountSeveralEventsAndRefuseANegativeCount() {
        Counters<Event> c = new Counters<>(Event.class);
        c.add(Event.SENT, 5);
        c.add(Event.SENT, 0);
        c.increment(Event.SENT);
        assertEquals(6, c.get(Event.SENT));
        assertThrows(IllegalArgumentException.class, () -> c.add(Event.SENT, -1));
        assertEquals(6, c.get(Event.SENT), "a refused count changes nothing");
    }

    @Test
    @Timeout(30)
    void concurrentIncrementsShouldNotBeLost() throws InterruptedException {
        Counters<Event> c = new Counters<>(Event.class);
        int threads = 4;
        int each = 50_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int t = 0; t < threads; t++) {
                pool.execute(() -> {
                    for (int i = 0; i < each; i++) {
                        c.increment(Event.SENT);
                    }
                });
            }
        } finally {
            pool.shutdown();
        }
        assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS));
        assertEquals((long) threads * each, c.get(Event.SENT));
        assertEquals(0, c.get(Event.FAILED));
    }
}
