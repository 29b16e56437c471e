package io.vrouter.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class FlowTableConfigTest {

    private static void rejects(String fragment, Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertTrue(ex.getMessage().contains(fragment), ex.getMessage());
    }

    @Test
    void defaultsShouldMatchVrouterAndAgentConfExceptThePerVmShares() {
        FlowTableConfig c = FlowTableConfig.defaults();
        assertEquals(512 * 1024, c.capacity());
        assertEquals(5, c.maxVmFlowsPercent(), "Contrail: 100, so one guest could fill the table");
        assertEquals(512 * 1024 * 5 / 100, c.maxVmFlows());
        assertEquals(1024, c.maxVmLinkLocalFlows(), "Contrail: 16384, the node's whole budget");
        assertEquals(16384, c.maxSystemLinkLocalFlows());
        assertEquals(5_000_000_000L, c.embryonicTimeoutNs());
        assertEquals(5_000_000_000L, c.dropTimeoutNs());
        assertEquals(100, c.newFlowsPerSecond());
        assertEquals(200, c.newFlowBurst());
        assertEquals(8192, c.maxHoldFlows());
        assertEquals(3, c.holdQueueLength());
        assertEquals(180_000_000_000L, c.idleTimeoutNs(6));
    }

    @Test
    void shouldRejectInvalidSettingsWithTheirName() {
        FlowTableConfig.Builder b = FlowTableConfig.builder();
        rejects("capacity", () -> b.capacity(1000));
        rejects("capacity", () -> b.capacity(8));
        rejects("capacity", () -> b.capacity(1 << 27));
        rejects("max_vm_flows", () -> b.maxVmFlowsPercent(0));
        rejects("max_vm_flows", () -> b.maxVmFlowsPercent(101));
        rejects("max_vm_linklocal_flows", () -> b.maxVmLinkLocalFlows(-1));
        rejects("max_system_linklocal_flows", () -> b.maxSystemLinkLocalFlows(-1));
        rejects("hold flows", () -> b.maxHoldFlows(0));
        rejects("hold flows", () -> b.maxHoldFlows(70000));
        rejects("hold queue", () -> b.holdQueueLength(65));
        rejects("interfaces", () -> b.maxInterfaces((1 << 24) + 1));
        rejects("idle timeout", () -> b.idleTimeoutNs(0));
        rejects("idle timeout of protocol 17", () -> b.idleTimeoutNs(17, -5));
        rejects("protocol", () -> b.idleTimeoutNs(300, 1_000_000_000L));
        rejects("hold timeout", () -> b.holdTimeoutNs(FlowTableConfig.MAX_TIMEOUT_NS + 1));
        rejects("linger", () -> b.tcpCloseLingerNs(-1));
        rejects("close queue", () -> b.closeQueueLength(100));
        rejects("embryonic flow timeout", () -> b.embryonicTimeoutNs(0));
        rejects("drop flow timeout", () -> b.dropTimeoutNs(FlowTableConfig.MAX_TIMEOUT_NS + 1));
        rejects("new flows per second", () -> b.newFlowsPerSecond(-1));
        rejects("new flows per second", () -> b.newFlowsPerSecond(1_000_001));
        rejects("new flow burst", () -> b.newFlowBurst(0));
    }

    @Test
    void perProtocolTimeoutShouldOverrideOnlyThatProtocol() {
        FlowTableConfig c = FlowTableConfig.builder().idleTimeoutNs(30_000_000_000L).idleTimeoutNs(17, 5_000_000_000L)
                .build();
        assertEquals(5_000_000_000L, c.idleTimeoutNs(17));
        assertEquals(30_000_000_000L, c.idleTimeoutNs(6));
    }

    @Test
    void maxVmFlowsShouldBeThePercentageOfCapacity() {
        assertEquals(1024 * 30 / 100, FlowTableConfig.builder().capacity(1024).maxVmFlowsPercent(30).build().maxVmFlows());
    }
}
