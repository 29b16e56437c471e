package io.vrouter.agent.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.dataplane.host.HostCommand;
import io.vrouter.agent.netns.Guest;
import io.vrouter.agent.netns.NetnsHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HostInterfaceChecker}: which interfaces may be a guest's port. The sysfs rules are
 * checked on a directory laid out as {@code /sys/class/net}; the address rule and the real
 * loopback on this host's interfaces, with veths the test creates (root only).
 */
@Timeout(60)
class HostInterfaceCheckerTest {

    @Test
    void sysfsRulesShouldRefuseLoopbackPhysicalNicsAndTheAgentsOwnButNotATap(@TempDir Path classNet) throws Exception {
        Files.createDirectories(classNet.resolve("lo0"));
        Files.writeString(classNet.resolve("lo0/type"), "772\n");
        Files.createDirectories(classNet.resolve("eno9/device"));
        Files.writeString(classNet.resolve("eno9/type"), "1\n");
        Files.createDirectories(classNet.resolve("vhostx"));
        Files.createDirectories(classNet.resolve("tapnotreal9"));
        Files.writeString(classNet.resolve("tapnotreal9/type"), "1\n");
        HostInterfaceChecker c = new HostInterfaceChecker(classNet, Set.of("vhostx"));

        assertTrue(c.refusal("lo0").reason().contains("loopback"));
        assertTrue(c.refusal("eno9").reason().contains("physical NIC"));
        assertTrue(c.refusal("vhostx").reason().contains("this agent's own"));
        assertFalse(c.refusal("vhostx").missing());
        assertNull(c.refusal("tapnotreal9"), "a tap with no address is a guest's");
        assertTrue(c.refusal("tapnone").missing());
    }

    @Test
    void onThisHostLoopbackAndAnInterfaceCarryingAGlobalAddressShouldBeRefused() throws Exception {
        NetnsHarness.assumeAvailable();
        try (NetnsHarness h = NetnsHarness.create()) {
            Guest plain = h.guest(NetnsHarness.uniqueIfName("a"), "10.77.0.2/24", "10.77.0.1", "02:00:00:77:00:02");
            Guest addressed = h.guest(NetnsHarness.uniqueIfName("b"), "10.77.1.2/24", "10.77.1.1", "02:00:00:77:01:02");
            long pid = ProcessHandle.current().pid();
            String global = "192.0.2." + (1 + pid % 250); // TEST-NET-1, on a veth this test owns
            HostCommand.runChecked("ip", "addr", "add", global + "/32", "dev", addressed.hostIf());
            InterfaceChecker c = InterfaceChecker.host(Set.of(NetnsHarness.uniqueIfName("v")));

            assertNull(c.refusal(plain.hostIf()), "a guest's veth end without addresses");
            assertTrue(c.refusal("lo").reason().contains("loopback"), c.refusal("lo").reason());
            InterfaceChecker.Refusal r = c.refusal(addressed.hostIf());
            assertFalse(r.missing());
            assertTrue(r.reason().contains(global + "/32"), r.reason());
            assertTrue(InterfaceChecker.host(Set.of(plain.hostIf())).refusal(plain.hostIf()).reason()
                    .contains("this agent's own"));
        }
    }

    @Test
    void anIpv6LinkLocalAddressAloneShouldNotMakeAnInterfaceTheHosts() throws Exception {
        NetnsHarness.assumeAvailable();
        try (NetnsHarness h = NetnsHarness.create()) {
            Guest g = h.guest(NetnsHarness.uniqueIfName("c"), "10.77.2.2/24", "10.77.2.1", "02:00:00:77:02:02");
            HostCommand.runChecked("sysctl", "-q", "-w", "net.ipv6.conf." + g.hostIf() + ".disable_ipv6=0");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!HostCommand.run("ip", "-6", "addr", "show", "dev", g.hostIf()).stdout().contains("fe80::")
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(HostCommand.run("ip", "-6", "addr", "show", "dev", g.hostIf()).stdout().contains("fe80::"));

            assertNull(InterfaceChecker.host(Set.of()).refusal(g.hostIf()));
        }
    }

    @Test
    void theDefaultCheckShouldOnlyAskForExistence() {
        InterfaceChecker exists = name -> name.equals("tap1");
        assertNull(exists.refusal("tap1"));
        assertEquals(true, exists.refusal("tap2").missing());
    }
}
