package io.vrouter.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.dataplane.host.PortMode;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

/** {@code [DATAPLANE] port_mode}, {@code internal_address}, {@code kernel_fast_path}: read, defaulted, kept apart from the fabric. */
class DataplaneKeysTest {
    private static AgentConfig parse(String extra) throws AgentConfigException {
        return AgentConfigParser.parse(new StringReader(AgentConfigParserTest.MINIMAL + extra), "test.conf").config();
    }

    @Test
    void defaultsShouldBeExclusivePortsOnTheBenchmarkRangeAddress() throws Exception {
        AgentConfig.Dataplane d = parse("").dataplane();
        assertEquals(PortMode.EXCLUSIVE, d.portMode());
        assertEquals(AgentConfig.Dataplane.DEFAULT_INTERNAL_ADDRESS, d.internalAddress().getHostAddress());
        assertTrue(d.kernelFastPath(), "the kernel fast path is on unless turned off");
        assertTrue(d.vhostNapiThread(), "the vhost receives in its NAPI thread unless turned off");
    }

    @Test
    void theVhostNapiThreadShouldBeOffWhenSaid() throws Exception {
        assertTrue(!parse("[DATAPLANE]\nvhost_napi_thread = false\n").dataplane().vhostNapiThread());
    }

    @Test
    void theKernelFastPathShouldBeOffWhenSaid() throws Exception {
        assertTrue(!parse("[DATAPLANE]\nkernel_fast_path = false\n").dataplane().kernelFastPath());
    }

    @Test
    void sharedModeAndAnInternalAddressShouldBeRead() throws Exception {
        AgentConfig.Dataplane d = parse("[DATAPLANE]\nport_mode = Shared\ninternal_address = 198.19.7.1\n").dataplane();
        assertEquals(PortMode.SHARED, d.portMode());
        assertEquals("198.19.7.1", d.internalAddress().getHostAddress());
    }

    @Test
    void internalAddressEqualToAGatewayShouldBeRefused() {
        AgentConfigException e = assertThrows(AgentConfigException.class, () -> parse(
                "[VIRTUAL-HOST-INTERFACE]\ngateway = 198.18.169.254\n"));
        assertTrue(e.getMessage().contains("[DATAPLANE] internal_address = \"198.18.169.254\": expected an address that"
                + " is not a [VIRTUAL-HOST-INTERFACE] gateway"), e.getMessage());
    }

    @Test
    void fabricSubnetOverlapShouldNotMatterInProxyOnlyMode() throws Exception {
        AgentConfig c = parse("[DATAPLANE]\nenabled = false\ninternal_address = 192.168.1.10\n");
        assertEquals("192.168.1.10", c.dataplane().internalAddress().getHostAddress());
    }

    @Test
    void subnetMembershipShouldFollowThePrefix() throws Exception {
        var net = (java.net.Inet4Address) java.net.InetAddress.getByName("10.0.0.5");
        assertTrue(DataplaneKeys.inSubnet((java.net.Inet4Address) java.net.InetAddress.getByName("10.0.0.254"), net, 24));
        assertTrue(!DataplaneKeys.inSubnet((java.net.Inet4Address) java.net.InetAddress.getByName("10.0.1.1"), net, 24));
        assertTrue(DataplaneKeys.inSubnet((java.net.Inet4Address) java.net.InetAddress.getByName("198.18.0.1"), net, 0));
    }
}
