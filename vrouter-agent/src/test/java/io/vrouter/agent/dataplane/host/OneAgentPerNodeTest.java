package io.vrouter.agent.dataplane.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.dataplane.UserspaceDataplane;
import io.vrouter.agent.dataplane.io.HostPacketIoFactory;
import io.vrouter.agent.introspect.StatsRegistry;
import io.vrouter.agent.netns.NetnsExtension;
import io.vrouter.agent.netns.NetnsHarness;
import io.vrouter.linklocal.registry.LinkLocalRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One agent per vhost name on a node, and an agent deletes only what it can prove it made
 * (issue 10 item 9). Root only: real veths, nft tables and node locks.
 */
@Timeout(90)
class OneAgentPerNodeTest {
    @RegisterExtension
    static final NetnsExtension NETNS = NetnsExtension.withPcap();

    private static int seq;

    /** A unique vhost name, nft table, address; everything removed after the test. */
    private record Names(String vhost, String table, Inet4Address ip) {
        UserspaceDataplane.HostSettings settings() {
            return new UserspaceDataplane.HostSettings(table, vhost, ip, 32, 0);
        }
    }

    private static Names names() throws Exception {
        NetnsHarness h = NETNS.harness();
        String vhost = NetnsHarness.uniqueIfName("o");
        String table = NetnsHarness.uniqueAgentName();
        h.deleteLinkOnClose(vhost);
        h.deleteLinkOnClose(VhostInterface.agentEndName(vhost));
        h.deleteNftTableOnClose("netdev", table);
        h.onClose(() -> NodeLock.DEFAULT_DIR.resolve(vhost + ".lock").toFile().delete());
        long pid = ProcessHandle.current().pid();
        Inet4Address ip = (Inet4Address) InetAddress.getByName(
                "198.18." + (200 + (int) (pid % 50)) + "." + (1 + (++seq % 250)));
        return new Names(vhost, table, ip);
    }

    private static UserspaceDataplane dataplane(Names n) {
        return new UserspaceDataplane(n.settings(), b -> b, new HostPacketIoFactory(), LinkLocalRegistry.builder().build(),
                new StatsRegistry());
    }

    /**
     * The table's rules, counters left out: the host's own frames (an IPv6 report from the vhost
     * soon after it came up) may hit the drop chain at any time; what no agent may touch are
     * the rules.
     */
    private static String nftTable(String table) {
        return HostCommand.runChecked("nft", "list", "table", "netdev", table).stdout()
                .replaceAll("counter packets \\d+ bytes \\d+", "counter");
    }

    @Test
    void secondAgentWithTheSameVhostShouldBeRefusedWithoutHarmingTheFirst() throws Exception {
        Names n = names();
        try (UserspaceDataplane first = dataplane(n)) {
            first.start();
            String tableBefore = nftTable(n.table());
            long macBefore = VhostInterface.readMac(n.vhost());

            UserspaceDataplane second = dataplane(n);
            IllegalStateException e = assertThrows(IllegalStateException.class, second::start);
            second.close();
            assertTrue(e.getMessage().contains("another vrouter agent") && e.getMessage().contains(n.vhost()),
                    e.getMessage());

            assertTrue(NetnsHarness.linkExists(n.vhost()) && NetnsHarness.linkExists(first.vhost().agentEnd()));
            assertEquals(macBefore, VhostInterface.readMac(n.vhost()), "the same veth, not a re-created one");
            assertEquals(tableBefore, nftTable(n.table()), "the first agent's table and chain untouched");
        }
    }

    @Test
    void secondAgentInAnotherProcessShouldBeRefusedAndItsMarkedLeftoversCleanedAfterItIsKilled() throws Exception {
        Names n = names();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process holder = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                HostStateHolder.class.getName(), n.vhost(), n.table(), n.ip().getHostAddress())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            String line;
            StringBuilder seen = new StringBuilder();
            while ((line = out.readLine()) != null && !line.equals("up")) {
                seen.append(line).append('\n');
            }
            assertEquals("up", line, "the holder did not come up:\n" + seen);
            long macOfLive = VhostInterface.readMac(n.vhost());

            UserspaceDataplane refused = dataplane(n);
            IllegalStateException e = assertThrows(IllegalStateException.class, refused::start);
            refused.close();
            assertTrue(e.getMessage().contains("(pid " + holder.pid() + ")"), e.getMessage());
            assertEquals(macOfLive, VhostInterface.readMac(n.vhost()), "the live agent's veth untouched");

            holder.destroyForcibly(); // SIGKILL: veth and table stay, marked; the kernel drops the lock
            assertTrue(holder.waitFor(20, TimeUnit.SECONDS));
            assertEquals(VhostInterface.MARK, VhostInterface.alias(n.vhost()));
            assertTrue(NftHostIsolation.marked(nftTable(n.table()), n.table()), nftTable(n.table()));

            try (UserspaceDataplane next = dataplane(n)) {
                next.start();
                assertTrue(macOfLive != VhostInterface.readMac(n.vhost()), "the leftover pair was replaced");
                assertEquals(VhostInterface.MARK, VhostInterface.alias(next.vhost().agentEnd()));
                assertEquals(1, nftTable(n.table()).split("hook ingress", -1).length - 1, nftTable(n.table()));
            }
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void foreignVethNamedLikeTheVhostShouldBeLeftAloneWithAClearError() throws Exception {
        Names n = names();
        String peer = n.vhost() + "x";
        NETNS.harness().deleteLinkOnClose(peer);
        HostCommand.runChecked("ip", "link", "add", n.vhost(), "type", "veth", "peer", "name", peer);
        long mac = VhostInterface.readMac(n.vhost());

        UserspaceDataplane dp = dataplane(n);
        NotOursException e = assertThrows(NotOursException.class, dp::start);
        dp.close();
        assertTrue(e.getMessage().contains("veth " + n.vhost() + " exists and was not made by a vrouter agent")
                && e.getMessage().contains("[VIRTUAL-HOST-INTERFACE] name"), e.getMessage());
        assertTrue(NetnsHarness.linkExists(n.vhost()) && NetnsHarness.linkExists(peer), "foreign pair kept");
        assertEquals(mac, VhostInterface.readMac(n.vhost()));
        NodeLock.acquire(n.vhost()).close(); // the refused start released its lock
    }

    @Test
    void foreignNftTableNamedLikeTheAgentsShouldBeLeftAloneWithAClearError() throws Exception {
        Names n = names();
        HostCommand.runChecked("nft", "add", "table", "netdev", n.table());
        HostCommand.runChecked("nft", "add", "chain", "netdev", n.table(), "theirs");

        UserspaceDataplane dp = dataplane(n);
        NotOursException e = assertThrows(NotOursException.class, dp::start, "no fallback to tc either");
        dp.close();
        assertTrue(e.getMessage().contains("nft table netdev " + n.table() + " exists and was not made by a vrouter agent"),
                e.getMessage());
        assertTrue(nftTable(n.table()).contains("chain theirs"), "foreign table kept");
        assertTrue(!NetnsHarness.linkExists(n.vhost()), "nothing created");
    }

    @Test
    void lockFileShouldNameTheHolder() throws Exception {
        Names n = names();
        try (NodeLock lock = NodeLock.acquire(n.vhost())) {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(lock.file()));
        }
    }
}
