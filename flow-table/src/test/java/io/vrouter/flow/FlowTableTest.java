package io.vrouter.flow;

import io.vrouter.drop.DropReason;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlowTableTest {
    static final int TCP = 6;
    static final int UDP = 17;
    static final int VM_IP = 0x0A000003;          // 10.0.0.3
    static final int METADATA = 0xA9FEA9FE;       // 169.254.169.254
    static final int VM_LL = 0xA9FE0005;          // 169.254.0.5
    static final int VHOST = 0x0A0A0A01;          // 10.10.10.1
    static final long SEC = 1_000_000_000L;

    final List<String> released = new ArrayList<>();
    final FlowKey fwd = new FlowKey();
    final FlowKey rev = new FlowKey();

    FlowTable<String> table(FlowTableConfig.Builder b) {
        return TestPairs.recording(b.hashSeed(42), released);
    }

    FlowTable<String> table() {
        return table(TestPairs.unguarded().capacity(1024));
    }

    @Test
    void lookupShouldFindAddedFlowAndMissOthers() {
        FlowTable<String> t = table();
        long h = t.addHold(5, TCP, VM_IP, METADATA, 40000, 80, TestPairs.SYN, 0);
        assertTrue(FlowResult.isHandle(h));
        assertEquals(h, t.lookup(5, TCP, VM_IP, METADATA, 40000, 80));
        assertEquals(FlowResult.NO_FLOW, t.lookup(5, TCP, VM_IP, METADATA, 40001, 80));
        assertEquals(FlowResult.NO_FLOW, t.lookup(6, TCP, VM_IP, METADATA, 40000, 80));
        assertEquals(FlowResult.NO_FLOW, t.lookup(5, UDP, VM_IP, METADATA, 40000, 80));
        assertEquals(FlowAction.HOLD, t.action(h));
        assertEquals(1, t.size());
    }

    @Test
    void walkingTheActiveListFromTheEndWhileDeletingPairsShouldVisitEveryFlow() {
        FlowTable<String> t = table();
        FlowSnapshot snap = new FlowSnapshot();
        for (int nh = 1; nh <= 3; nh++) {
            for (int port = 1; port <= 40; port++) {
                long f = TestPairs.install(t, fwd.set(nh, UDP, VM_IP, METADATA, port, 53),
                        rev.set(0, UDP, VHOST, VM_LL + nh, 53, port), FlowAction.NAT, 0, 0);
                assertTrue(FlowResult.isHandle(f), () -> FlowResult.describe(f));
            }
        }
        assertEquals(240, t.size());
        java.util.Set<Integer> listed = new java.util.HashSet<>();
        for (int p = 0; p < t.size(); p++) {
            listed.add(t.activeIndex(p));
        }
        assertEquals(240, listed.size(), "each entry in use listed once");
        assertThrows(IndexOutOfBoundsException.class, () -> t.activeIndex(240));

        // the dataplane's port removal: delete the pairs of interface 2 while walking
        int deleted = 0;
        for (int p = t.size() - 1; p >= 0; p = Math.min(p - 1, t.size() - 1)) {
            if (t.read(t.activeIndex(p), snap) && (snap.flags() & FlowFlags.REVERSE) == 0 && snap.nh() == 2
                    && t.delete(snap.handle())) {
                deleted++;
            }
        }
        assertEquals(40, deleted);
        assertEquals(160, t.size());
        for (int port = 1; port <= 40; port++) {
            assertEquals(FlowResult.NO_FLOW, t.lookup(2, UDP, VM_IP, METADATA, port, 53));
            assertTrue(FlowResult.isHandle(t.lookup(1, UDP, VM_IP, METADATA, port, 53)));
            assertTrue(FlowResult.isHandle(t.lookup(3, UDP, VM_IP, METADATA, port, 53)));
        }
    }

    @Test
    void lookupShouldMissForOutOfRangeFieldsInsteadOfAliasing() {
        FlowTable<String> t = table();
        t.addHold(5, TCP, VM_IP, METADATA, 80, 80, TestPairs.SYN, 0);
        assertEquals(FlowResult.NO_FLOW, t.lookup(5, TCP, VM_IP, METADATA, 80 + 65536, 80));
        assertEquals(FlowResult.NO_FLOW, t.lookup(5, TCP + 256, VM_IP, METADATA, 80, 80));
        assertEquals(FlowResult.NO_FLOW, t.lookup(-1, TCP, VM_IP, METADATA, 80, 80));
        assertEquals(FlowResult.BAD_KEY, t.addHold(5, TCP, VM_IP, METADATA, -1, 80, TestPairs.SYN, 0));
    }

    @Test
    void addHoldShouldRefuseDuplicateKey() {
        FlowTable<String> t = table();
        t.addHold(5, TCP, VM_IP, METADATA, 40000, 80, TestPairs.SYN, 0);
        assertEquals(FlowResult.EXISTS, t.addHold(5, TCP, VM_IP, METADATA, 40000, 80, TestPairs.SYN, 0));
        assertEquals(1, t.size());
    }

    @Test
    void shouldDeriveSnatAndDnatFlagsFromReverseKeyForMetadataFlow() {
        FlowTable<String> t = table();
        long f = t.addHold(5, TCP, VM_IP, METADATA, 40000, 80, TestPairs.SYN, 0);
        // reply from the host proxy (vhost:8097) to the VM's metadata IP, on the vhost interface 1
        long r = t.installReverse(f, rev.set(1, TCP, VHOST, VM_LL, 8097, 40000), FlowAction.NAT,
                FlowFlags.LINK_LOCAL, 0);
        assertTrue(FlowResult.isHandle(r), FlowResult.describe(r));
        assertEquals(FlowFlags.SNAT | FlowFlags.DNAT | FlowFlags.DPAT | FlowFlags.LINK_LOCAL, t.flags(f));
        assertEquals(VM_LL, t.natSourceIp(f));
        assertEquals(40000, t.natSourcePort(f));
        assertEquals(VHOST, t.natDestinationIp(f));
        assertEquals(8097, t.natDestinationPort(f));
        assertEquals(FlowFlags.SNAT | FlowFlags.SPAT | FlowFlags.DNAT | FlowFlags.LINK_LOCAL | FlowFlags.REVERSE,
                t.flags(r));
        assertEquals(METADATA, t.natSourceIp(r));
        assertEquals(80, t.natSourcePort(r));
        assertEquals(VM_IP, t.natDestinationIp(r));
        assertEquals(40000, t.natDestinationPort(r));
        assertEquals(r, t.reverse(f));
        assertEquals(f, t.reverse(r));
        assertEquals(FlowAction.NAT, t.action(f));
        assertEquals(FlowAction.NAT, t.action(r));
    }

    @Test
    void forwardActionShouldNotSetNatFlagsEvenWhenKeysDiffer() {
        FlowTable<String> t = table();
        long f = TestPairs.install(t, fwd.set(5, UDP, VM_IP, METADATA, 1000, 53), rev.set(1, UDP, VHOST, VM_LL, 53, 1000),
                FlowAction.FORWARD, 0, 0);
        assertEquals(0, t.flags(f) & FlowFlags.NAT_MASK);
        assertEquals(METADATA, t.natDestinationIp(f));
    }

    @Test
    void symmetricPairShouldHaveNoNatFlags() {
        FlowTable<String> t = table();
        long f = TestPairs.install(t, fwd.set(5, UDP, 1, 2, 10, 20), rev.set(5, UDP, 2, 1, 20, 10), FlowAction.NAT, 0, 0);
        assertEquals(0, t.flags(f) & FlowFlags.NAT_MASK);
        assertEquals(0, t.flags(t.reverse(f)) & FlowFlags.NAT_MASK);
    }

    @Test
    void staleHandleShouldNeverTouchReusedEntry() {
        FlowTable<String> t = table(TestPairs.unguarded().capacity(16));
        long old = t.addHold(5, TCP, 1, 2, 3, 4, TestPairs.SYN, 0);
        assertTrue(t.delete(old));
        long reused = t.addHold(5, TCP, 9, 9, 9, 9, TestPairs.SYN, 0);
        assertEquals(FlowResult.index(old), FlowResult.index(reused), "free list reuses the index");
        assertNotEquals(old, reused);
        assertFalse(t.isLive(old));
        assertEquals(-1, t.account(old, 100, 0, 0));
        assertFalse(t.delete(old));
        assertFalse(t.setDrop(old, DropReason.POLICY));
        assertFalse(t.holdPacket(old, "x"));
        assertEquals(FlowResult.STALE_HANDLE, t.installReverse(old, rev.set(1, TCP, 2, 1, 4, 3), FlowAction.FORWARD, 0, 0));
        assertEquals(FlowResult.NO_FLOW, t.reverse(old));
        assertEquals(-1, t.action(old));
        assertTrue(t.isLive(reused));
        assertEquals(FlowAction.HOLD, t.action(reused));
        FlowSnapshot s = new FlowSnapshot();
        assertFalse(t.read(old, s));
        assertTrue(t.read(reused, s));
        assertEquals(0, s.packets());
    }

    @Test
    void garbageHandlesShouldBeRejected() {
        FlowTable<String> t = table();
        assertFalse(t.isLive(-1));
        assertFalse(t.isLive(FlowResult.handle(1, 5000)));
        assertFalse(t.isLive(FlowResult.handle(0, 0)), "free entry");
        assertEquals(-1, t.account(Long.MIN_VALUE, 1, 0, 0));
    }

    @Test
    void accountShouldCountPacketsBytesAndLastSeen() {
        FlowTable<String> t = table();
        long f = TestPairs.install(t, fwd.set(5, UDP, 1, 2, 10, 20), rev.set(5, UDP, 2, 1, 20, 10), FlowAction.FORWARD, 0, 0);
        assertEquals(FlowAction.FORWARD, t.account(f, 100, 0, 5 * SEC));
        assertEquals(FlowAction.FORWARD, t.account(f, 60, 0, 6 * SEC));
        FlowSnapshot s = new FlowSnapshot();
        assertTrue(t.read(f, s));
        assertEquals(2, s.packets());
        assertEquals(160, s.bytes());
        assertEquals(FlowRecord.tick(6 * SEC), s.lastSeenTick());
        assertEquals(FlowResult.index(t.reverse(f)), s.reverseIndex());
    }

    @Test
    void countersShouldCarryBeyondThirtyTwoBits() {
        FlowTable<String> t = table();
        long f = TestPairs.install(t, fwd.set(5, UDP, 1, 2, 10, 20), rev.set(5, UDP, 2, 1, 20, 10), FlowAction.FORWARD, 0, 0);
        for (int i = 0; i < 3; i++) {
            t.account(f, Integer.MAX_VALUE, 0, 0);
        }
        FlowSnapshot s = new FlowSnapshot();
        t.read(f, s);
        assertEquals(3L * Integer.MAX_VALUE, s.bytes());
        assertEquals(3, s.packets());
    }

    @Test
    void packetsOnDropFlowShouldBeCountedUnderItsReason() {
        FlowTable<String> t = table();
        long f = t.addHold(5, TCP, 1, 2, 3, 4, TestPairs.SYN, 0);
        assertTrue(t.setDrop(f, DropReason.POLICY));
        assertEquals(FlowAction.DROP, t.account(f, 60, 0, 0));
        assertEquals(FlowAction.DROP, t.account(f, 60, 0, 0));
        assertEquals(2, t.dropCount(DropReason.POLICY));
        assertEquals(DropReason.POLICY, t.dropReason(f));
    }

    @Test
    void shouldRejectCallerSetDerivedFlagsAndNonFinalActions() {
        FlowTable<String> t = table();
        long f = t.addHold(5, TCP, 1, 2, 3, 4, TestPairs.SYN, 0);
        assertThrows(IllegalArgumentException.class,
                () -> t.installReverse(f, rev.set(1, TCP, 2, 1, 4, 3), FlowAction.HOLD, 0, 0));
        assertThrows(IllegalArgumentException.class,
                () -> t.installReverse(f, rev.set(1, TCP, 2, 1, 4, 3), FlowAction.NAT, FlowFlags.SNAT, 0));
        assertEquals(FlowAction.HOLD, t.action(f));
    }

    @Test
    void installReverseShouldRefuseReverseHalfAndPairedForward() {
        FlowTable<String> t = table();
        long f = t.addHold(5, TCP, 1, 2, 3, 4, TestPairs.SYN, 0);
        long r = t.installReverse(f, rev.set(1, TCP, 2, 1, 4, 3), FlowAction.FORWARD, 0, 0);
        assertEquals(FlowResult.BAD_STATE, t.installReverse(f, rev.set(1, TCP, 7, 7, 7, 7), FlowAction.FORWARD, 0, 0));
        assertEquals(FlowResult.BAD_STATE, t.installReverse(r, rev.set(1, TCP, 7, 7, 7, 7), FlowAction.FORWARD, 0, 0));
        assertEquals(2, t.size());
    }

    @Test
    void installReverseShouldReportExistingReverseKeyAndChangeNothing() {
        FlowTable<String> t = table();
        t.addHold(1, TCP, 2, 1, 4, 3, TestPairs.SYN, 0);
        long f = t.addHold(5, TCP, 1, 2, 3, 4, TestPairs.SYN, 0);
        assertEquals(FlowResult.EXISTS, t.installReverse(f, rev.set(1, TCP, 2, 1, 4, 3), FlowAction.FORWARD, 0, 0));
        assertEquals(FlowAction.HOLD, t.action(f));
    }

    @Test
    void deleteShouldRemoveBothHalvesOfPair() {
        FlowTable<String> t = table();
        long f = TestPairs.install(t, fwd.set(5, UDP, 1, 2, 10, 20), rev.set(1, UDP, 2, 1, 20, 10), FlowAction.FORWARD, 0, 0);
        long r = t.reverse(f);
        assertTrue(t.delete(r));
        assertFalse(t.isLive(f));
        assertEquals(FlowResult.NO_FLOW, t.lookup(fwd));
        assertEquals(FlowResult.NO_FLOW, t.lookup(rev));
        assertEquals(0, t.size());
        assertEquals(0, t.interfaceFlowCount(5));
    }

    @Test
    void reverseFlowShouldBeChargedToForwardInterface() {
        FlowTable<String> t = table();
        TestPairs.install(t, fwd.set(5, UDP, 1, 2, 10, 20), rev.set(1, UDP, 2, 1, 20, 10), FlowAction.FORWARD, 0, 0);
        assertEquals(2, t.interfaceFlowCount(5));
        assertEquals(0, t.interfaceFlowCount(1));
    }

    @Test
    void flowKeyShouldRejectOutOfRangeFields() {
        FlowKey k = new FlowKey();
        assertThrows(IllegalArgumentException.class, () -> k.set(-1, 6, 1, 2, 3, 4));
        assertThrows(IllegalArgumentException.class, () -> k.set(1 << 24, 6, 1, 2, 3, 4));
        assertThrows(IllegalArgumentException.class, () -> k.set(1, 256, 1, 2, 3, 4));
        assertThrows(IllegalArgumentException.class, () -> k.set(1, 6, 1, 2, 65536, 4));
        assertThrows(IllegalArgumentException.class, () -> k.set(1, 6, 1, 2, 3, -4));
        assertEquals("nh=1 proto=6 10.0.0.3:3 -> 169.254.169.254:80", k.set(1, 6, VM_IP, METADATA, 3, 80).toString());
    }

    @Test
    void resultShouldEncodeDropReasonsDistinctFromHandlesAndSentinels() {
        for (DropReason r : DropReason.values()) {
            long res = FlowResult.ofDrop(r);
            assertFalse(FlowResult.isHandle(res));
            assertEquals(r, FlowResult.dropReason(res));
        }
        assertNull(FlowResult.dropReason(FlowResult.NO_FLOW));
        assertNull(FlowResult.dropReason(FlowResult.EXISTS));
        assertNull(FlowResult.dropReason(FlowResult.handle(3, 4)));
        assertTrue(FlowResult.describe(FlowResult.ofDrop(DropReason.HOLD_LIMIT)).contains("HOLD_LIMIT"));
    }
}
