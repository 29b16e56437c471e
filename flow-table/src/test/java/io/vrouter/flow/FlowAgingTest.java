package io.vrouter.flow;

import io.vrouter.drop.DropReason;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FlowAgingTest {
    static final int TCP = 6;
    static final int UDP = 17;
    static final long SEC = 1_000_000_000L;
    static final int FIN = 0x01;
    static final int RST = 0x04;
    static final int ACK = 0x10;

    final FlowKey fwd = new FlowKey();
    final FlowKey rev = new FlowKey();

    static FlowTable<Object> table(FlowTableConfig.Builder b) {
        return new FlowTable<>(b.hashSeed(3).build());
    }

    long pair(FlowTable<Object> t, int proto, int sport, long nowNs) {
        long f = TestPairs.install(t, fwd.set(5, proto, 1, 2, sport, 80), rev.set(1, proto, 2, 1, 80, sport), FlowAction.FORWARD, 0,
                nowNs);
        assertTrue(FlowResult.isHandle(f), FlowResult.describe(f));
        return f;
    }

    @Test
    void idlePairShouldBeRemovedWithBothHalvesAfterTimeout() {
        FlowTable<Object> t = table(TestPairs.unguarded().capacity(64).idleTimeoutNs(10 * SEC));
        long f = pair(t, UDP, 1000, 0);
        long r = t.reverse(f);
        assertEquals(0, t.age(9 * SEC, Integer.MAX_VALUE));
        assertTrue(t.isLive(f));
        assertEquals(2, t.age(10 * SEC + 2_000_000, Integer.MAX_VALUE));
        assertFalse(t.isLive(f));
        assertFalse(t.isLive(r));
        assertEquals(0, t.size());
        assertEquals(0, t.interfaceFlowCount(5));
    }

    @Test
    void trafficOnEitherHalfShouldKeepPairAlive() {
        FlowTable<Object> t = table(TestPairs.unguarded().capacity(64).idleTimeoutNs(10 * SEC));
        long f = pair(t, UDP, 1000, 0);
        t.account(t.reverse(f), 100, 0, 8 * SEC);
        assertEquals(0, t.age(15 * SEC, Integer.MAX_VALUE));
        assertTrue(t.isLive(f));
        assertEquals(2, t.age(19 * SEC, Integer.MAX_VALUE));
    }

    @Test
    void idleTimeoutShouldBePerProtocol() {
        FlowTable<Object> t = table(TestPairs.unguarded().capacity(64).idleTimeoutNs(100 * SEC)
                .idleTimeoutNs(UDP, 5 * SEC));
        long udp = pair(t, UDP, 1000, 0);
        long tcp = pair(t, TCP, 1000, 0);
        t.age(6 * SEC, Integer.MAX_VALUE);
        assertFalse(t.isLive(udp));
        assertTrue(t.isLive(tcp));
    }

    @Test
    void holdFlowShouldExpireFromCreationEvenWhilePacketsArrive() {
        FlowTable<Object> t = table(TestPairs.unguarded().capacity(64).holdTimeoutNs(2 * SEC));
        long h = t.addHold(5, TCP, 1, 2, 3, 4, TestPairs.SYN, 0);
        t.holdPacket(h, "p");
        t.account(h, 60, 0, SEC);
        t.account(h, 60, 0, 2 * SEC);
        t.age(2 * SEC + 5_000_000, Integer.MAX_VALUE);
        assertFalse(t.isLive(h));
        assertEquals(0, t.holdFlowCount());
        assertEquals(1, t.dropCount(DropReason.FLOW_EVICTED));
    }

    @Test
    void tcpPairShouldBeRemovedPromptlyAfterFinInBothDirections() {
        FlowTable<Object> t = table(TestPairs.unguarded().capacity(64).tcpCloseLingerNs(SEC));
        long f = pair(t, TCP, 1000, 0);
        long r = t.reverse(f);
        t.account(f, 60, FIN | ACK, 10 * SEC);
        assertEquals(0, t.flags(f) & FlowFlags.TCP_CLOSED, "FIN one way only");
        t.account(r, 60, FIN | ACK, 10 * SEC);
        assertEquals(FlowFlags.TCP_CLOSED, t.flags(f) & FlowFlags.TCP_CLOSED);
        assertEquals(FlowFlags.TCP_CLOSED, t.flags(r) & FlowFlags.TCP_CLOSED);
        t.account(f, 60, ACK, 10 * SEC + 1000);  // the last ACK still matches
        assertEquals(0, t.age(10 * SEC + 500_000_000, Integer.MAX_VALUE), "within linger");
        assertEquals(2, t.age(11 * SEC + 10_000_000, 1), "close queue: one visit suffices");
        assertFalse(t.isLive(f));
        assertFalse(t.isLive(r));
    }

    @Test
    void aReopenedPairAtTheHeadOfTheCloseQueueShouldNotHoldBackTheClosedPairsBehindIt() {
        FlowTable<Object> t = table(TestPairs.unguarded().capacity(64).idleTimeoutNs(100 * SEC).tcpCloseLingerNs(SEC));
        long a = pair(t, TCP, 1000, 0);
        long b = pair(t, TCP, 1001, 0);
        t.account(a, 60, FIN | ACK, 10 * SEC);
        t.account(t.reverse(a), 60, FIN | ACK, 10 * SEC);
        t.account(b, 60, FIN | ACK, 10 * SEC + 100_000_000);
        t.account(t.reverse(b), 60, FIN | ACK, 10 * SEC + 100_000_000);
        t.account(a, 60, TestPairs.SYN, 10 * SEC + 500_000_000); // a new connection on a's ports

        assertEquals(2, t.age(11 * SEC + 200_000_000, 2), "a skipped, b removed: two visits");
        assertFalse(t.isLive(b));
        assertTrue(t.isLive(a), "a's new connection is open");
    }

    @Test
    void tcpFinOnOneSideOnlyShouldWaitForIdleTimeout() {
        FlowTable<Object> t = table(TestPairs.unguarded().capacity(64).idleTimeoutNs(100 * SEC));
        long f = pair(t, TCP, 1000, 0);
        t.account(f, 60, FIN, SEC);
        t.account(f, 60, FIN, SEC);
        assertEquals(0, t.age(50 * SEC, Integer.MAX_VALUE));
        assertTrue(t.isLive(f));
    }

    @Test
    void tcpRstShouldCloseThePair() {
        FlowTable<Object> t = table(TestPairs.unguarded().capacity(64).tcpCloseLingerNs(0));
        long f = pair(t, TCP, 1000, 0);
        t.account(t.reverse(f), 40, RST, SEC);
        assertEquals(2, t.age(SEC, 1));
        assertEquals(0, t.size());
    }

    @Test
    void tcpFlagsOnUdpFlowShouldBeIgnored() {
        FlowTable<Object> t = table(TestPairs.unguarded().capacity(64).tcpCloseLingerNs(0));
        long f = pair(t, UDP, 1000, 0);
        t.account(f, 40, RST, SEC);
        assertEquals(0, t.flags(f) & FlowFlags.TCP_CLOSED);
        assertEquals(0, t.age(SEC, Integer.MAX_VALUE));
    }

    @Test
    void closedFlowsBeyondCloseQueueShouldStillBeRemovedByCursor() {
        FlowTable<Object> t = table(TestPairs.unguarded().capacity(256).closeQueueLength(16).tcpCloseLingerNs(0));
        for (int i = 0; i < 40; i++) {
            t.account(pair(t, TCP, 1000 + i, 0), 40, RST, SEC);
        }
        t.age(SEC, Integer.MAX_VALUE);
        t.age(SEC, Integer.MAX_VALUE);
        assertEquals(0, t.size());
    }

    @Test
    void agingWorkPerCallShouldBeBoundedByMaxVisits() {
        FlowTable<Object> t = table(TestPairs.unguarded().capacity(1024).idleTimeoutNs(SEC));
        for (int i = 0; i < 100; i++) {
            pair(t, UDP, 1000 + i, 0);
        }
        int calls = 0;
        int removedTotal = 0;
        while (t.size() > 0) {
            int removed = t.age(5 * SEC, 10);
            assertTrue(removed <= 20, "at most 10 pairs per call, removed " + removed);
            removedTotal += removed;
            calls++;
        }
        assertEquals(200, removedTotal);
        assertEquals(10, calls);
    }

    @Test
    void singleFlowInLargeTableShouldAgeInOneVisit() {
        FlowTable<Object> t = table(TestPairs.unguarded().capacity(1 << 16).idleTimeoutNs(SEC));
        pair(t, UDP, 1000, 0);
        assertEquals(2, t.age(2 * SEC, 1), "cost follows flows, not capacity");
    }

    @Test
    void everyExpiredFlowShouldBeRemovedWithinTwoRoundsDespiteDeletionsBehindTheCursor() {
        FlowTable<Object> t = table(TestPairs.unguarded().capacity(1024).idleTimeoutNs(10 * SEC));
        long[] h = new long[200];
        for (int i = 0; i < 200; i++) {
            h[i] = pair(t, UDP, 1000 + i, 0);
        }
        for (int i = 0; i < 200; i += 2) {
            t.account(h[i], 1, 0, 9 * SEC);   // keep half alive
        }
        int size = t.size();
        t.age(12 * SEC, size);
        t.age(12 * SEC, size);
        assertEquals(200, t.size());
        for (int i = 0; i < 200; i++) {
            assertEquals(i % 2 == 0, t.isLive(h[i]));
        }
    }

    @Test
    void agingShouldWorkAcrossClockValuesNearTickWrapAndNegativeNanoTime() {
        long start = -3 * SEC;   // System.nanoTime may be negative
        FlowTable<Object> t = table(TestPairs.unguarded().capacity(64).idleTimeoutNs(10 * SEC));
        long f = pair(t, UDP, 1000, start);
        assertEquals(0, t.age(start + 9 * SEC, Integer.MAX_VALUE));
        assertEquals(2, t.age(start + 11 * SEC, Integer.MAX_VALUE));
        long nearWrap = ((1L << 32) << FlowRecord.TICK_SHIFT) - 2 * SEC;
        f = pair(t, UDP, 1001, nearWrap);
        assertEquals(0, t.age(nearWrap + 9 * SEC, Integer.MAX_VALUE));
        assertTrue(t.isLive(f));
        assertEquals(2, t.age(nearWrap + 11 * SEC, Integer.MAX_VALUE));
    }

    @Test
    void clockGoingBackwardsShouldNotExpireFlows() {
        FlowTable<Object> t = table(TestPairs.unguarded().capacity(64).idleTimeoutNs(10 * SEC).tcpCloseLingerNs(0));
        long f = pair(t, UDP, 1000, 100 * SEC);
        assertEquals(0, t.age(50 * SEC, Integer.MAX_VALUE));
        assertTrue(t.isLive(f));
    }
}
