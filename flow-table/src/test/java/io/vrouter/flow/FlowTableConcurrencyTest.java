package io.vrouter.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The introspect guarantee: while the single writer churns flows (add, account, NAT install,
 * delete and reuse of the same indexes), readers on other threads only ever see consistent
 * entries. Every flow the writer creates satisfies invariants that a torn read would break:
 * dip == ~sip, sport == sip & 0xFFFF, dport == generation & 0xFFFF, bytes == 100 * packets,
 * and a pair's NAT flags match its keys. Real races are probabilistic (and rare on a loaded
 * machine), so two deterministic tests drive the seqlock protocol through a test seam: a read while
 * the sequence is odd, and a write landing between a reader's copy and its validation.
 */
class FlowTableConcurrencyTest {
    static final int CAPACITY = 16;
    static final int UDP = 17;

    @Test
    @Timeout(60)
    void readersShouldSeeOnlyConsistentSnapshotsWhileWriterChurns() throws Exception {
        FlowTable<Object> t = new FlowTable<>(TestPairs.unguarded().capacity(CAPACITY).hashSeed(11).build());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong snapshots = new AtomicLong();
        AtomicLong withTraffic = new AtomicLong();
        AtomicLong writerOps = new AtomicLong();
        int readers = 1;
        CountDownLatch started = new CountDownLatch(readers + 1);

        Thread writer = new Thread(() -> {
            FlowKey fwd = new FlowKey();
            FlowKey rev = new FlowKey();
            long[] handles = new long[CAPACITY / 2];
            java.util.Arrays.fill(handles, -1);
            int sip = 1;
            long ops = 0;
            started.countDown();
            try {
                while (!stop.get()) {
                    for (int slot = 0; slot < handles.length && !stop.get(); slot++) {
                        if (handles[slot] >= 0) {
                            for (int i = 0; i < 2; i++) {
                                t.account(handles[slot], 100, 0, ops);
                                t.account(t.reverse(handles[slot]), 100, 0, ops);
                            }
                            t.delete(handles[slot]);
                        }
                        sip++;
                        // dport encodes the generation the entry gets: predictable because the
                        // free list hands back the index just freed.
                        long h = t.addHold(1, UDP, sip, ~sip, sip & 0xFFFF, 0, TestPairs.SYN, ops);
                        if (!FlowResult.isHandle(h)) {
                            throw new AssertionError("addHold " + FlowResult.describe(h));
                        }
                        t.delete(h);
                        int nextGen = (FlowResult.generation(h) + 1) & 0x7FFF_FFFF;
                        fwd.set(1, UDP, sip, ~sip, sip & 0xFFFF, nextGen & 0xFFFF);
                        long f = t.addHold(fwd, TestPairs.SYN, ops);
                        if (FlowResult.generation(f) != nextGen) {
                            throw new AssertionError("generation " + FlowResult.generation(f) + " != " + nextGen);
                        }
                        t.account(f, 100, 0, ops);
                        // reverse: same invariants with its own generation, NAT'd source
                        int rsip = sip ^ 0x5A5A_0000;
                        long r = t.installReverse(f, rev.set(2, UDP, rsip, ~rsip, rsip & 0xFFFF, 0), FlowAction.NAT,
                                0, ops);
                        if (!FlowResult.isHandle(r)) {
                            throw new AssertionError("installReverse " + FlowResult.describe(r));
                        }
                        handles[slot] = f;
                        ops++;
                    }
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            } finally {
                writerOps.set(ops);
            }
        }, "flow-writer");

        Thread[] readerThreads = new Thread[readers];
        for (int r = 0; r < readers; r++) {
            readerThreads[r] = new Thread(() -> {
                FlowSnapshot s = new FlowSnapshot();
                started.countDown();
                try {
                    while (!stop.get()) {
                        for (int i = 0; i < CAPACITY; i++) {
                            if (!t.read(i, s)) {
                                continue;
                            }
                            check(s);
                            snapshots.incrementAndGet();
                            if (s.packets() > 0) {
                                withTraffic.incrementAndGet();
                            }
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "flow-reader-" + r);
        }
        writer.start();
        for (Thread th : readerThreads) {
            th.start();
        }
        started.await();
        long deadline = System.nanoTime() + 1_500_000_000L;
        while (System.nanoTime() < deadline && failure.get() == null) {
            Thread.sleep(20);
        }
        stop.set(true);
        writer.join();
        for (Thread th : readerThreads) {
            th.join();
        }
        if (failure.get() != null) {
            throw new AssertionError("after " + snapshots.get() + " snapshots", failure.get());
        }
        System.out.println("writer ops=" + writerOps.get() + " snapshots=" + snapshots.get() + " with traffic="
                + withTraffic.get());
        assertTrue(writerOps.get() > 1000, "writer made progress: " + writerOps.get());
        assertTrue(snapshots.get() > 1000, "readers made progress: " + snapshots.get());
        assertTrue(withTraffic.get() > 0, "readers saw flows with counters");
    }

    @Test
    @Timeout(10)
    void readShouldWaitWhileEntryIsBeingWritten() throws Exception {
        FlowTable<Object> t = new FlowTable<>(TestPairs.unguarded().capacity(16).hashSeed(1).build());
        long h = t.addHold(1, UDP, 1, 2, 3, 4, TestPairs.SYN, 0);
        t.beginWriteForTest(FlowResult.index(h));
        CountDownLatch done = new CountDownLatch(1);
        FlowSnapshot s = new FlowSnapshot();
        Thread reader = new Thread(() -> {
            t.read(h, s);
            done.countDown();
        }, "flow-reader");
        reader.start();
        assertFalse(done.await(200, TimeUnit.MILLISECONDS), "read returned while the entry was odd");
        t.endWriteForTest(FlowResult.index(h));
        assertTrue(done.await(5, TimeUnit.SECONDS));
        reader.join();
        assertEquals(1, s.sip());
    }

    @Test
    void readShouldRetryWhenEntryChangesDuringTheCopy() {
        FlowTable<Object> t = new FlowTable<>(TestPairs.unguarded().capacity(16).hashSeed(1).build());
        FlowKey k = new FlowKey(1, UDP, 1, 2, 3, 4);
        long h = TestPairs.install(t, k, new FlowKey(1, UDP, 2, 1, 4, 3), FlowAction.FORWARD, 0, 0);
        t.account(h, 100, 0, 0);
        int[] calls = {0};
        // The first copy is overtaken by a write (as if the writer ran between copy and check).
        t.readCopyHook(() -> {
            if (calls[0]++ == 0) {
                t.account(h, 100, 0, 0);
            }
        });
        FlowSnapshot s = new FlowSnapshot();
        assertTrue(t.read(h, s));
        assertEquals(2, calls[0], "copied twice");
        assertEquals(2, s.packets());
        assertEquals(200, s.bytes());
        // Entry deleted and reused during the copy: the handle-based read reports the flow gone.
        calls[0] = 0;
        t.readCopyHook(() -> {
            if (calls[0]++ == 0) {
                t.delete(h);
                t.addHold(1, UDP, 9, 9, 9, 9, TestPairs.SYN, 0);
            }
        });
        assertFalse(t.read(h, s));
        assertEquals(2, calls[0]);
    }

    private static void check(FlowSnapshot s) {
        String where = s.toString();
        if (s.action() == FlowAction.HOLD) {
            // the short-lived probe flow or a forward flow before its reverse is installed
            assertEquals(~s.sip(), s.dip(), where);
            assertEquals(s.sip() & 0xFFFF, s.sport(), where);
            assertEquals(s.packets() * 100, s.bytes(), where);
            return;
        }
        assertEquals(~s.sip(), s.dip(), where);
        assertEquals(s.sip() & 0xFFFF, s.sport(), where);
        assertEquals(s.packets() * 100, s.bytes(), where);
        assertEquals(FlowAction.NAT, s.action(), where);
        if ((s.flags() & FlowFlags.REVERSE) == 0) {
            assertEquals(s.generation() & 0xFFFF, s.dport(), where);
            // forward: partner is (rsip, ~rsip): dip differs from our sip, sip differs from our dip
            assertEquals(FlowFlags.SNAT | FlowFlags.DNAT, s.flags() & (FlowFlags.SNAT | FlowFlags.DNAT), where);
        } else {
            assertEquals(0, s.dport(), where);
        }
    }
}
