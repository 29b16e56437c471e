package io.vrouter.flow;

import io.vrouter.drop.DropReason;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlowHoldAndLimitsTest {
    static final int TCP = 6;

    final List<String> released = new ArrayList<>();
    final FlowKey rev = new FlowKey();
    final FlowKey fwd = new FlowKey();

    FlowTable<String> table(FlowTableConfig.Builder b) {
        return TestPairs.recording(b.hashSeed(7), released);
    }

    /** The tests' HOLD flow (vif 3, TCP 1:1000 -> 2:80) with {@code packets} queued on it, in order. */
    private static long heldFlow(FlowTable<String> t, String... packets) {
        long f = t.addHold(3, TCP, 1, 2, 1000, 80, TestPairs.SYN, 0);
        for (String p : packets) {
            assertTrue(t.holdPacket(f, p), p + " queued");
        }
        return f;
    }

    /** {@code n} HOLD flows on vif 3 (TCP 1:i -> 2:80 for i = 0..n-1), each asserted installed. */
    private static long[] heldFlows(FlowTable<String> t, int n) {
        long[] h = new long[n];
        for (int i = 0; i < n; i++) {
            h[i] = t.addHold(3, TCP, 1, 2, i, 80, TestPairs.SYN, 0);
            assertTrue(FlowResult.isHandle(h[i]), FlowResult.describe(h[i]));
        }
        return h;
    }

    @Test
    void shouldDropPacketWhenHoldQueueIsFull() {
        FlowTable<String> t = table(TestPairs.unguarded().capacity(64));
        long f = heldFlow(t, "p2", "p3", "p4");
        assertFalse(t.holdPacket(f, "p5"));
        assertEquals(1, t.dropCount(DropReason.HOLD_QUEUE_FULL));
    }

    @Test
    void shouldReleaseHeldPacketsInOrderThroughTheActionOnceInstalled() {
        FlowTable<String> t = table(TestPairs.unguarded().capacity(64));
        long f = heldFlow(t, "p2", "p3");
        assertEquals(List.of(), released);
        assertEquals(1, t.holdFlowCount());
        long r = t.installReverse(f, rev.set(1, TCP, 9, 5, 8097, 1000), FlowAction.NAT, 0, 0);
        assertTrue(FlowResult.isHandle(r));
        assertEquals(List.of("p2:NAT", "p3:NAT"), released);
        assertEquals(0, t.holdFlowCount());
        assertFalse(t.holdPacket(f, "late"), "flow no longer in HOLD: caller keeps the packet");
    }

    @Test
    void sinkShouldSeeFinalStateAndMayAccountThePacket() {
        List<Integer> actionsSeen = new ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<FlowTable<String>> holder = new java.util.concurrent.atomic.AtomicReference<>();
        FlowTable<String> t = new FlowTable<>(TestPairs.unguarded().capacity(64).hashSeed(1).build(),
                (p, h, a) -> actionsSeen.add(holder.get().account(h, 100, 0, 0)));
        holder.set(t);
        long f = heldFlow(t, "p2");
        t.installReverse(f, rev.set(1, TCP, 2, 1, 80, 1000), FlowAction.FORWARD, 0, 0);
        assertEquals(List.of(FlowAction.FORWARD), actionsSeen);
        FlowSnapshot s = new FlowSnapshot();
        t.read(f, s);
        assertEquals(1, s.packets());
    }

    @Test
    void heldPacketsShouldBeDroppedAndCountedWhenAgentSetsDrop() {
        FlowTable<String> t = table(TestPairs.unguarded().capacity(64));
        long f = heldFlow(t, "p2", "p3");
        assertTrue(t.setDrop(f, DropReason.NO_SERVICE));
        assertEquals(List.of(), released);
        assertEquals(2, t.dropCount(DropReason.NO_SERVICE));
        assertEquals(FlowAction.DROP, t.action(f));
        assertEquals(0, t.holdFlowCount());
    }

    @Test
    void heldPacketsShouldBeCountedAsEvictedWhenHoldFlowIsDeleted() {
        FlowTable<String> t = table(TestPairs.unguarded().capacity(64));
        long f = heldFlow(t, "p2");
        assertTrue(t.delete(f));
        assertEquals(1, t.dropCount(DropReason.FLOW_EVICTED));
        assertEquals(0, t.holdFlowCount());
    }

    @Test
    void shouldRefuseNewHoldFlowsBeyondHoldLimitUntilOneIsResolved() {
        FlowTable<String> t = table(TestPairs.unguarded().capacity(64).maxHoldFlows(2));
        long a = t.addHold(3, TCP, 1, 2, 1, 80, TestPairs.SYN, 0);
        long b = t.addHold(3, TCP, 1, 2, 2, 80, TestPairs.SYN, 0);
        long c = t.addHold(3, TCP, 1, 2, 3, 80, TestPairs.SYN, 0);
        assertTrue(FlowResult.isHandle(a) && FlowResult.isHandle(b));
        assertEquals(DropReason.HOLD_LIMIT, FlowResult.dropReason(c));
        assertEquals(1, t.dropCount(DropReason.HOLD_LIMIT));
        assertEquals(FlowResult.NO_FLOW, t.lookup(3, TCP, 1, 2, 3, 80), "nothing installed");
        t.installReverse(a, rev.set(1, TCP, 2, 1, 80, 1), FlowAction.FORWARD, 0, 0);
        assertTrue(FlowResult.isHandle(t.addHold(3, TCP, 1, 2, 3, 80, TestPairs.SYN, 0)));
    }

    @Test
    void holdSlotsShouldBeRecycledAcrossManyFlows() {
        FlowTable<String> t = table(TestPairs.unguarded().capacity(64).maxHoldFlows(2));
        for (int i = 0; i < 1000; i++) {
            long f = t.addHold(3, TCP, 1, 2, i, 80, TestPairs.SYN, 0);
            assertTrue(FlowResult.isHandle(f), FlowResult.describe(f));
            t.holdPacket(f, "p" + i);
            if (i % 2 == 0) {
                t.installReverse(f, rev.set(1, TCP, 2, 1, 80, i), FlowAction.FORWARD, 0, 0);
            }
            t.delete(f);
        }
        assertEquals(500, released.size());
        assertEquals(500, t.dropCount(DropReason.FLOW_EVICTED));
        assertEquals(0, t.size());
        assertEquals(0, t.holdFlowCount());
    }

    @Test
    void zeroLengthHoldQueueShouldDropEveryFollowingPacket() {
        FlowTable<String> t = table(TestPairs.unguarded().capacity(64).holdQueueLength(0));
        long f = t.addHold(3, TCP, 1, 2, 1000, 80, TestPairs.SYN, 0);
        assertFalse(t.holdPacket(f, "p2"));
        assertEquals(1, t.dropCount(DropReason.HOLD_QUEUE_FULL));
    }

    @Test
    void shouldRefuseFlowsBeyondPerInterfaceLimit() {
        // 25% of 16 entries = 4 entries per interface
        FlowTable<String> t = table(TestPairs.unguarded().capacity(16).maxVmFlowsPercent(25));
        heldFlows(t, 4);
        assertEquals(DropReason.VM_FLOW_LIMIT, FlowResult.dropReason(t.addHold(3, TCP, 1, 2, 9, 80, TestPairs.SYN, 0)));
        assertTrue(FlowResult.isHandle(t.addHold(4, TCP, 1, 2, 9, 80, TestPairs.SYN, 0)), "other interfaces unaffected");
        assertEquals(1, t.dropCount(DropReason.VM_FLOW_LIMIT));
        assertEquals(4, t.interfaceFlowCount(3));
    }

    @Test
    void reverseFlowOverInterfaceLimitShouldTurnForwardIntoDropFlow() {
        FlowTable<String> t = table(TestPairs.unguarded().capacity(16).maxVmFlowsPercent(25));
        long[] h = heldFlows(t, 4);
        t.holdPacket(h[0], "p");
        long r = t.installReverse(h[0], rev.set(1, TCP, 2, 1, 80, 0), FlowAction.FORWARD, 0, 0);
        assertEquals(DropReason.VM_FLOW_LIMIT, FlowResult.dropReason(r));
        assertEquals(FlowAction.DROP, t.action(h[0]));
        assertEquals(DropReason.VM_FLOW_LIMIT, t.dropReason(h[0]));
        assertEquals(2, t.dropCount(DropReason.VM_FLOW_LIMIT), "the refused install and the held packet");
        assertEquals(List.of(), released);
        assertEquals(FlowAction.DROP, t.account(h[0], 60, 0, 0));
        assertEquals(3, t.dropCount(DropReason.VM_FLOW_LIMIT));
    }

    @Test
    void shouldRefuseLinkLocalFlowsBeyondPerVmLimitAndAllowAgainAfterDelete() {
        FlowTable<String> t = table(TestPairs.unguarded().capacity(64).maxVmLinkLocalFlows(2));
        long[] f = heldFlows(t, 3);
        assertTrue(FlowResult.isHandle(t.installReverse(f[0], rev.set(1, TCP, 2, 1, 80, 0), FlowAction.NAT,
                FlowFlags.LINK_LOCAL, 0)));
        assertTrue(FlowResult.isHandle(t.installReverse(f[1], rev.set(1, TCP, 2, 1, 80, 1), FlowAction.NAT,
                FlowFlags.LINK_LOCAL, 0)));
        long refused = t.installReverse(f[2], rev.set(1, TCP, 2, 1, 80, 2), FlowAction.NAT, FlowFlags.LINK_LOCAL, 0);
        assertEquals(DropReason.LINKLOCAL_FLOW_LIMIT, FlowResult.dropReason(refused));
        assertEquals(FlowAction.DROP, t.action(f[2]));
        assertEquals(1, t.dropCount(DropReason.LINKLOCAL_FLOW_LIMIT));
        assertEquals(2, t.interfaceLinkLocalCount(3));
        assertEquals(2, t.linkLocalFlowCount());
        // a non-link-local flow of the same VM is not affected
        long other = t.addHold(3, TCP, 1, 7, 5, 80, TestPairs.SYN, 0);
        assertTrue(FlowResult.isHandle(t.installReverse(other, rev.set(1, TCP, 7, 1, 80, 5), FlowAction.FORWARD, 0, 0)));
        t.delete(f[0]);
        assertEquals(1, t.interfaceLinkLocalCount(3));
        t.delete(f[2]);
        long again = t.addHold(3, TCP, 1, 2, 2, 80, TestPairs.SYN, 0);
        assertTrue(FlowResult.isHandle(t.installReverse(again, rev.set(1, TCP, 2, 1, 80, 2), FlowAction.NAT,
                FlowFlags.LINK_LOCAL, 0)));
    }

    @Test
    void shouldRefuseLinkLocalFlowsBeyondSystemLimitAcrossInterfaces() {
        FlowTable<String> t = table(TestPairs.unguarded().capacity(64).maxSystemLinkLocalFlows(3));
        for (int nh = 10; nh < 13; nh++) {
            assertTrue(FlowResult.isHandle(TestPairs.install(t, fwd.set(nh, TCP, nh, 2, 1000, 80),
                    rev.set(1, TCP, 2, nh, 80, 1000), FlowAction.NAT, FlowFlags.LINK_LOCAL, 0)));
        }
        long refused = TestPairs.install(t, fwd.set(20, TCP, 20, 2, 1000, 80), rev.set(1, TCP, 2, 20, 80, 1000),
                FlowAction.NAT, FlowFlags.LINK_LOCAL, 0);
        assertEquals(DropReason.LINKLOCAL_FLOW_LIMIT, FlowResult.dropReason(refused));
        long forward = t.lookup(fwd);
        assertEquals(FlowAction.DROP, t.action(forward), "the refused flow's retries are dropped in the fast path");
        assertEquals(DropReason.LINKLOCAL_FLOW_LIMIT, t.dropReason(forward));
        assertEquals(FlowResult.NO_FLOW, t.lookup(rev), "no reverse flow installed");
        assertEquals(7, t.size());
        assertEquals(3, t.linkLocalFlowCount());
    }

    @Test
    void shouldRefuseWhenTableIsFull() {
        FlowTable<String> t = table(TestPairs.unguarded().capacity(16));
        for (int i = 0; i < 16; i++) {
            assertTrue(FlowResult.isHandle(t.addHold(3, TCP, 1, 2, i, 80, TestPairs.SYN, 0)));
        }
        assertEquals(DropReason.FLOW_TABLE_FULL, FlowResult.dropReason(t.addHold(3, TCP, 1, 2, 99, 80, TestPairs.SYN, 0)));
        assertEquals(DropReason.FLOW_TABLE_FULL, FlowResult.dropReason(
                TestPairs.install(t, fwd.set(3, TCP, 5, 6, 1, 2), rev.set(3, TCP, 6, 5, 2, 1), FlowAction.FORWARD, 0, 0)));
        assertEquals(2, t.dropCount(DropReason.FLOW_TABLE_FULL));
        for (int i = 0; i < 16; i++) {
            assertTrue(FlowResult.isHandle(t.lookup(3, TCP, 1, 2, i, 80)));
        }
    }

    @Test
    void reverseShouldBeRefusedWhenTheHoldFlowTookTheLastEntry() {
        FlowTable<String> t = table(TestPairs.unguarded().capacity(16));
        for (int i = 0; i < 15; i++) {
            t.addHold(3, TCP, 1, 2, i, 80, TestPairs.SYN, 0);
        }
        assertEquals(DropReason.FLOW_TABLE_FULL, FlowResult.dropReason(
                TestPairs.install(t, fwd.set(3, TCP, 5, 6, 1, 2), rev.set(3, TCP, 6, 5, 2, 1), FlowAction.FORWARD, 0, 0)));
        assertEquals(16, t.size());
        assertEquals(DropReason.FLOW_TABLE_FULL, t.dropReason(t.lookup(fwd)));
    }

    @Test
    void shouldCountPacketFromUnknownInterface() {
        FlowTable<String> t = table(TestPairs.unguarded().capacity(16).maxInterfaces(8));
        assertEquals(DropReason.UNKNOWN_INTERFACE, FlowResult.dropReason(t.addHold(8, TCP, 1, 2, 3, 4, TestPairs.SYN, 0)));
        assertEquals(1, t.dropCount(DropReason.UNKNOWN_INTERFACE));
        assertEquals(0, t.interfaceFlowCount(8));
    }
}
