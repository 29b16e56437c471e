package io.vrouter.agent.dataplane.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.dataplane.host.HostCommand;
import io.vrouter.agent.dataplane.host.LinkLocalFilter;
import io.vrouter.agent.netns.NetnsExtension;
import io.vrouter.agent.netns.NetnsHarness;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fast path's programs pass the kernel's verifier and its filters come and go with it. Root only. */
@Timeout(60)
class KernelFastPathHostTest {
    @RegisterExtension
    static final NetnsExtension NETNS = NetnsExtension.namespaces();

    private static String tap(String prefix, int n) {
        return NETNS.harness().guest(NetnsHarness.uniqueIfName(prefix), "10.78." + n + ".3/24", "10.78." + n + ".1",
                "02:00:00:00:00:0" + n).hostIf();
    }

    private static String filters(String ifName, String hook) {
        return HostCommand.runChecked("tc", "filter", "show", "dev", ifName, hook).stdout();
    }

    @Test
    void programsShouldLoadAndFiltersShouldLeaveNothingBehind() {
        String vhost = tap("v", 1);
        String port = tap("p", 2);
        KernelFastPath k = KernelFastPath.open(vhost, 64, LinkLocalFilter.socketProgram());
        try {
            assertTrue(filters(vhost, "egress").contains("pref " + KernelFastPath.PREF), filters(vhost, "egress"));
            assertEquals(Map.of(), k.attachPorts(List.of(port)));
            assertTrue(filters(port, "ingress").contains("pref " + KernelFastPath.PREF), filters(port, "ingress"));
            assertEquals(KernelFastPath.ifindex(port), k.readyIfindex(port));
            assertTrue(k.socketFilterFd(true) > 0 && k.socketFilterFd(false) > 0);
            k.detachPort(port);
            assertEquals(0, k.readyIfindex(port));
            assertFalse(filters(port, "ingress").contains("pref " + KernelFastPath.PREF), filters(port, "ingress"));
            assertFalse(HostCommand.runChecked("tc", "qdisc", "show", "dev", port).stdout().contains("clsact"),
                    "the clsact it added goes with it");
            assertEquals(Map.of(), k.attachPorts(List.of(port)));
        } finally {
            k.close();
        }
        assertFalse(filters(vhost, "egress").contains("pref " + KernelFastPath.PREF));
        assertFalse(filters(port, "ingress").contains("pref " + KernelFastPath.PREF));
        assertFalse(Files.exists(KernelFastPath.BPF_FS.resolve("vrouter-" + vhost)));
    }

    @Test
    void aMissingPortShouldBeReportedAndOthersAttached() {
        String vhost = tap("v", 3);
        String port = tap("p", 4);
        try (KernelFastPath k = KernelFastPath.open(vhost, 64, LinkLocalFilter.socketProgram())) {
            Map<String, RuntimeException> failed = k.attachPorts(List.of("nosuchtap0", port));
            assertEquals(List.of("nosuchtap0"), List.copyOf(failed.keySet()));
            assertTrue(k.readyIfindex(port) > 0);
        }
    }
}
