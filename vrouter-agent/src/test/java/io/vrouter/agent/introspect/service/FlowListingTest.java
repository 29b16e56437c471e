package io.vrouter.agent.introspect.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.flow.FlowAction;
import io.vrouter.flow.FlowFlags;
import io.vrouter.flow.FlowKey;
import io.vrouter.flow.FlowResult;
import io.vrouter.flow.FlowTable;
import io.vrouter.flow.FlowTableConfig;
import io.vrouter.introspect.api.FlowMatch;
import io.vrouter.introspect.api.KFlowInfo;
import io.vrouter.introspect.api.LinkLocalFlowInfo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Flow listings with IPv4 and IPv6 (metadata6) pairs: addresses shown, not the key's address ids. */
class FlowListingTest {
    private static final int TCP = 6;
    private static final int SYN = 0x02;
    private static final long LL = 0xfe80_0000_0000_0000L;

    private final FlowTable<Object> table = new FlowTable<>(FlowTableConfig.builder().capacity(64).ipv6Addresses(16)
            .maxVmFlowsPercent(100).newFlowsPerSecond(0).build());
    private final FlowListing listing = new FlowListing(table);

    FlowListingTest() {
        long v4 = table.addHold(new FlowKey().set(3, TCP, 0x0a09_0003, 0xa9fe_a9fe, 40000, 80), SYN, 0);
        assertTrue(FlowResult.isHandle(v4), FlowResult.describe(v4));
        assertTrue(FlowResult.isHandle(table.installReverse(v4, new FlowKey().set(0, TCP, 0xc613_0001, 0xa9fe_0003,
                8097, 40000), FlowAction.NAT, FlowFlags.LINK_LOCAL, 0)));
        long v6 = table.addHold(new FlowKey().set6(3, TCP, LL, 0x0200_00ff_fe00_0001L, LL, 0xa9fe_a9feL, 40001, 80),
                SYN, 0);
        assertTrue(FlowResult.isHandle(v6), FlowResult.describe(v6));
        assertTrue(FlowResult.isHandle(table.installReverse(v6, new FlowKey().set6(0, TCP, LL, 0xa9fe_ffffL, LL,
                0xa9fe_0003L, 8097, 40001), FlowAction.NAT, FlowFlags.LINK_LOCAL, 0)));
    }

    @Test
    void ipv6FlowsShouldBeListedWithTheirAddresses() {
        List<KFlowInfo> flows = listing.list(null, 0, 0).getFlow_list();
        assertEquals(4, flows.size());
        assertTrue(flows.stream().anyMatch(f -> f.getSip().equals("fe80:0:0:0:200:ff:fe00:1")
                && f.getDip().equals("fe80:0:0:0:0:0:a9fe:a9fe") && f.getSport() == 40001), flows::toString);
        assertTrue(flows.stream().anyMatch(f -> f.getSip().equals("10.9.0.3") && f.getDip().equals("169.254.169.254")),
                flows::toString);
    }

    @Test
    void linkLocalListingsShouldShowBothFamiliesForwardHalvesOnly() {
        List<LinkLocalFlowInfo> ll = listing.linkLocal();
        assertEquals(2, ll.size(), ll::toString);
        assertEquals(Map.of("169.254.169.254:80", 1, "[fe80:0:0:0:0:0:a9fe:a9fe]:80", 1), listing.linkLocalFlowsByService());
    }

    @Test
    void anIpv4MatchAddressShouldNotMatchAnIpv6FlowWhoseIdsLookAlike() {
        FlowMatch byIp = new FlowMatch();
        byIp.setIp("169.254.169.254");
        List<KFlowInfo> flows = listing.list(byIp, 0, 0).getFlow_list();
        assertEquals(1, flows.size(), flows::toString);
        assertEquals("10.9.0.3", flows.get(0).getSip());
        FlowMatch udp = new FlowMatch();
        udp.setProto(17);
        assertEquals(0, listing.list(udp, 0, 0).getFlow_list().size(), "the protocol filter applies to IPv6 flows");
        FlowMatch tcp = new FlowMatch();
        tcp.setProto(TCP);
        assertEquals(4, listing.list(tcp, 0, 0).getFlow_list().size());
    }
}
