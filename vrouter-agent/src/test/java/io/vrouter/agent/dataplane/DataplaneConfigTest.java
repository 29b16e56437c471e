package io.vrouter.agent.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.config.AgentConfig;
import io.vrouter.flow.FlowTableConfig;
import java.net.Inet4Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class DataplaneConfigTest {
    private static Inet4Address ip(String s) throws Exception {
        return (Inet4Address) InetAddress.getByName(s);
    }

    @Test
    void shouldUseDocumentedDefaults() throws Exception {
        DataplaneConfig c = DataplaneConfig.builder(ip("10.1.1.5"), 0x02aa00000001L).build();
        assertEquals(8097, c.metadataProxyPort());
        assertEquals(0x00005e000100L, c.agentMac());
        assertEquals(DataplaneConfig.DEFAULT_RX_BATCH, c.rxBatch());
        assertEquals(0x0a010105, c.vhostIpInt());
        assertEquals(FlowTableConfig.DEFAULT_CAPACITY, c.flowTable().capacity());
    }

    @Test
    void shouldRejectBadSettingsNamingThem() throws Exception {
        var b = DataplaneConfig.builder(ip("10.1.1.5"), 0x02aa00000001L);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.metadataProxyPort(0)).getMessage()
                .contains("metadataProxyPort"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.metadataProxyPort(70000)).getMessage()
                .contains("metadataProxyPort"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.rxBatch(0)).getMessage()
                .contains("rxBatch"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.agentMac(0x010000000001L)).getMessage()
                .contains("unicast"));
        assertThrows(IllegalArgumentException.class, () -> b.idleParkNs(0));
        assertThrows(IllegalArgumentException.class, () -> b.busyPollNs(-1));
        assertEquals(0, b.busyPollNs(0).build().busyPollNs());
        assertThrows(IllegalArgumentException.class, () -> DataplaneConfig.builder(ip("10.1.1.5"), 0));
        assertThrows(NullPointerException.class, () -> DataplaneConfig.builder(null, 1));
    }

    @Test
    void agentConfFlowsShouldBecomeTheFlowTableLimits() {
        FlowTableConfig f = UserspaceDataplane.flowTable(new AgentConfig.Flows(50.0, 100, 10, 60,
                new AgentConfig.FlowGuards(7, 9, 3, 2)));
        assertEquals(50, f.maxVmFlowsPercent());
        assertEquals(7, f.newFlowsPerSecond());
        assertEquals(9, f.newFlowBurst());
        assertEquals(3_000_000_000L, f.embryonicTimeoutNs());
        assertEquals(2_000_000_000L, f.dropTimeoutNs());
        assertEquals(100, f.maxSystemLinkLocalFlows());
        assertEquals(10, f.maxVmLinkLocalFlows());
        FlowTableConfig tiny = UserspaceDataplane.flowTable(new AgentConfig.Flows(0.2, 1, 1, 1, AgentConfig.FlowGuards.DEFAULTS));
        assertEquals(1, tiny.maxVmFlowsPercent(), "a fraction of a percent still allows flows");
    }

    @Test
    void nftTableNameShouldBeSafeForAnyVhostName() {
        assertEquals("vrouter_vhost0", UserspaceDataplane.agentName("vhost0"));
        assertEquals("vrouter_vh_1_a", UserspaceDataplane.agentName("vh-1.a"));
    }

    @Test
    void serviceKeysShouldNotCollideAcrossAddressAndPort() {
        assertTrue(Dataplane.serviceKey(0xA9FEA9FE, 80) != Dataplane.serviceKey(0xA9FEA9FE, 81));
        assertTrue(Dataplane.serviceKey(0xFFFFFFFF, 0) != Dataplane.serviceKey(0x7FFFFFFF, 0));
    }
}
