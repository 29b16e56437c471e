package io.vrouter.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.drop.DropReason;
import org.junit.jupiter.api.Test;

/** IPv6 flows: keys with interned addresses, NAT pairs, overlap across interfaces, address life cycle. */
class FlowTableIpv6Test {
    private static final int TCP = 6;
    private static final long LL = 0xfe80_0000_0000_0000L;
    private static final long GUEST = 0x0200_00ff_fe00_0001L;
    private static final long META = 0xa9fe_a9feL;
    private static final long VHOST = 0xa9fe_ffffL;
    private static final long META_SRC = 0xa9fe_0003L;

    private final FlowTable<Object> t = new FlowTable<>(TestPairs.unguarded().capacity(64).ipv6Addresses(16)
            .hashSeed(7).build());
    private final FlowKey reverse = new FlowKey();

    private long hold(int nh, long guestLo, int sport) {
        return t.addHold6(nh, TCP, LL, guestLo, LL, META, sport, 80, TestPairs.SYN, 0);
    }

    @Test
    void ipv6FlowShouldBeFoundByItsAddressesAndMissOtherwise() {
        assertEquals(FlowResult.NO_FLOW, t.lookup6(3, TCP, LL, GUEST, LL, META, 40000, 80));
        long h = hold(3, GUEST, 40000);
        assertTrue(FlowResult.isHandle(h));
        assertEquals(h, t.lookup6(3, TCP, LL, GUEST, LL, META, 40000, 80));
        assertEquals(FlowResult.NO_FLOW, t.lookup6(3, TCP, LL, GUEST + 1, LL, META, 40000, 80));
        assertEquals(FlowResult.NO_FLOW, t.lookup6(3, TCP, LL, GUEST, LL, META, 40001, 80));
        assertEquals(FlowResult.NO_FLOW, t.lookup6(3, 17, LL, GUEST, LL, META, 40000, 80));
        assertEquals(h, t.lookup(new FlowKey().set6(3, TCP, LL, GUEST, LL, META, 40000, 80)));
        assertEquals(2, t.ipv6AddressCount());
    }

    @Test
    void ipv4KeyWithTheSameWordsShouldNotMatchAnIpv6Flow() {
        long h = hold(3, GUEST, 40000);
        FlowSnapshot s = new FlowSnapshot();
        assertTrue(t.read(h, s));
        assertTrue(s.isIpv6());
        assertEquals(FlowResult.NO_FLOW, t.lookup(3, TCP, s.sip(), s.dip(), 40000, 80));
        assertThrows(IllegalStateException.class, () -> s.key(new FlowKey()));
        assertEquals(new FlowKey().set6(3, TCP, LL, GUEST, LL, META, 40000, 80), t.key(h, new FlowKey()));
    }

    @Test
    void samePacketOnTwoInterfacesShouldBeTwoFlows() {
        long a = hold(3, GUEST, 40000);
        long b = hold(4, GUEST, 40000);
        assertTrue(FlowResult.isHandle(a));
        assertTrue(FlowResult.isHandle(b));
        assertNotEquals(a, b);
        assertEquals(2, t.ipv6AddressCount(), "the overlapping addresses are interned once");
    }

    @Test
    void natPairShouldTranslateToThePartnersAddresses() {
        long h = hold(3, GUEST, 40000);
        long r = t.installReverse(h, reverse.set6(0, TCP, LL, VHOST, LL, META_SRC, 8097, 40000), FlowAction.NAT,
                FlowFlags.LINK_LOCAL, 0);
        assertTrue(FlowResult.isHandle(r), FlowResult.describe(r));
        assertEquals(FlowAction.NAT, t.action(h));
        int flags = t.flags(h);
        assertEquals(FlowFlags.SNAT | FlowFlags.DNAT | FlowFlags.DPAT,
                flags & (FlowFlags.SNAT | FlowFlags.DNAT | FlowFlags.SPAT | FlowFlags.DPAT));
        assertEquals(META_SRC, t.ipv6Low(t.natSourceIp(h)));
        assertEquals(LL, t.ipv6High(t.natSourceIp(h)));
        assertEquals(VHOST, t.ipv6Low(t.natDestinationIp(h)));
        assertEquals(8097, t.natDestinationPort(h));
        assertEquals(40000, t.natSourcePort(h));
        // the way back: vhost -> metadata source, translated to service -> guest
        long back = t.lookup6(0, TCP, LL, VHOST, LL, META_SRC, 8097, 40000);
        assertEquals(r, back);
        assertEquals(META, t.ipv6Low(t.natSourceIp(back)));
        assertEquals(GUEST, t.ipv6Low(t.natDestinationIp(back)));
        assertEquals(80, t.natSourcePort(back));
        assertEquals(4, t.ipv6AddressCount());
    }

    @Test
    void deletingAndAgingShouldReleaseEveryAddress() {
        long h = hold(3, GUEST, 40000);
        t.installReverse(h, reverse.set6(0, TCP, LL, VHOST, LL, META_SRC, 8097, 40000), FlowAction.NAT,
                FlowFlags.LINK_LOCAL, 0);
        long h2 = hold(3, GUEST, 40001);
        assertEquals(4, t.ipv6AddressCount());
        assertTrue(t.delete(h));
        assertEquals(2, t.ipv6AddressCount(), "the second flow still holds the guest and service addresses");
        t.age(FlowTableConfig.DEFAULT_HOLD_TIMEOUT_NS * 2, 64);
        assertTrue(!t.isLive(h2));
        assertEquals(0, t.ipv6AddressCount());
    }

    @Test
    void fullAddressTableShouldRefuseNewIpv6FlowsCountedAndLeakNothing() {
        // 16 addresses: the service plus 15 guests
        for (int i = 0; i < 15; i++) {
            assertTrue(FlowResult.isHandle(hold(3, GUEST + i, 40000)));
        }
        assertEquals(16, t.ipv6AddressCount());
        assertEquals(FlowResult.ofDrop(DropReason.IPV6_ADDRESS_TABLE_FULL), hold(3, GUEST + 99, 40000));
        assertEquals(1, t.dropCount(DropReason.IPV6_ADDRESS_TABLE_FULL));
        assertEquals(16, t.ipv6AddressCount());
        // known addresses still make flows
        assertTrue(FlowResult.isHandle(hold(3, GUEST, 40001)));
        // an existing key is refused without keeping references
        assertEquals(FlowResult.EXISTS, hold(3, GUEST, 40001));
        long h = t.lookup6(3, TCP, LL, GUEST, LL, META, 40001, 80);
        t.delete(h);
        t.delete(t.lookup6(3, TCP, LL, GUEST, LL, META, 40000, 80));
        assertEquals(15, t.ipv6AddressCount(), "GUEST's references all dropped");
    }

    @Test
    void pairOfTwoFamiliesShouldBeRefused() {
        long h = hold(3, GUEST, 40000);
        assertEquals(FlowResult.BAD_KEY, t.installReverse(h, reverse.set(0, TCP, 1, 2, 8097, 40000), FlowAction.NAT,
                FlowFlags.LINK_LOCAL, 0));
        long h4 = t.addHold(3, TCP, 10, 20, 1, 80, TestPairs.SYN, 0);
        assertEquals(FlowResult.BAD_KEY, t.installReverse(h4, reverse.set6(0, TCP, LL, VHOST, LL, META_SRC, 8097, 1),
                FlowAction.NAT, FlowFlags.LINK_LOCAL, 0));
        assertEquals(2, t.ipv6AddressCount());
    }

    @Test
    void addressesShouldSurviveRandomChurnWithoutLeaks() {
        java.util.Random r = new java.util.Random(4861);
        FlowTable<Object> big = new FlowTable<>(TestPairs.unguarded().capacity(1024).ipv6Addresses(256).hashSeed(9)
                .build());
        java.util.List<Long> live = new java.util.ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            if (live.size() < 100 && r.nextBoolean()) {
                long h = big.addHold6(1 + r.nextInt(3), TCP, LL, r.nextInt(60), LL, META + r.nextInt(4),
                        r.nextInt(50), 80, TestPairs.SYN, 0);
                if (FlowResult.isHandle(h)) {
                    live.add(h);
                }
            } else if (!live.isEmpty()) {
                long h = live.remove(r.nextInt(live.size()));
                FlowKey k = big.key(h, new FlowKey());
                assertEquals(h, big.lookup(k), "a live flow is found by its resolved key");
                big.delete(h);
            }
        }
        for (long h : live) {
            big.delete(h);
        }
        assertEquals(0, big.ipv6AddressCount());
        assertEquals(0, big.size());
    }
}
