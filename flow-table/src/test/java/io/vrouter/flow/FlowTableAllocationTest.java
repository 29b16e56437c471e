package io.vrouter.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.packet.AllocationMeter;
import org.junit.jupiter.api.Test;

/**
 * The table's writer-thread operations (lookup, addHold, holdPacket, installReverse with NAT and
 * released packets, account, NAT targets, delete, age) must not allocate: measured with the JVM's
 * per-thread allocation counter over many pair life cycles.
 */
class FlowTableAllocationTest {
    private static final int TCP = 6;
    private static final int ROUNDS = 20_000;
    /** One object per round would be ~320 KB. */
    private static final long SLACK_BYTES = AllocationMeter.SLACK_BYTES;

    private final FlowKey reverse = new FlowKey();
    private final Object packet = new Object();
    private long released;

    @Test
    void pairLifeCycleShouldNotAllocate() {
        AllocationMeter meter = AllocationMeter.assumeAvailable();
        FlowTable<Object> t = new FlowTable<>(TestPairs.unguarded().capacity(1024).hashSeed(5).build(),
                (p, h, a) -> released++);
        long[] sink = new long[1];

        run(t, sink, 2_000); // warm up (class loading, JIT)
        long allocated = meter.bytesAllocatedBy(() -> run(t, sink, ROUNDS));
        assertTrue(allocated < SLACK_BYTES, "flow table allocated " + allocated + " bytes over " + ROUNDS + " pairs");
        assertEquals(2 * (2_000 + ROUNDS), released, "each round released its held packet");
        assertTrue(sink[0] != 0);
    }

    private void run(FlowTable<Object> t, long[] sink, int rounds) {
        for (int i = 0; i < rounds; i++) {
            int sport = 1024 + (i & 0x3FFF);
            long h = t.lookup(3, TCP, 0x0A00_0003, 0xA9FE_A9FE, sport, 80);
            if (h == FlowResult.NO_FLOW) {
                h = t.addHold(3, TCP, 0x0A00_0003, 0xA9FE_A9FE, sport, 80, TestPairs.SYN, i);
            }
            t.holdPacket(h, packet);
            t.installReverse(h, reverse.set(0, TCP, 0x0A0A_0A01, 0xA9FE_0003, 8097, sport), FlowAction.NAT,
                    FlowFlags.LINK_LOCAL, i);
            t.account(h, 60, 0x10, i);
            sink[0] += t.natSourceIp(h) + t.natSourcePort(h) + t.natDestinationIp(h) + t.natDestinationPort(h);
            t.delete(h);
            sink[0] += t.age(i, 64);
            // The same life cycle for IPv6: interning, lookup by ids, NAT targets resolved, release.
            long h6 = t.lookup6(3, TCP, GUEST6_HI, GUEST6_LO, GUEST6_HI, META6_LO, sport, 80);
            if (h6 == FlowResult.NO_FLOW) {
                h6 = t.addHold6(3, TCP, GUEST6_HI, GUEST6_LO, GUEST6_HI, META6_LO, sport, 80, TestPairs.SYN, i);
            }
            t.holdPacket(h6, packet);
            t.installReverse(h6, reverse.set6(0, TCP, GUEST6_HI, 0xffff, GUEST6_HI, 3, 8097, sport), FlowAction.NAT,
                    FlowFlags.LINK_LOCAL, i);
            sink[0] += t.ipv6Low(t.natSourceIp(h6)) + t.ipv6High(t.natDestinationIp(h6));
            t.delete(h6);
        }
    }

    private static final long GUEST6_HI = 0xfe80_0000_0000_0000L;
    private static final long GUEST6_LO = 0x0200_00ff_fe00_0001L;
    private static final long META6_LO = 0xa9fe_a9feL;
}
