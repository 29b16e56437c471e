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
 * kernel traffic removes it from the map; a port's flows go with the port. Deletions are
 * batched at the cycle's end without ever removing a newer pair with the same key.
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

    /** A vhost and a port tap (veths of their own), the fast path on them and a table of {@code capacity}. */
    private static final class Rig implements AutoCloseable {
        final FlowTable<Object> t;
        final KernelFastPath k;
        final int portIfindex;
        final FastPathFlows flows;

        Rig(int n, int capacity) {
            String vhost = tap("v", n);
            String port = tap("p", n + 1);
            t = new FlowTable<>(FlowTableConfig.builder().capacity(capacity).idleTimeoutNs(10 * SEC).build());
            k = KernelFastPath.open(vhost, 64, LinkLocalFilter.socketProgram());
            try {
                k.attachPorts(List.of(port));
                portIfindex = k.readyIfindex(port);
                flows = new FastPathFlows(k, t, 0);
            } catch (RuntimeException e) {
                k.close();
                throw e;
            }
        }

        int install(long f) {
            return flows.install(f, 7, portIfindex, PORT_MAC, AGENT_MAC, VHOST_MAC);
        }

        @Override
        public void close() {
            k.close();
        }
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
        try (Rig rig = new Rig(1, 64)) {
            FlowTable<Object> t = rig.t;
            KernelFastPath k = rig.k;
            int portIfindex = rig.portIfindex;
            FastPathFlows flows = rig.flows;
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
            assertEquals(2, flows.queued(), "deletions wait for the cycle's end");
            assertTrue(lookup(k, portIfindex, GUEST, SERVICE, 40000, 80) != null);
            flows.flush();
            assertEquals(0, flows.queued());
            assertEquals(null, lookup(k, portIfindex, GUEST, SERVICE, 40000, 80));
            assertEquals(null, lookup(k, k.vhostIfindex(), PROXY, METADATA_IP, 8097, 40000));

            long f2 = natPair(t, 7, 40001);
            flows.install(f2, 7, portIfindex, PORT_MAC, AGENT_MAC, VHOST_MAC);
            assertTrue(lookup(k, portIfindex, GUEST, SERVICE, 40001, 80) != null);
            t.delete(f2); // as the dataplane does for a removed port's flows
            flows.flush();
            assertEquals(null, lookup(k, portIfindex, GUEST, SERVICE, 40001, 80));
            assertEquals(null, lookup(k, k.vhostIfindex(), PROXY, METADATA_IP, 8097, 40001));
        }
    }

    @Test
    void aQueuedDeletionShouldNeverRemoveANewerPairWithTheSameKey() {
        try (Rig rig = new Rig(3, 64)) {
            long f = natPair(rig.t, 7, 40010);
            rig.install(f);
            rig.t.delete(f);
            assertEquals(2, rig.flows.queued());

            long again = natPair(rig.t, 7, 40010); // the guest reuses the port at once
            assertEquals(FastPathFlows.INSTALLED, rig.install(again));
            assertEquals(0, rig.flows.queued(), "the install applied the queued deletions first");
            rig.flows.flush();
            assertTrue(lookup(rig.k, rig.portIfindex, GUEST, SERVICE, 40010, 80) != null, "the newer pair stays");
            assertTrue(lookup(rig.k, rig.k.vhostIfindex(), PROXY, METADATA_IP, 8097, 40010) != null);
        }
    }

    @Test
    void aBatchOfDeletionsShouldGoOnPastAKeyAlreadyGone() {
        try (Rig rig = new Rig(5, 1024)) {
            long[] pairs = new long[3];
            for (int i = 0; i < pairs.length; i++) {
                pairs[i] = natPair(rig.t, 7, 40020 + i);
                assertEquals(FastPathFlows.INSTALLED, rig.install(pairs[i]));
            }
            Memory gone = new Memory(16); // an operator's bpftool removed one direction by hand
            FastPathPrograms.writeKey(gone, rig.portIfindex, GUEST, SERVICE, 40021, 80);
            Memory attr = Bpf.attr();
            Bpf.elementAttr(attr, rig.k.mapFd(), gone, null, 0);
            assertEquals(0, Bpf.call(Bpf.MAP_DELETE_ELEM, attr), () -> "errno " + com.sun.jna.Native.getLastError());

            for (long f : pairs) {
                rig.t.delete(f);
            }
            assertEquals(6, rig.flows.queued());
            rig.flows.flush();
            for (int i = 0; i < pairs.length; i++) {
                assertEquals(null, lookup(rig.k, rig.portIfindex, GUEST, SERVICE, 40020 + i, 80));
                assertEquals(null, lookup(rig.k, rig.k.vhostIfindex(), PROXY, METADATA_IP, 8097, 40020 + i));
            }
        }
    }
}
