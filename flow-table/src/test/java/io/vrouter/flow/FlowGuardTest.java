package io.vrouter.flow;

import static io.vrouter.flow.FlowAgingTest.ACK;
import static io.vrouter.flow.FlowAgingTest.FIN;
import static io.vrouter.flow.FlowAgingTest.RST;
import static io.vrouter.flow.FlowAgingTest.SEC;
import static io.vrouter.flow.FlowAgingTest.TCP;
import static io.vrouter.flow.FlowAgingTest.UDP;
import static io.vrouter.flow.FlowAgingTest.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.drop.DropReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A flooding guest hurts only itself: only connection starts create flows, each interface has a
 * new-flow rate, flows that never completed and drop flows go in seconds, and the default shares
 * leave room for every other guest.
 */
class FlowGuardTest {
    static final long MS = 1_000_000L;
    static final int SYN = TestPairs.SYN;
    static final int PSH = 0x08;
    static final int URG = 0x20;
    static final int ECE = 0x40;
    static final int CWR = 0x80;
    static final int METADATA = 0xA9FE_A9FE;
    static final int VHOST = 0x0A0A_0A01;

    final FlowKey fwd = new FlowKey();
    final FlowKey rev = new FlowKey();

    /** A metadata NAT pair of guest interface {@code nh} from source port {@code sport}, as the agent installs it. */
    long metadataPair(FlowTable<Object> t, int nh, int proto, int sport, long nowNs) {
        long f = t.addHold(fwd.set(nh, proto, 0x0A00_0003, METADATA, sport, 80), SYN, nowNs);
        if (!FlowResult.isHandle(f)) {
            return f;
        }
        long r = t.installReverse(f, rev.set(0, proto, VHOST, 0xA9FE_0000 + nh, 8097, sport), FlowAction.NAT,
                FlowFlags.LINK_LOCAL, nowNs);
        return FlowResult.isHandle(r) ? f : r;
    }

    // ------------------------------------------------------------------ which packets create a flow

    @ParameterizedTest(name = "TCP flags 0x{0} create nothing")
    @ValueSource(ints = {SYN | FIN, FIN | PSH | URG, 0xFF, SYN | ACK | RST | FIN | PSH | URG, 0, RST, ACK, RST | ACK,
        SYN | ACK, FIN | ACK, SYN | RST, PSH | ACK})
    void tcpPacketThatCannotStartAConnectionShouldCreateNothingAndBeCounted(int flags) {
        FlowTable<Object> t = table(FlowTableConfig.builder().capacity(64).maxVmFlowsPercent(100));
        long h = t.addHold(3, TCP, 1, 2, 1000, 80, flags, 0);
        assertEquals(DropReason.TCP_NOT_SYN, FlowResult.dropReason(h));
        assertEquals(0, t.size());
        assertEquals(0, t.interfaceFlowCount(3));
        assertEquals(1, t.dropCount(DropReason.TCP_NOT_SYN));
    }

    @ParameterizedTest(name = "TCP flags 0x{0} start a flow")
    @ValueSource(ints = {SYN, SYN | ECE | CWR, SYN | PSH})
    void synWithoutAckFinOrRstShouldCreateAFlow(int flags) {
        FlowTable<Object> t = table(FlowTableConfig.builder().capacity(64).maxVmFlowsPercent(100));
        assertTrue(FlowResult.isHandle(t.addHold(3, TCP, 1, 2, 1000, 80, flags, 0)));
        assertEquals(0, t.dropCount(DropReason.TCP_NOT_SYN));
    }

    @Test
    void udpFlowShouldStartWithAnyDatagram() {
        FlowTable<Object> t = table(FlowTableConfig.builder().capacity(64).maxVmFlowsPercent(100));
        assertTrue(FlowResult.isHandle(t.addHold(3, UDP, 1, 2, 1000, 53, 0, 0)));
    }

    @Test
    void lateFinOrAckAfterAClosedPairWasFreedShouldNotCreateANewPair() {
        FlowTable<Object> t = table(FlowTableConfig.builder().capacity(64).maxVmFlowsPercent(100).tcpCloseLingerNs(SEC));
        long f = metadataPair(t, 3, TCP, 40000, 0);
        t.account(f, 60, SYN, 0);
        t.account(t.reverse(f), 60, SYN | ACK, 0);
        t.account(f, 60, ACK, 0);
        t.account(f, 60, RST, 2 * SEC);
        assertEquals(2, t.age(3 * SEC + 10 * MS, 1), "freed at RST after the linger, from the close queue");
        assertEquals(FlowResult.NO_FLOW, t.lookup(fwd));
        assertEquals(DropReason.TCP_NOT_SYN, FlowResult.dropReason(t.addHold(fwd, FIN | ACK, 4 * SEC)));
        assertEquals(DropReason.TCP_NOT_SYN, FlowResult.dropReason(t.addHold(fwd, ACK, 4 * SEC)));
        assertEquals(0, t.size());
    }

    // ------------------------------------------------------------------ new-flow rate

    @Test
    void newFlowRateShouldAllowABurstThenOneFlowPerInterval() {
        FlowTable<Object> t = table(FlowTableConfig.builder().capacity(64).maxVmFlowsPercent(100).newFlowsPerSecond(10).newFlowBurst(3));
        long now = -5 * SEC; // System.nanoTime() may be negative
        for (int i = 0; i < 3; i++) {
            assertTrue(FlowResult.isHandle(t.addHold(3, UDP, 1, 2, i, 53, 0, now)), "burst flow " + i);
        }
        assertEquals(DropReason.NEW_FLOW_RATE_LIMIT, FlowResult.dropReason(t.addHold(3, UDP, 1, 2, 10, 53, 0, now)));
        assertEquals(DropReason.NEW_FLOW_RATE_LIMIT,
                FlowResult.dropReason(t.addHold(3, UDP, 1, 2, 11, 53, 0, now + 99 * MS)));
        assertTrue(FlowResult.isHandle(t.addHold(3, UDP, 1, 2, 12, 53, 0, now + 100 * MS)), "one token per 100 ms");
        assertEquals(DropReason.NEW_FLOW_RATE_LIMIT,
                FlowResult.dropReason(t.addHold(3, UDP, 1, 2, 13, 53, 0, now + 100 * MS)));
        assertEquals(3, t.dropCount(DropReason.NEW_FLOW_RATE_LIMIT));
        assertEquals(4, t.size(), "refused flows created nothing");
        assertTrue(FlowResult.isHandle(t.addHold(4, UDP, 1, 2, 10, 53, 0, now)), "another interface has its own bucket");
    }

    @Test
    void newFlowBucketShouldRefillToItsBurstAfterAQuietPeriodAndNoFurther() {
        FlowTable<Object> t = table(FlowTableConfig.builder().capacity(64).maxVmFlowsPercent(100).newFlowsPerSecond(10).newFlowBurst(2));
        assertTrue(FlowResult.isHandle(t.addHold(3, UDP, 1, 2, 1, 53, 0, 0)));
        assertTrue(FlowResult.isHandle(t.addHold(3, UDP, 1, 2, 2, 53, 0, 0)));
        long later = 3600 * SEC;
        assertTrue(FlowResult.isHandle(t.addHold(3, UDP, 1, 2, 3, 53, 0, later)));
        assertTrue(FlowResult.isHandle(t.addHold(3, UDP, 1, 2, 4, 53, 0, later)));
        assertEquals(DropReason.NEW_FLOW_RATE_LIMIT, FlowResult.dropReason(t.addHold(3, UDP, 1, 2, 5, 53, 0, later)));
    }

    @Test
    void zeroNewFlowsPerSecondShouldTurnTheRateLimitOff() {
        FlowTable<Object> t = table(FlowTableConfig.builder().capacity(1024).maxVmFlowsPercent(100).newFlowsPerSecond(0));
        for (int i = 0; i < 1000; i++) {
            assertTrue(FlowResult.isHandle(t.addHold(3, UDP, 1, 2, i, 53, 0, 0)));
        }
    }

    // ------------------------------------------------------------------ lifetimes

    @Test
    void synOnlyPairShouldExpireAfterTheEmbryonicTimeoutNotTheIdleTimeout() {
        FlowTable<Object> t = table(FlowTableConfig.builder().capacity(64).maxVmFlowsPercent(100).embryonicTimeoutNs(5 * SEC));
        long synOnly = metadataPair(t, 3, TCP, 40000, 0);
        t.account(synOnly, 60, SYN, 0);
        t.account(t.reverse(synOnly), 60, SYN | ACK, 0); // the proxy answers; the guest never ACKs
        long done = metadataPair(t, 3, TCP, 40001, 0);
        t.account(done, 60, SYN, 0);
        t.account(t.reverse(done), 60, SYN | ACK, 0);
        t.account(done, 60, ACK, 0);
        assertEquals(0, t.age(4 * SEC, Integer.MAX_VALUE));
        assertEquals(2, t.age(5 * SEC + 10 * MS, Integer.MAX_VALUE));
        assertFalse(t.isLive(synOnly));
        assertTrue(t.isLive(done), "a completed handshake keeps the idle timeout");
        assertEquals(1, t.interfaceLinkLocalCount(3));
    }

    @Test
    void pairWhoseServiceNeverAnsweredTheSynShouldExpireAfterTheEmbryonicTimeout() {
        FlowTable<Object> t = table(FlowTableConfig.builder().capacity(64).maxVmFlowsPercent(100).embryonicTimeoutNs(5 * SEC));
        long f = metadataPair(t, 3, TCP, 40000, 0);
        t.account(f, 60, SYN, 0);
        t.account(f, 60, SYN, 3 * SEC); // retransmission refreshes it
        assertEquals(0, t.age(7 * SEC, Integer.MAX_VALUE));
        assertEquals(2, t.age(8 * SEC + 10 * MS, Integer.MAX_VALUE));
    }

    @Test
    void udpPairShouldKeepTheIdleTimeoutOnlyOnceTheServiceReplied() {
        FlowTable<Object> t = table(FlowTableConfig.builder().capacity(64).maxVmFlowsPercent(100).embryonicTimeoutNs(5 * SEC));
        long unanswered = metadataPair(t, 3, UDP, 5000, 0);
        t.account(unanswered, 60, 0, 0);
        long answered = metadataPair(t, 3, UDP, 5001, 0);
        t.account(answered, 60, 0, 0);
        t.account(t.reverse(answered), 60, 0, 0);
        assertEquals(2, t.age(6 * SEC, Integer.MAX_VALUE));
        assertFalse(t.isLive(unanswered));
        assertTrue(t.isLive(answered));
    }

    @Test
    void dropFlowShouldExpireAfterTheDropTimeoutWhileRetriesStillHitIt() {
        FlowTable<Object> t = table(FlowTableConfig.builder().capacity(64).maxVmFlowsPercent(100).dropTimeoutNs(5 * SEC));
        long f = t.addHold(3, UDP, 1, 2, 1000, 53, 0, 0);
        assertTrue(t.setDrop(f, DropReason.NO_SERVICE));
        assertEquals(FlowAction.DROP, t.account(f, 60, 0, 4 * SEC));
        assertEquals(0, t.age(8 * SEC, Integer.MAX_VALUE), "idle for 4 s only");
        assertEquals(1, t.age(9 * SEC + 10 * MS, Integer.MAX_VALUE));
        assertEquals(0, t.size());
        assertEquals(1, t.dropCount(DropReason.NO_SERVICE));
    }

    @Test
    void shortTimeoutsShouldNeverExceedTheIdleTimeout() {
        FlowTable<Object> t = table(FlowTableConfig.builder().capacity(64).maxVmFlowsPercent(100).idleTimeoutNs(2 * SEC)
                .embryonicTimeoutNs(60 * SEC).dropTimeoutNs(60 * SEC));
        metadataPair(t, 3, TCP, 40000, 0);
        t.setDrop(t.addHold(3, UDP, 1, 2, 1000, 53, 0, 0), DropReason.NO_SERVICE);
        assertEquals(3, t.age(2 * SEC + 10 * MS, Integer.MAX_VALUE));
    }

    // ------------------------------------------------------------------ defaults, end to end

    @Test
    void defaultPerVmSharesShouldBeWellBelowTheNodeLimits() {
        FlowTableConfig c = FlowTableConfig.defaults();
        assertTrue(c.maxVmLinkLocalFlows() * 8 <= c.maxSystemLinkLocalFlows(), "link-local pairs per VM");
        assertTrue(c.maxVmFlows() * 8 <= c.capacity(), "entries per VM");
        assertTrue(c.embryonicTimeoutNs() <= 10 * SEC && c.dropTimeoutNs() <= 10 * SEC, "seconds, not 180 s");
        assertTrue(c.newFlowsPerSecond() > 0);
    }

    /**
     * The attack of the issue on a table with the default guards: interface 3 sends SYNs from
     * distinct ports at 2000/s for 30 s and never completes a handshake (and sends a UDP datagram
     * to a new port with each); every 10 ms the agent ages, and interface 4 opens a metadata
     * connection, which must always succeed. The flooder stays within its own share.
     */
    @Test
    void synAndUdpFloodFromOneGuestShouldNeverTakeAnotherGuestsMetadataFlow() {
        FlowTable<Object> t = table(FlowTableConfig.builder().capacity(64 * 1024).maxSystemLinkLocalFlows(2048));
        FlowTableConfig c = t.config();
        int sport = 1024;
        int victimPort = 1024;
        long maxFlooderPairs = 0;
        for (long now = 0; now < 30 * SEC; now += 10 * MS) {
            for (int i = 0; i < 20; i++, sport = sport == 65535 ? 1024 : sport + 1) {
                long f = t.lookup(fwd.set(3, TCP, 0x0A00_0003, METADATA, sport, 80));
                if (f == FlowResult.NO_FLOW) {
                    f = metadataPair(t, 3, TCP, sport, now);
                }
                if (FlowResult.isHandle(f)) {
                    t.account(f, 60, SYN, now);
                    t.account(t.reverse(f), 60, SYN | ACK, now);
                }
                long u = t.addHold(3, UDP, 0x0A00_0003, METADATA, sport, 80, 0, now);
                if (FlowResult.isHandle(u)) {
                    t.setDrop(u, DropReason.NO_SERVICE); // the agent's answer: metadata is TCP only
                }
                t.addHold(3, TCP, 0x0A00_0003, METADATA, sport, 80, SYN | FIN, now);
            }
            t.age(now, 4096);
            maxFlooderPairs = Math.max(maxFlooderPairs, t.interfaceLinkLocalCount(3));
            assertTrue(t.interfaceFlowCount(3) <= c.maxVmFlows());
            if (now % (100 * MS) == 0) {
                long v = metadataPair(t, 4, TCP, victimPort++, now);
                assertTrue(FlowResult.isHandle(v), "victim's metadata flow at " + now / MS + " ms: "
                        + FlowResult.describe(v));
                t.account(v, 60, SYN, now);
                t.account(t.reverse(v), 60, SYN | ACK, now);
                t.account(v, 60, ACK, now);
                t.account(v, 60, FIN | ACK, now);
                t.account(t.reverse(v), 60, FIN | ACK, now);
            }
        }
        long rateBound = c.newFlowBurst() + c.newFlowsPerSecond() * (c.embryonicTimeoutNs() / SEC + 1);
        assertTrue(maxFlooderPairs <= rateBound, "flooder held " + maxFlooderPairs + " pairs; bound " + rateBound);
        assertTrue(t.dropCount(DropReason.NEW_FLOW_RATE_LIMIT) > 0);
        assertTrue(t.dropCount(DropReason.TCP_NOT_SYN) >= 30 * 2000);
        assertEquals(0, t.dropCount(DropReason.LINKLOCAL_FLOW_LIMIT), "the node's budget was never reached");
    }
}
