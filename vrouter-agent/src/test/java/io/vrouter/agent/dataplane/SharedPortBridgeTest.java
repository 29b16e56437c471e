package io.vrouter.agent.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.dataplane.host.HostCommand;
import io.vrouter.agent.dataplane.host.LinkLocalFilter;
import io.vrouter.agent.dataplane.host.PortMode;
import io.vrouter.agent.dataplane.host.TcLinkLocalDiversion;
import io.vrouter.agent.dataplane.io.PcapSupport;
import io.vrouter.agent.netns.Guest;
import io.vrouter.agent.netns.NetnsHarness;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Assumptions;

/**
 * Shared port mode (issue 11 item 1) on a real Linux bridge: two guests and a router namespace
 * on one bridge, the agent attached to both guests' taps. The guests reach each other and the
 * router (ICMP and TCP) and each gets its own metadata through the agent; after the agent dies
 * (its threads stopped, its host state left as a SIGKILL leaves it) the other traffic still flows
 * and link-local fails closed. Root only. Names: the harness's unique ones, the bridge
 * {@code at<pid36>b<n>}.
 */
@Timeout(180)
class SharedPortBridgeTest {
    private static final Duration T = Duration.ofSeconds(15);

    @BeforeAll
    static void requirements() {
        NetnsHarness.assumeAvailable();
        Assumptions.assumeTrue(PcapSupport.isAvailable(), "libpcap unavailable");
    }

    /** A router namespace (10.77.0.1/24) and a bridge; guests are enslaved by {@link #plug}. */
    private record Lan(String bridge, String routerNs) {
        void plug(Guest g) {
            HostCommand.runChecked("ip", "link", "set", g.hostIf(), "master", bridge);
        }
    }

    private static Lan lan(NetnsHarness h) {
        String br = "at" + Long.toString(ProcessHandle.current().pid(), 36) + "b" + System.nanoTime() % 1000;
        h.deleteLinkOnClose(br);
        HostCommand.runChecked("ip", "link", "add", br, "type", "bridge");
        HostCommand.run("sysctl", "-q", "-w", "net.ipv6.conf." + br + ".disable_ipv6=1");
        HostCommand.runChecked("ip", "link", "set", br, "up");
        String ns = h.namespace();
        String rIf = NetnsHarness.uniqueIfName("r");
        h.deleteLinkOnClose(rIf);
        HostCommand.runChecked("ip", "link", "add", rIf, "type", "veth", "peer", "name", "eth0", "netns", ns);
        HostCommand.run("sysctl", "-q", "-w", "net.ipv6.conf." + rIf + ".disable_ipv6=1");
        h.execChecked(ns, "ip", "addr", "add", "10.77.0.1/24", "dev", "eth0");
        h.execChecked(ns, "ip", "link", "set", "eth0", "up");
        HostCommand.runChecked("ip", "link", "set", rIf, "master", br, "up");
        return new Lan(br, ns);
    }

    private static boolean ping(NetnsHarness h, String ns, String to) {
        return h.exec(ns, T, "ping", "-c", "2", "-i", "0.2", "-W", "2", to).ok();
    }

    /** A TCP exchange from {@code g} to the router's HTTP server. */
    private static boolean tcpToRouter(Guest g) {
        var r = g.exec(T, "curl", "-s", "-m", "5", "http://10.77.0.1:8080/");
        return r.ok() && r.stdout().contains("Directory listing");
    }

    @Test
    void guestsOnABridgeShouldKeepTheirTrafficAndGetTheirOwnMetadataAndKeepTrafficWhenTheAgentDies() throws Exception {
        try (ComputeNodeFixture node = new ComputeNodeFixture(PortMode.SHARED)) {
            NetnsHarness h = node.harness;
            Lan lan = lan(h);
            ComputeNodeFixture.Vm a = node.addGuest("10.77.0.3");
            ComputeNodeFixture.Vm b = node.addGuest("10.77.0.4");
            // the operator's shaping on a's tap: shared mode must leave the root qdisc alone
            HostCommand.runChecked("tc", "qdisc", "add", "dev", a.guest().hostIf(), "root", "tbf", "rate", "100mbit",
                    "burst", "64kb", "latency", "50ms");
            lan.plug(a.guest());
            lan.plug(b.guest());
            node.awaitAttached();
            Process http = new ProcessBuilder("ip", "netns", "exec", lan.routerNs(), "python3", "-m", "http.server",
                    "--bind", "10.77.0.1", "8080", "--directory", "/").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                for (ComputeNodeFixture.Vm vm : new ComputeNodeFixture.Vm[] {a, b}) {
                    String tc = HostCommand.runChecked("tc", "filter", "show", "dev", vm.guest().hostIf(), "ingress").stdout();
                    assertTrue(tc.contains("pref " + TcLinkLocalDiversion.PREF) && tc.contains(LinkLocalFilter.tcBytecode()), tc);
                    assertEquals(String.format("i-%08x", vm.instance().uuid().hashCode()), RealAgentNode.curlUntil200(vm.guest(), "/latest/meta-data/instance-id"),
                            "each guest gets its own metadata through the agent");
                }
                String qdisc = HostCommand.runChecked("tc", "qdisc", "show", "dev", a.guest().hostIf()).stdout();
                assertTrue(qdisc.contains("qdisc tbf") && qdisc.contains("root"), qdisc);
                assertNodeForwarding(h, a, b, lan);
                // the guests resolved the router to the router, not to the agent
                String neigh = h.execChecked(a.guest().namespace(), "ip", "neigh", "show", "10.77.0.1").stdout();
                assertFalse(neigh.contains("00:00:5e:00:01:00"), neigh);

                ipv6ToMetadataShouldBeDivertedAndOtherIpv6Not(node, h, a, b);

                // "SIGKILL": only this JVM's threads stop; the tc filters stay on the taps
                node.dataplane.dataplane().close();
                node.dataplane.relays().close();
                node.dataplane.nodeLock().close();
                assertNodeForwarding(h, a, b, lan);
                var md = a.guest().exec(T, "curl", "-s", "-m", "3", "http://169.254.169.254/latest/meta-data/instance-id");
                assertNotEquals(0, md.exitCode(), "link-local fails closed while the agent is down: " + md.stdout());
            } finally {
                http.destroyForcibly();
                http.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    private static void assertNodeForwarding(NetnsHarness h, ComputeNodeFixture.Vm a, ComputeNodeFixture.Vm b, Lan lan)
            throws InterruptedException {
        assertTrue(ping(h, a.guest().namespace(), "10.77.0.4"), "guest a -> guest b");
        assertTrue(ping(h, b.guest().namespace(), "10.77.0.3"), "guest b -> guest a");
        assertTrue(ping(h, a.guest().namespace(), "10.77.0.1"), "guest a -> router");
        assertTrue(ping(h, lan.routerNs(), "10.77.0.4"), "router -> guest b");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!tcpToRouter(b.guest()) && System.nanoTime() < deadline) {
            Thread.sleep(200); // the router's server may still be starting
        }
        assertTrue(tcpToRouter(a.guest()) && tcpToRouter(b.guest()), "TCP guest -> router");
    }

    /** IPv6 to fe80::a9fe:a9fe (an NS for it first) reaches the agent; a guest-to-guest ping6 does not, and works. */
    private static void ipv6ToMetadataShouldBeDivertedAndOtherIpv6Not(ComputeNodeFixture node, NetnsHarness h,
            ComputeNodeFixture.Vm a, ComputeNodeFixture.Vm b) throws Exception {
        for (ComputeNodeFixture.Vm vm : new ComputeNodeFixture.Vm[] {a, b}) {
            String ns = vm.guest().namespace();
            h.execChecked(ns, "sysctl", "-q", "-w", "net.ipv6.conf.eth0.accept_dad=0");
            h.execChecked(ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=0");
            h.execChecked(ns, "sysctl", "-q", "-w", "net.ipv6.conf.eth0.disable_ipv6=0");
        }
        String bLinkLocal = linkLocal(h, b.guest().namespace());
        Thread.sleep(500); // router solicitations and MLD reports of the fresh stacks: multicast, not the agent's
        long before = node.dataplane.stats().total("rx_guest");
        assertTrue(h.exec(a.guest().namespace(), T, "ping", "-6", "-c", "2", "-i", "0.2", "-W", "2",
                bLinkLocal + "%eth0").ok(), "ping6 guest a -> guest b over the bridge");
        assertEquals(before, node.dataplane.stats().total("rx_guest"), "guest-to-guest IPv6 is not captured");
        h.exec(a.guest().namespace(), Duration.ofSeconds(5), "ping", "-6", "-c", "1", "-W", "1", "fe80::a9fe:a9fe%eth0");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (node.dataplane.stats().total("rx_guest") == before && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(node.dataplane.stats().total("rx_guest") > before, "the NS for fe80::a9fe:a9fe reached the agent");
    }

    private static String linkLocal(NetnsHarness h, String ns) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            String out = h.execChecked(ns, "ip", "-6", "-o", "addr", "show", "dev", "eth0", "scope", "link").stdout();
            int i = out.indexOf("inet6 ");
            if (i >= 0) {
                return out.substring(i + 6, out.indexOf('/', i));
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no IPv6 link-local address in " + ns);
    }
}
