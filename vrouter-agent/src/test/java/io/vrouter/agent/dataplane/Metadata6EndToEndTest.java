package io.vrouter.agent.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.netns.Guest;
import io.vrouter.drop.DropReason;
import io.vrouter.linklocal.novastandin.RecordedRequest;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * IPv6 metadata end to end on real namespaces and pcap (root only): guests with the same IPv6
 * addresses (link-local and fixed) and the same IPv4 address, on different networks, run
 * {@code curl -g 'http://[fe80::a9fe:a9fe%eth0]/openstack'} and get each its own metadata from
 * the nova stand-in, through the guest's neighbour discovery, the dataplane's IPv6 NAT and the
 * proxy's IPv6 listener, signed as for IPv4.
 */
@Timeout(120)
class Metadata6EndToEndTest {
    private static final String URL = "http://[fe80::a9fe:a9fe%eth0]";
    private static ComputeNodeFixture node;

    @BeforeAll
    static void startNode() throws Exception {
        node = ComputeNodeFixture.startOrSkip();
        node.enableMetadata6();
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    /**
     * IPv6 in the guest: on, no DAD (a test must not wait for it), the given link-local address
     * instead of the MAC's, and the port's fixed IPv6 address when it has one.
     */
    private static void ipv6(Guest g, String linkLocal, String fixed) {
        Duration t = Duration.ofSeconds(5);
        g.exec(t, "sysctl", "-q", "-w", "net.ipv6.conf.eth0.addr_gen_mode=1").check();
        g.exec(t, "sysctl", "-q", "-w", "net.ipv6.conf.eth0.accept_dad=0").check();
        g.exec(t, "sysctl", "-q", "-w", "net.ipv6.conf.eth0.disable_ipv6=0").check();
        g.exec(t, "ip", "-6", "addr", "add", linkLocal + "/64", "dev", "eth0", "nodad").check();
        if (fixed != null) {
            g.exec(t, "ip", "-6", "addr", "add", fixed + "/64", "dev", "eth0", "nodad").check();
        }
    }

    private static ComputeNodeFixture.HostResult curl6(ComputeNodeFixture.Vm vm, String path) {
        var r = vm.guest().exec(Duration.ofSeconds(20), "curl", "-g", "-s", "-m", "10", "-w", "\n%{http_code}",
                URL + path);
        String out = r.stdout();
        int nl = out.lastIndexOf('\n');
        return new ComputeNodeFixture.HostResult(r.exitCode(), nl < 0 ? "" : out.substring(0, nl),
                nl < 0 ? out : out.substring(nl + 1));
    }

    private static RecordedRequest lastNovaRequest() {
        var all = node.nova.requests();
        return all.get(all.size() - 1);
    }

    @Test
    void guestsWithOverlappingIpv6AddressesEachGetTheirOwnMetadata() throws Exception {
        ComputeNodeFixture.Vm a = node.addGuest("10.60.0.3", "fd00::3");
        ComputeNodeFixture.Vm b = node.addGuest("10.60.0.3", "fd00::3");
        node.awaitAttached();
        ipv6(a.guest(), "fe80::3", "fd00::3");
        ipv6(b.guest(), "fe80::3", "fd00::3");

        // Literally the command of the issue, in each guest.
        for (ComputeNodeFixture.Vm vm : new ComputeNodeFixture.Vm[] {a, b}) {
            var r = vm.guest().exec(Duration.ofSeconds(20), "curl", "-g", "-s", "-m", "10",
                    "http://[fe80::a9fe:a9fe%eth0]/openstack");
            assertEquals(0, r.exitCode(), "curl in " + vm.guest().namespace() + ": " + r);
            assertTrue(r.stdout().contains("latest"), r.stdout());
            RecordedRequest seen = lastNovaRequest();
            assertEquals(vm.instance().uuid(), seen.header("X-Instance-ID"), "identified by its port alone");
            assertEquals("fd00::3", seen.header("X-Forwarded-For"), "the port's IPv6 address, as nova expects");
            assertEquals(node.nova.expectedSignature(vm.instance().uuid()), seen.header("X-Instance-ID-Signature"));
        }

        for (ComputeNodeFixture.Vm vm : new ComputeNodeFixture.Vm[] {a, b}) {
            ComputeNodeFixture.HostResult md = curl6(vm, "/openstack/latest/meta_data.json");
            assertEquals("200", md.status(), md.toString());
            assertTrue(md.body().contains(vm.instance().uuid()), "its own uuid: " + md.body());
            ComputeNodeFixture.HostResult ec2 = curl6(vm, "/latest/meta-data/instance-id");
            assertEquals(MetadataEndToEndTest.ec2Id(vm), ec2.body());
        }
        assertTrue(node.dataplane.dataplane().stats().total("ndp_advertisements") >= 2,
                "each guest resolved fe80::a9fe:a9fe through the agent");
        // IPv4 metadata still works beside it, for the same guests
        assertEquals(MetadataEndToEndTest.ec2Id(a), a.curl("/latest/meta-data/instance-id").body());
    }

    @Test
    void portWithoutIpv6AddressIsServedFromItsLinkLocalWithTheIpv4FixedIp() throws Exception {
        ComputeNodeFixture.Vm c = node.addGuest("10.61.0.3", null); // port IPC's "ip6-address": "None"
        node.awaitAttached();
        ipv6(c.guest(), "fe80::61", null);
        ComputeNodeFixture.HostResult r = curl6(c, "/latest/meta-data/instance-id");
        assertEquals("200", r.status(), r.toString());
        assertEquals(MetadataEndToEndTest.ec2Id(c), r.body());
        assertEquals("10.61.0.3", lastNovaRequest().header("X-Forwarded-For"));
    }

    @Test
    void spoofedIpv6SourceIsDroppedAndCounted() throws Exception {
        ComputeNodeFixture.Vm d = node.addGuest("10.62.0.3", "fd00::62");
        node.awaitAttached();
        ipv6(d.guest(), "fe80::62", "fd00::99"); // not the port's ip6-address
        long before = node.dataplane.dataplane().stats().drops(DropReason.SPOOFED_SOURCE);
        var r = d.guest().exec(Duration.ofSeconds(20), "curl", "-g", "-s", "-m", "3", "--interface", "fd00::99",
                URL + "/openstack");
        assertTrue(r.exitCode() != 0, "a request from an address not the port's gets no answer: " + r);
        assertTrue(node.dataplane.dataplane().stats().drops(DropReason.SPOOFED_SOURCE) > before);
        assertEquals("200", curl6(d, "/openstack").status(), "its link-local address still works");
    }
}
