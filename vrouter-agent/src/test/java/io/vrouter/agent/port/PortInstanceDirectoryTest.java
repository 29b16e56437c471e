package io.vrouter.agent.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vrouter.linklocal.proxy.VmIdentity;
import java.net.Inet4Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The proxy's identification of a VM by source alone, over IPv4 and over IPv6 (metadata6). */
class PortInstanceDirectoryTest {
    private final PortInstanceDirectory dir = new PortInstanceDirectory();

    private static VmPort port(int index, String ip4, String ip6) throws Exception {
        return new VmPort("port-" + index, "inst-" + index, "vn", "1111-2222", "vm",
                ip4 == null ? null : (Inet4Address) InetAddress.getByName(ip4), ip6, PortJson.TYPE_VM, "tap" + index,
                "02:00:00:00:00:01", -1, -1, index, InterfaceIndexAllocator.metadataIp(index));
    }

    @Test
    void ipv6MetadataSourceShouldMapToItsPortIndexAndNothingElse() throws Exception {
        assertEquals(InetAddress.getByName("fe80::a9fe:102"), InterfaceIndexAllocator.metadataIp6(258));
        assertEquals(258, InterfaceIndexAllocator.indexOf(InetAddress.getByName("fe80::a9fe:102")));
        assertEquals(258, InterfaceIndexAllocator.indexOf(InetAddress.getByName("fe80::a9fe:102%1")), "any scope");
        assertEquals(-1, InterfaceIndexAllocator.indexOf(InetAddress.getByName("fe80::1:a9fe:102")));
        assertEquals(-1, InterfaceIndexAllocator.indexOf(InetAddress.getByName("fe81::a9fe:102")));
        assertEquals(-1, InterfaceIndexAllocator.indexOf(InetAddress.getByName("fe80::a9ff:102")));
        assertEquals(InetAddress.getByName("fe80::a9fe:ffff"), InetAddress.getByName(InterfaceIndexAllocator.VHOST_METADATA6));
    }

    @Test
    void sameVmShouldBeFoundOverBothFamiliesWithTheFixedIpOfThatFamily() throws Exception {
        dir.portAdded(port(5, "10.0.0.3", "fd00::3"));
        VmIdentity v4 = dir.lookup(InetAddress.getByName("169.254.0.5"));
        VmIdentity v6 = dir.lookup(InetAddress.getByName("fe80::a9fe:5"));
        assertEquals("inst-5", v4.instanceId());
        assertEquals("inst-5", v6.instanceId());
        assertEquals("11112222", v6.projectId());
        assertEquals("10.0.0.3", v4.vmIp());
        assertEquals("fd00::3", v6.vmIp(), "X-Forwarded-For over IPv6: the port's IPv6 address");
        assertNull(dir.lookup(InetAddress.getByName("fe80::a9fe:6")));
        dir.portRemoved(port(5, "10.0.0.3", "fd00::3"));
        assertNull(dir.lookup(InetAddress.getByName("fe80::a9fe:5")));
        assertNull(dir.lookup(InetAddress.getByName("169.254.0.5")));
    }

    @Test
    void portWithoutIpv6AddressShouldSendItsIpv4FixedIpAndNeverTheLinkLocal() throws Exception {
        dir.portAdded(port(7, "10.0.0.3", null)); // port IPC's "ip6-address": "None"
        assertEquals("10.0.0.3", dir.lookup(InetAddress.getByName("fe80::a9fe:7")).vmIp());
        dir.portAdded(port(8, null, "fd00::8")); // IPv6-only: "ip-address": "0.0.0.0"
        assertEquals("fd00::8", dir.lookup(InetAddress.getByName("fe80::a9fe:8")).vmIp());
        assertEquals("fd00::8", dir.lookup(InetAddress.getByName("169.254.0.8")).vmIp());
        dir.portAdded(port(9, null, null));
        assertNull(dir.lookup(InetAddress.getByName("fe80::a9fe:9")).vmIp(), "no X-Forwarded-For at all");
    }
}
