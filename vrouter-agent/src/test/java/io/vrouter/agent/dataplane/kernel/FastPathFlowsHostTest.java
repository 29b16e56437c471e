package io.vrouter.agent.dataplane.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import io.vrouter.agent.dataplane.host.LinkLocalFilter;
import io.vrouter.agent.netns.NetnsExtension;
import io.vrouter.agent.netns.NetnsHarness;
import io.vrouter.flow.FlowAction;
import io.vrouter.flow.FlowFlags;
import io.vrouter.flow.FlowKey;
import io.vrouter.flow.FlowTable;
import io.vrouter.flow.FlowTableConfig;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The flow map kept in step with a real flow table (root only): a NAT pair installed at its
 * SYN holds both directions with the rewrite the agent would do; aging a pair with no
 * kernel traffic removes it from the map; a port's flows go with the port.
 */
@Timeout(60)
class FastPathFlowsHostTest {
    @RegisterExtension
    static final NetnsExtension NETNS = NetnsExtension.namespaces();
    private static final int TCP = 6;
    private static final long SEC = 1_000_000_000L;
    private static final int GUEST = 0x0a000003;
    private static final int SERVICE = 0xa9fea9fe;
    private static final int METADATA_IP = 0xa9fe0007;
    private static final int PROXY = 0xc612a9fe;
    private static final long PORT_MAC = 0x02_00_00_00_00_07L;
    private static final long AGENT_MAC = 0x00_00_5e_00_01_00L;
    private static final long VHOST_MAC = 0x02_00_00_00_00_99L;

    private static String tap(String prefix, int n) {
        return NETNS.harness().guest(NetnsHarness.uniqueIfName(prefix), "10.74." + n + ".3/24", "10.74." + n + ".1",
                "02:00:00:00:00:1" + n).hostIf();
    }

    /** The pair a metadata request makes: guest:sport -> 169.254.169.254:80 NAT'd to metadata-ip:sport -> proxy:8097. */
    private static long natPair(FlowTable<Object> t, int nh, int sport) {
        long f = t.addHold(new FlowKey(nh, TCP, GUEST, SERVICE, sport, 80), 0x02, 0);
        t.installReverse(f, new FlowKey(0, TCP, PROXY, METADATA_IP, 8097, sport), FlowAction.NAT, FlowFlags.LINK_LOCAL, 0);
        return f;
    }

    private static Memory lookup(KernelFastPath k, int ifindex, int sip, int dip, int sport, int dport) {
        Memory key = new Memory(16);
        FastPathPrograms.writeKey(key, ifindex, sip, dip, sport, dport);
        Memory value = new Memory(FastPathPrograms.VALUE_SIZE);
        Memory attr = Bpf.attr();
        Bpf.elementAttr(attr, k.mapFd(), key, value, 0);
        return Bpf.call(Bpf.MAP_LOOKUP_ELEM, attr) == 0 ? value : null;
    }

    @Test
    void aPairShouldBeInstalledWithTheAgentsRewriteAndLeaveWithItsFlows() {
        String vhost = tap("v", 1);
        String port = tap("p", 2);
        FlowTable<Object> t = new FlowTable<>(FlowTableConfig.builder().capacity(64).idleTimeoutNs(10 * SEC).build());
        try (KernelFastPath k = KernelFastPath.open(vhost, 64, LinkLocalFilter.socketProgram())) {
            k.attachPorts(List.of(port));
            int portIfindex = k.readyIfindex(port);
            FastPathFlows flows = new FastPathFlows(k, t, 0);
            long f = natPair(t, 7, 40000);
            long r = t.reverse(f);

            assertEquals(FastPathFlows.INSTALLED, flows.install(f, 7, portIfindex, PORT_MAC, AGENT_MAC, VHOST_MAC));
            assertEquals(FastPathFlows.SKIPPED, flows.install(f, 7, portIfindex, PORT_MAC, AGENT_MAC, VHOST_MAC),
                    "a retransmitted SYN: already there");
            Memory fwd = lookup(k, portIfindex, GUEST, SERVICE, 40000, 80);
            assertTrue(fwd != null, "forward direction keyed on the tap");
            assertEquals(Integer.reverseBytes(METADATA_IP), fwd.getInt(0));
            assertEquals(Integer.reverseBytes(PROXY), fwd.getInt(4));
            assertEquals(Short.reverseBytes((short) 8097), fwd.getShort(10));
            assertEquals(k.vhostIfindex(), fwd.getInt(24));
            assertEquals(FastPathPrograms.REDIRECT_INGRESS, fwd.getInt(28));
            assertEquals((byte) 0x99, fwd.getByte(17), "destination MAC: the vhost kernel end's");
            Memory rev = lookup(k, k.vhostIfindex(), PROXY, METADATA_IP, 8097, 40000);
            assertTrue(rev != null, "reverse direction keyed on the vhost");
            assertEquals(Integer.reverseBytes(SERVICE), rev.getInt(0));
            assertEquals(Integer.reverseBytes(GUEST), rev.getInt(4));
            assertEquals(Short.reverseBytes((short) 80), rev.getShort(8));
            assertEquals(portIfindex, rev.getInt(24));
            assertEquals(0, rev.getInt(28), "to the guest: out of the tap");
            assertEquals((byte) 0x07, rev.getByte(17), "destination MAC: the guest's");

            assertEquals(2, t.age(11 * SEC, Integer.MAX_VALUE), "no kernel traffic: idle");
            assertEquals(null, lookup(k, portIfindex, GUEST, SERVICE, 40000, 80));
            assertEquals(null, lookup(k, k.vhostIfindex(), PROXY, METADATA_IP, 8097, 40000));

            long f2 = natPair(t, 7, 40001);
            flows.install(f2, 7, portIfindex, PORT_MAC, AGENT_MAC, VHOST_MAC);
            assertTrue(lookup(k, portIfindex, GUEST, SERVICE, 40001, 80) != null);
            t.delete(f2); // as the dataplane does for a removed port's flows
            assertEquals(null, lookup(k, portIfindex, GUEST, SERVICE, 40001, 80));
            assertEquals(null, lookup(k, k.vhostIfindex(), PROXY, METADATA_IP, 8097, 40001));
        }
    }
}
