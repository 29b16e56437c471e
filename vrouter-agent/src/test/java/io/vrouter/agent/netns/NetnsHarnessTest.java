package io.vrouter.agent.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.dataplane.host.HostCommand;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class NetnsHarnessTest {
    @BeforeAll
    static void requireNamespaces() {
        NetnsHarness.assumeAvailable();
    }

    @Test
    void shouldCreateGuestWithAddressRouteAndMacAndRemoveEverythingOnClose() {
        String hostIf = NetnsHarness.uniqueIfName("h");
        String ns;
        try (NetnsHarness h = NetnsHarness.create()) {
            Guest g = h.guest(hostIf, "10.0.0.3/24", "10.0.0.1", "02:00:00:00:00:03");
            ns = g.namespace();
            assertTrue(NetnsHarness.linkExists(hostIf));
            String addr = g.exec(Duration.ofSeconds(5), "ip", "-o", "addr", "show", "dev", "eth0").check().stdout();
            assertTrue(addr.contains("10.0.0.3/24"), addr);
            String link = g.exec(Duration.ofSeconds(5), "ip", "-o", "link", "show", "dev", "eth0").check().stdout();
            assertTrue(link.contains("02:00:00:00:00:03"), link);
            String route = g.exec(Duration.ofSeconds(5), "ip", "route").check().stdout();
            assertTrue(route.contains("default via 10.0.0.1 dev eth0"), route);
            String hostAddr = HostCommand.runChecked("ip", "-o", "addr", "show", "dev", hostIf).stdout();
            assertFalse(hostAddr.contains("inet "), "host end must have no IPv4 address: " + hostAddr);
        }
        assertFalse(NetnsHarness.linkExists(hostIf), "host end removed");
        assertFalse(HostCommand.runChecked("ip", "netns", "list").stdout().contains(ns), "namespace removed");
    }

    @Test
    void shouldKillCommandThatOutlivesItsTimeout() {
        try (NetnsHarness h = NetnsHarness.create()) {
            String ns = h.namespace();
            long t0 = System.nanoTime();
            HostCommand.Result r = h.exec(ns, Duration.ofMillis(300), "sleep", "30");
            assertEquals(124, r.exitCode(), r.toString());
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos());
        }
    }

    @Test
    void shouldRunEveryTeardownStepEvenWhenOneFails() {
        String ns;
        NetnsHarness h = NetnsHarness.create();
        ns = h.namespace();
        h.onClose(() -> {
            throw new IllegalStateException("deliberate teardown failure");
        });
        h.close();
        assertFalse(HostCommand.runChecked("ip", "netns", "list").stdout().contains(ns));
    }

    @Test
    void shouldGiveUniqueInterfaceNamesThatFitLinux() {
        String a = NetnsHarness.uniqueIfName("h");
        String b = NetnsHarness.uniqueIfName("h");
        assertFalse(a.equals(b));
        assertTrue(a.length() <= 15 && b.length() <= 15);
    }
}
