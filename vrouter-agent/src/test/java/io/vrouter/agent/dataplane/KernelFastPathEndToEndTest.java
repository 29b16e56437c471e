package io.vrouter.agent.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.dataplane.host.PortMode;
import io.vrouter.flow.FlowFlags;
import io.vrouter.flow.FlowSnapshot;
import io.vrouter.flow.FlowTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The kernel fast path on real namespaces (root only): after the handshake a keep-alive
 * connection's segments are forwarded by the kernel, in both port modes, each guest still gets
 * its own metadata, and with the fast path off the agent carries every frame as before.
 */
@Timeout(120)
class KernelFastPathEndToEndTest {
    private static final int REQUESTS = 30;

    /** {@link #REQUESTS} requests on one keep-alive connection; each line "instance-id status". */
    private static List<String> keepAlive(ComputeNodeFixture.Vm vm) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-m", "10", "-w", " %{http_code}\\n"));
        for (int i = 0; i < REQUESTS; i++) {
            cmd.add("http://169.254.169.254/latest/meta-data/instance-id");
        }
        var r = vm.guest().exec(Duration.ofSeconds(40), cmd.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.toString());
        return r.stdout().lines().toList();
    }

    /**
     * A guest of a shared-mode node reaches 169.254.169.254 on-link (as neutron's and Contrail's
     * host route for it makes it), not through a router this test has none of.
     */
    private static ComputeNodeFixture.Vm guest(ComputeNodeFixture node, PortMode mode, String ip) throws Exception {
        ComputeNodeFixture.Vm vm = node.addGuest(ip);
        if (mode == PortMode.SHARED) {
            var r = vm.guest().exec(Duration.ofSeconds(5), "ip", "route", "add", "169.254.169.254/32", "dev",
                    vm.guest().guestIf());
            assertEquals(0, r.exitCode(), r.toString());
        }
        return vm;
    }

    private static int offloadedFlows(FlowTable<?> t) {
        FlowSnapshot s = new FlowSnapshot();
        int n = 0;
        for (int i = 0; i < t.capacity(); i++) {
            if (t.read(i, s) && (s.flags() & FlowFlags.OFFLOADED) != 0) {
                n++;
            }
        }
        return n;
    }

    @ParameterizedTest
    @EnumSource(PortMode.class)
    void keepAliveRequestsAfterTheHandshakeShouldBeForwardedByTheKernel(PortMode mode) throws Exception {
        try (ComputeNodeFixture node = new ComputeNodeFixture(mode)) {
            ComputeNodeFixture.Vm a = guest(node, mode, "10.76.0.3");
            ComputeNodeFixture.Vm b = guest(node, mode, "10.76.0.3");
            node.awaitAttached();
            long rxBefore = node.dataplane.stats().total("rx_guest");

            List<String> la = keepAlive(a);
            List<String> lb = keepAlive(b);

            assertEquals(REQUESTS, la.size(), la.toString());
            la.forEach(l -> assertEquals(MetadataEndToEndTest.ec2Id(a) + " 200", l));
            lb.forEach(l -> assertEquals(MetadataEndToEndTest.ec2Id(b) + " 200", l));
            DataplaneStats s = node.dataplane.stats();
            assertEquals(2, s.total("fast_path_flows"), "one pair per connection: " + s.totals());
            long rx = s.total("rx_guest") - rxBefore;
            // Through the agent: each guest's SYN and FIN (and ARP); the requests and ACKs not.
            assertTrue(rx < REQUESTS, "guest frames the agent saw for 2 x " + REQUESTS + " requests: " + rx);
            assertTrue(offloadedFlows(node.dataplane.dataplane().flowTable()) >= 2 || s.flows() == 0,
                    "the pairs (until they age) carry OFFLOADED");
            // The FINs went by the kernel and their copies to the flow table: the pairs leave after
            // the close linger (1 s), not the idle timeout (180 s).
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (node.dataplane.stats().flows() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(0, node.dataplane.stats().flows(), "closed pairs aged out after the linger");
        }
    }

    @Test
    void withTheFastPathOffTheAgentShouldCarryEveryFrame() throws Exception {
        try (ComputeNodeFixture node = new ComputeNodeFixture(PortMode.SHARED, false)) {
            ComputeNodeFixture.Vm a = guest(node, PortMode.SHARED, "10.75.0.3");
            node.awaitAttached();
            long rxBefore = node.dataplane.stats().total("rx_guest");
            keepAlive(a).forEach(l -> assertEquals(MetadataEndToEndTest.ec2Id(a) + " 200", l));
            DataplaneStats s = node.dataplane.stats();
            assertEquals(0, s.total("fast_path_flows"));
            assertTrue(s.total("rx_guest") - rxBefore >= REQUESTS, s.totals().toString());
        }
    }
}
