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

    @Test
    void aForeignFilterAtThePrefShouldBeRefusedAndKeptAndAKilledAgentsReplaced() {
        String vhost = tap("v", 5);
        String foreign = tap("p", 6);
        String inherited = tap("p", 7);
        HostCommand.runChecked("tc", "qdisc", "add", "dev", foreign, "clsact");
        HostCommand.runChecked("tc", "filter", "add", "dev", foreign, "ingress", "pref", Integer.toString(KernelFastPath.PREF),
                "handle", "1", "bpf", "da", "bytecode", "1,6 0 0 4294967295");
        KernelFastPath killed = KernelFastPath.open(vhost, 64, LinkLocalFilter.socketProgram());
        assertEquals(Map.of(), killed.attachPorts(List.of(inherited)));
        // killed: nothing detached; the next agent (same vhost name) finds its filter.
        try (KernelFastPath next = KernelFastPath.open(vhost, 64, LinkLocalFilter.socketProgram())) {
            Map<String, RuntimeException> failed = next.attachPorts(List.of(foreign, inherited));
            assertEquals(List.of(foreign), List.copyOf(failed.keySet()));
            assertTrue(failed.get(foreign).getMessage().contains("not a vrouter agent's"), failed.get(foreign).getMessage());
            assertTrue(filters(foreign, "ingress").contains("4294967295"), "the operator's filter stays");
            assertEquals(0, next.readyIfindex(foreign));
            assertTrue(next.readyIfindex(inherited) > 0);
        }
        assertFalse(filters(inherited, "ingress").contains(KernelFastPath.PROGRAM_NAME));
    }

    @Test
    void detachingShouldRemoveOnlyTheAgentsFilterFromItsPref() {
        String vhost = tap("v", 8);
        String port = tap("p", 9);
        try (KernelFastPath k = KernelFastPath.open(vhost, 64, LinkLocalFilter.socketProgram())) {
            assertEquals(Map.of(), k.attachPorts(List.of(port)));
            // an operator's filter of the same kind at the same pref, beside ours
            HostCommand.runChecked("tc", "filter", "add", "dev", port, "ingress", "pref",
                    Integer.toString(KernelFastPath.PREF), "handle", "2", "bpf", "da", "bytecode", "1,6 0 0 4294967295");
            k.detachPort(port);
            String left = filters(port, "ingress");
            assertFalse(left.contains(KernelFastPath.PROGRAM_NAME), left);
            assertTrue(left.contains("handle 0x2"), "the operator's filter stays: " + left);
        }
    }
}
