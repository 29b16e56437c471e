package io.vrouter.agent.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vrouter.agent.dataplane.host.HostCommand;
import io.vrouter.agent.dataplane.io.HostPacketIoFactory;
import io.vrouter.agent.dataplane.io.PcapSupport;
import io.vrouter.agent.introspect.StatsRegistry;
import io.vrouter.agent.netns.NetnsHarness;
import io.vrouter.linklocal.registry.LinkLocalRegistry;
import java.net.Inet4Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An agent killed with SIGKILL leaves its vhost pair, routing rule and nft table behind; the next
 * start with the same settings must succeed and own a clean host (root only).
 */
@Timeout(60)
class RestartAfterKillTest {
    @Test
    void leftoversOfAKilledDataplaneDoNotBlockTheNextStart() throws Exception {
        NetnsHarness.assumeAvailable();
        assumeTrue(PcapSupport.isAvailable(), "libpcap unavailable");
        try (NetnsHarness harness = NetnsHarness.create()) {
            String vhost = NetnsHarness.uniqueIfName("v");
            String agent = NetnsHarness.uniqueAgentName();
            harness.deleteLinkOnClose(vhost);
            harness.deleteNftTableOnClose("netdev", agent);
            long pid = ProcessHandle.current().pid();
            Inet4Address ip = (Inet4Address) InetAddress.getByName("198.19." + (pid >> 8 & 0xff) + "." + ((pid & 0x3f) | 0x41));
            int table = 7000 + (int) (pid % 5000);
            var settings = new UserspaceDataplane.HostSettings(agent, vhost, ip, 32, table);

            UserspaceDataplane killed = dataplane(settings);
            killed.start();
            // "SIGKILL": nothing is cleaned up on the host. Only this JVM's threads are stopped.
            killed.dataplane().close();
            killed.relays().close();
            killed.nodeLock().close(); // the kernel releases a dead process's lock

            try (UserspaceDataplane next = dataplane(settings)) {
                next.start();
                assertTrue(NetnsHarness.linkExists(next.vhost().agentEnd()));
                String nft = HostCommand.runChecked("nft", "list", "table", "netdev", agent).stdout();
                assertEquals(1, count(nft, "hook ingress"), "one chain (the new vhost's), not the dead one's too: " + nft);
                String rules = HostCommand.runChecked("ip", "rule").stdout();
                assertEquals(1, count(rules, "from " + ip.getHostAddress() + " "), rules);
            }
            assertFalse(NetnsHarness.linkExists(vhost), "stopped cleanly");
            assertFalse(HostCommand.run("nft", "list", "table", "netdev", agent).ok());
            assertFalse(HostCommand.runChecked("ip", "rule").stdout().contains("from " + ip.getHostAddress() + " "));
        }
    }

    private static UserspaceDataplane dataplane(UserspaceDataplane.HostSettings settings) {
        return new UserspaceDataplane(settings, b -> b, new HostPacketIoFactory(), LinkLocalRegistry.builder().build(),
                new StatsRegistry());
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
