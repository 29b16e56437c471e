package io.vrouter.agent.dataplane.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.netns.Guest;
import io.vrouter.agent.netns.NetnsExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared-mode tc filter on a real tap: installed, replaced after a kill, removed alone. Root only. */
@Timeout(60)
class TcLinkLocalDiversionHostTest {
    @RegisterExtension
    static final NetnsExtension NETNS = NetnsExtension.namespaces();

    private static final String PASS_ALL = "1,6 0 0 4294967295";

    private static Guest guest() {
        return NETNS.harness().guest(io.vrouter.agent.netns.NetnsHarness.uniqueIfName("t"), "10.79.0.3/24", "10.79.0.1",
                "02:00:00:00:00:03");
    }

    private static String ingress(String ifName) {
        return HostCommand.runChecked("tc", "filter", "show", "dev", ifName, "ingress").stdout();
    }

    private static int ours(String listing) {
        return listing.split("bytecode '" + LinkLocalFilter.tcBytecode() + "'", -1).length - 1;
    }

    @Test
    void stopShouldRemoveOnlyTheAgentsFilterAndARestartShouldReplaceAKilledAgentsOne() {
        String tap = guest().hostIf();
        HostCommand.runChecked("tc", "qdisc", "add", "dev", tap, "root", "tbf", "rate", "10mbit", "burst", "32kb",
                "latency", "50ms");
        HostCommand.runChecked("tc", "qdisc", "add", "dev", tap, "clsact");
        HostCommand.runChecked("tc", "filter", "add", "dev", tap, "ingress", "pref", "300", "bpf", "da", "bytecode", PASS_ALL);

        TcLinkLocalDiversion killed = new TcLinkLocalDiversion();
        killed.isolate(tap);
        assertEquals(1, ours(ingress(tap)), ingress(tap));
        // killed: nothing released. The next agent finds the filter and replaces it.
        try (TcLinkLocalDiversion next = new TcLinkLocalDiversion()) {
            next.isolate(tap);
            assertEquals(1, ours(ingress(tap)), ingress(tap));
        }
        String left = ingress(tap);
        assertEquals(0, ours(left), left);
        assertTrue(left.contains("pref 300") && left.contains(PASS_ALL), "the operator's filter stays: " + left);
        String qdisc = HostCommand.runChecked("tc", "qdisc", "show", "dev", tap).stdout();
        assertTrue(qdisc.contains("qdisc tbf") && qdisc.contains("qdisc clsact"), "qdiscs not the agent's stay: " + qdisc);
    }

    @Test
    void clsactTheAgentAddedShouldGoWithItsFilter() {
        String tap = guest().hostIf();
        try (TcLinkLocalDiversion d = new TcLinkLocalDiversion()) {
            d.isolate(tap);
            assertTrue(HostCommand.runChecked("tc", "qdisc", "show", "dev", tap).stdout().contains("qdisc clsact"));
        }
        assertFalse(HostCommand.runChecked("tc", "qdisc", "show", "dev", tap).stdout().contains("qdisc clsact"));
    }

    @Test
    void foreignFilterAtTheAgentsPrefShouldBeRefusedAndKept() {
        String tap = guest().hostIf();
        HostCommand.runChecked("tc", "qdisc", "add", "dev", tap, "clsact");
        HostCommand.runChecked("tc", "filter", "add", "dev", tap, "ingress", "pref", Integer.toString(TcLinkLocalDiversion.PREF),
                "handle", "1", "bpf", "da", "bytecode", PASS_ALL);
        try (TcLinkLocalDiversion d = new TcLinkLocalDiversion()) {
            NotOursException e = assertThrows(NotOursException.class, () -> d.isolate(tap));
            assertTrue(e.getMessage().contains("was not made by a vrouter agent"), e.getMessage());
        }
        assertTrue(ingress(tap).contains(PASS_ALL), ingress(tap));
    }

    @Test
    void isolateAllShouldDivertNewTapsWithTwoForksAndTakeATapWithAHookOnItsOwn() {
        String[][] fresh = io.vrouter.agent.dataplane.io.NodeScaleVeths.create(NETNS.harness(), "sk", 3);
        String hooked = guest().hostIf();
        HostCommand.runChecked("tc", "qdisc", "add", "dev", hooked, "clsact");
        HostCommand.runChecked("tc", "filter", "add", "dev", hooked, "ingress", "pref", "300", "bpf", "da", "bytecode", PASS_ALL);
        String gone = io.vrouter.agent.netns.NetnsHarness.uniqueIfName("skx");
        try (TcLinkLocalDiversion d = new TcLinkLocalDiversion()) {
            long before = HostCommand.startedOnThisThread();
            assertTrue(d.isolateAll(java.util.List.of(fresh[0][0], fresh[1][0], fresh[2][0])).isEmpty());
            assertEquals(2, HostCommand.startedOnThisThread() - before, "one batch to look, one to add, for three taps");
            for (String[] p : fresh) {
                assertEquals(1, ours(ingress(p[0])), ingress(p[0]));
            }
            var failed = d.isolateAll(java.util.List.of(hooked, gone, fresh[0][0]));
            assertEquals(java.util.Set.of(gone), failed.keySet());
            assertTrue(failed.get(gone) instanceof HostCommand.HostCommandException, failed.toString());
            assertEquals(1, ours(ingress(hooked)), ingress(hooked));
            assertEquals(java.util.Set.of(fresh[0][0], fresh[1][0], fresh[2][0], hooked), d.isolated());
        }
        for (String[] p : fresh) {
            assertFalse(HostCommand.runChecked("tc", "qdisc", "show", "dev", p[0]).stdout().contains("clsact"),
                    "the clsact the agent added goes with its filter: " + p[0]);
        }
        assertTrue(ingress(hooked).contains(PASS_ALL) && ours(ingress(hooked)) == 0, ingress(hooked));
    }
}
