package io.vrouter.agent.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SpscFrameQueueTest {
    @Test
    void shouldRefuseTheFrameBeyondAnExactNonPowerOfTwoCapacity() {
        SpscFrameQueue q = new SpscFrameQueue(3);
        byte[] a = {1}, b = {2}, c = {3};
        assertTrue(q.isEmpty());
        assertTrue(q.offer(a));
        assertTrue(q.offer(b));
        assertTrue(q.offer(c));
        assertFalse(q.offer(new byte[] {4}));
        assertEquals(3, q.size());
        assertSame(a, q.poll());
        assertTrue(q.offer(new byte[] {5}), "a slot freed by poll is reusable");
        assertFalse(q.offer(new byte[] {6}));
        assertSame(b, q.poll());
        assertSame(c, q.poll());
        assertEquals(5, q.poll()[0]);
        assertNull(q.poll());
        assertTrue(q.isEmpty());
    }

    @Test
    void drainShouldDropEveryQueuedFrameAndCountThem() {
        SpscFrameQueue q = new SpscFrameQueue(8);
        for (int i = 0; i < 5; i++) {
            q.offer(new byte[] {(byte) i});
        }
        assertEquals(5, q.drain());
        assertTrue(q.isEmpty());
        assertNull(q.poll());
    }

    @Test
    void shouldRejectCapacityOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> new SpscFrameQueue(0));
        assertEquals(1, new SpscFrameQueue(1).capacity());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldDeliverEveryFrameInOrderAcrossThreads() throws Exception {
        SpscFrameQueue q = new SpscFrameQueue(5);
        int n = 100_000;
        AtomicLong refused = new AtomicLong();
        Thread producer = new Thread(() -> {
            for (int i = 0; i < n; i++) {
                byte[] f = {(byte) (i >>> 24), (byte) (i >>> 16), (byte) (i >>> 8), (byte) i};
                while (!q.offer(f)) {
                    refused.incrementAndGet();
                    Thread.onSpinWait();
                }
            }
        });
        producer.start();
        for (int expect = 0; expect < n; ) {
            byte[] f = q.poll();
            if (f == null) {
                Thread.onSpinWait();
                continue;
            }
            int v = (f[0] & 0xFF) << 24 | (f[1] & 0xFF) << 16 | (f[2] & 0xFF) << 8 | (f[3] & 0xFF);
            assertEquals(expect, v);
            expect++;
        }
        producer.join();
        assertNull(q.poll());
        assertTrue(q.isEmpty());
    }
}
