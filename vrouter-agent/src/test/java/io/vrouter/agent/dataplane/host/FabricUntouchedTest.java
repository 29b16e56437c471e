package io.vrouter.agent.dataplane.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.config.AgentConfig;
import io.vrouter.agent.netns.NetnsExtension;
import io.vrouter.agent.netns.NetnsHarness;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 11 item 2: the agent never touches the host's fabric networking. A namespace plays the
 * host, its "NIC" (a veth to a peer namespace) carrying 10.0.0.5/24, the address agent.conf gives
 * as {@code [VIRTUAL-HOST-INTERFACE] ip}; the agent's host set-up runs inside it (its own process,
 * as the agent). Its vhost must get the internal address only, the host's routes must gain only
 * 169.254.0.0/16, and after the NIC goes down and up the host still has its fabric subnet and
 * reaches its peer. Root only.
 */
@Timeout(90)
class FabricUntouchedTest {
    @RegisterExtension
    static final NetnsExtension NETNS = NetnsExtension.withPcap();

    private static final Duration T = Duration.ofSeconds(10);

    @Test
    void nicFlapShouldLeaveTheHostsFabricRoutesAndReachabilityAsTheyWere() throws Exception {
        NetnsHarness h = NETNS.harness();
        String host = h.namespace();
        String peer = h.namespace();
        String nic = NetnsHarness.uniqueIfName("n");
        String peerEnd = NetnsHarness.uniqueIfName("p");
        h.deleteLinkOnClose(nic);
        h.deleteLinkOnClose(peerEnd);
        HostCommand.runChecked("ip", "link", "add", nic, "type", "veth", "peer", "name", peerEnd);
        HostCommand.runChecked("ip", "link", "set", nic, "netns", host);
        HostCommand.runChecked("ip", "link", "set", peerEnd, "netns", peer);
        h.execChecked(host, "ip", "addr", "add", "10.0.0.5/24", "dev", nic);
        h.execChecked(host, "ip", "link", "set", nic, "up");
        h.execChecked(peer, "ip", "addr", "add", "10.0.0.9/24", "dev", peerEnd);
        h.execChecked(peer, "ip", "link", "set", peerEnd, "up");
        h.execChecked(peer, "ip", "route", "add", "default", "via", "10.0.0.5");
        assertTrue(pingPeer(h, host), "the fabric works before the agent");
        List<String> before = routes(h, host);

        String vhost = NetnsHarness.uniqueIfName("v");
        h.onClose(() -> NodeLock.DEFAULT_DIR.resolve(vhost + ".lock").toFile().delete());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process agent = new ProcessBuilder("ip", "netns", "exec", host, java, "-Xmx96m", "-cp",
                System.getProperty("java.class.path"), FabricHostAgent.class.getName(), vhost, "10.0.0.5/24", "10.0.0.1", nic)
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = out.readLine()) != null && !line.equals("up")) {
                seen.append(line).append('\n');
            }
            assertEquals("up", line, "the agent's host set-up did not come up:\n" + seen);

            String vhostAddrs = h.execChecked(host, "ip", "-o", "-4", "addr", "show", "dev", vhost).stdout();
            assertTrue(vhostAddrs.contains(" " + AgentConfig.Dataplane.DEFAULT_INTERNAL_ADDRESS + "/32 "), vhostAddrs);
            assertFalse(vhostAddrs.contains("10.0.0.5"), "the fabric address is the NIC's alone: " + vhostAddrs);
            List<String> withAgent = routes(h, host);
            assertEquals(before, withAgent.stream().filter(r -> !r.startsWith("169.254.0.0/16 ")).toList(),
                    "the agent added only its link-local route: " + withAgent);
            assertTrue(withAgent.stream().anyMatch(r -> r.startsWith("169.254.0.0/16 dev " + vhost + " ")), withAgent.toString());

            h.execChecked(host, "ip", "link", "set", nic, "down");
            assertFalse(routes(h, host).stream().anyMatch(r -> r.startsWith("10.0.0.0/24 ")),
                    "nothing of the agent's stands in for the NIC's subnet while it is down: " + routes(h, host));
            h.execChecked(host, "ip", "link", "set", nic, "up");
            assertTrue(pingPeer(h, host), "the fabric works after the flap");
            assertEquals(withAgent, routes(h, host), "the same routes after the flap");
            assertEquals(1, routes(h, host).stream().filter(r -> r.startsWith("10.0.0.0/24 dev " + nic + " ")).count());
        } finally {
            agent.destroyForcibly();
            agent.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** The main table, one route per line, sorted (the kernel's order may differ after a flap). */
    private static List<String> routes(NetnsHarness h, String ns) {
        String[] lines = h.execChecked(ns, "ip", "-4", "route", "show", "table", "main").stdout().strip().split("\n");
        return Arrays.stream(lines).map(String::strip).filter(s -> !s.isEmpty()).sorted().toList();
    }

    /** The link may need a moment after coming up: a few attempts. */
    private static boolean pingPeer(NetnsHarness h, String ns) {
        for (int i = 0; i < 5; i++) {
            if (h.exec(ns, T, "ping", "-c", "1", "-W", "1", "10.0.0.9").ok()) {
                return true;
            }
        }
        return false;
    }
}
