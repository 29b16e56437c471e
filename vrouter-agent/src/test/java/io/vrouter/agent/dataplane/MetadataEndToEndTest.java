package io.vrouter.agent.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vrouter.agent.dataplane.io.PcapSupport;
import io.vrouter.agent.netns.NetnsHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * End to end on real namespaces and pcap (root only): guests curl 169.254.169.254 and get their
 * own metadata from the nova stand-in through the dataplane's NAT and the metadata proxy.
 */
@Timeout(120)
class MetadataEndToEndTest {
    private static ComputeNodeFixture node;

    @BeforeAll
    static void startNode() throws Exception {
        NetnsHarness.assumeAvailable();
        if (!PcapSupport.isAvailable()) {
            System.err.println("WARNING: libpcap unavailable, end-to-end test SKIPPED: " + PcapSupport.unavailabilityCause());
        }
        assumeTrue(PcapSupport.isAvailable(), "libpcap unavailable");
        node = new ComputeNodeFixture();
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    /** Nova's EC2-style instance id, as the stand-in derives it from the UUID. */
    static String ec2Id(ComputeNodeFixture.Vm vm) {
        return String.format("i-%08x", vm.instance().uuid().hashCode());
    }

    @Test
    void guestsWithTheSameIpOnDifferentNetworksEachGetTheirOwnMetadata() throws Exception {
        ComputeNodeFixture.Vm a = node.addGuest("10.0.0.3");
        ComputeNodeFixture.Vm b = node.addGuest("10.0.0.3");
        node.awaitAttached();

        ComputeNodeFixture.HostResult ra = a.curl("/latest/meta-data/instance-id");
        assertEquals(0, ra.exitCode(), "curl in guest a: " + ra);
        assertEquals("200", ra.status(), ra.toString());
        assertEquals(ec2Id(a), ra.body());

        ComputeNodeFixture.HostResult rb = b.curl("/latest/meta-data/instance-id");
        assertEquals("200", rb.status(), rb.toString());
        assertEquals(ec2Id(b), rb.body());

        ComputeNodeFixture.HostResult ja = a.curl("/openstack/latest/meta_data.json");
        assertEquals("200", ja.status(), ja.toString());
        assertTrue(ja.body().contains("\"uuid\": \"" + a.instance().uuid() + "\"")
                || ja.body().contains("\"uuid\":\"" + a.instance().uuid() + "\""), ja.body());

        ComputeNodeFixture.HostResult ua = a.curl("/latest/user-data");
        assertEquals("200", ua.status(), ua.toString());
        assertEquals(a.instance().userData(), ua.body());
        ComputeNodeFixture.HostResult ub = b.curl("/latest/user-data");
        assertEquals(b.instance().userData(), ub.body());

        ComputeNodeFixture.HostResult ip = a.curl("/latest/meta-data/local-ipv4");
        assertEquals("10.0.0.3", ip.body());
    }
}
