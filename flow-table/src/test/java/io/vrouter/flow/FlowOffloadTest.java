package io.vrouter.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlowOffloadTest {
    static final int TCP = 6;
    static final long SEC = 1_000_000_000L;
    static final int ACK = 0x10;

    /** An in-memory fast path: packets "forwarded" per handle until drained; deletions recorded. */
    static final class MemoryOffload implements FlowOffload {
        final Map<Long, long[]> pending = new HashMap<>();
        final List<Long> removed = new ArrayList<>();
        int drains;

        void forward(long handle, long packets, long bytes) {
            long[] c = pending.computeIfAbsent(handle, h -> new long[2]);
            c[0] += packets;
            c[1] += bytes;
        }

        @Override
        public void drain(long handle, long[] into) {
            drains++;
            long[] c = pending.remove(handle);
            if (c != null) {
                into[0] = c[0];
                into[1] = c[1];
            }
        }

        @Override
        public void removed(long handle) {
            removed.add(handle);
        }
    }

    final MemoryOffload offload = new MemoryOffload();
    final FlowSnapshot snap = new FlowSnapshot();

    FlowTable<Object> table() {
        FlowTable<Object> t = new FlowTable<>(TestPairs.unguarded().capacity(64).hashSeed(3)
                .idleTimeoutNs(10 * SEC).embryonicTimeoutNs(2 * SEC).tcpCloseLingerNs(SEC).build());
        t.setOffload(offload);
        return t;
    }

    /** A TCP pair whose handshake the table saw up to the SYN-ACK (as when the agent offloads it). */
    static long synAckSeen(FlowTable<Object> t, int sport) {
        long f = TestPairs.install(t, new FlowKey(5, TCP, 1, 2, sport, 80), new FlowKey(1, TCP, 2, 1, 80, sport),
                FlowAction.FORWARD, 0, 0);
        assertTrue(FlowResult.isHandle(f), FlowResult.describe(f));
        t.account(t.reverse(f), 60, TestPairs.SYN | ACK, 0);
        return f;
    }

    @Test
    void offloadedPairWithFastPathTrafficShouldStayAndMergeItsCounters() {
        FlowTable<Object> t = table();
        long f = synAckSeen(t, 1000);
        long r = t.reverse(f);
        assertTrue(t.markOffloaded(f));
        assertTrue(t.markOffloaded(r));
        offload.forward(f, 7, 700);
        offload.forward(r, 5, 5000);

        assertEquals(0, t.age(12 * SEC, Integer.MAX_VALUE), "forwarded by the fast path: not idle");
        assertTrue(t.read(f, snap));
        assertEquals(7, snap.packets());
        assertEquals(700, snap.bytes());
        assertEquals(FlowRecord.TCP_ACK, snap.tcpState() & FlowRecord.TCP_ACK, "the fast path's segments carry ACK");
        assertTrue(t.read(r, snap));
        assertEquals(1 + 5, snap.packets(), "the SYN-ACK the table saw and the fast path's 5");
        assertEquals(60 + 5000, snap.bytes());
        assertEquals(FlowFlags.OFFLOADED, snap.flags() & FlowFlags.OFFLOADED);

        assertEquals(0, t.age(21 * SEC, Integer.MAX_VALUE), "idle 9 s since the merge");
        assertEquals(2, t.age(23 * SEC, Integer.MAX_VALUE), "idle 11 s, nothing forwarded since");
        assertFalse(t.isLive(f));
        assertEquals(List.of(f, r), offload.removed);
    }

    @Test
    void handshakeCompletedOnlyInTheFastPathShouldNotBeAgedAsEmbryonic() {
        FlowTable<Object> t = table();
        long f = synAckSeen(t, 1000);
        t.markOffloaded(f);
        t.markOffloaded(t.reverse(f));
        offload.forward(f, 1, 54); // the handshake's last ACK, forwarded by the fast path
        assertEquals(0, t.age(3 * SEC, Integer.MAX_VALUE));
        assertEquals(0, t.age(6 * SEC, Integer.MAX_VALUE), "completed: the 10 s idle timeout applies, not 2 s");
        assertTrue(t.isLive(f));
        assertEquals(2, t.age(14 * SEC, Integer.MAX_VALUE));
    }

    @Test
    void pairNotOffloadedShouldNeverQueryTheFastPath() {
        FlowTable<Object> t = table();
        long f = synAckSeen(t, 1000);
        t.account(f, 54, ACK, 0);
        offload.forward(f, 3, 300);
        assertEquals(2, t.age(11 * SEC, Integer.MAX_VALUE));
        assertEquals(0, offload.drains);
        assertEquals(List.of(), offload.removed);
    }

    @Test
    void deletingAnOffloadedFlowShouldReportOnlyItsOffloadedHalves() {
        FlowTable<Object> t = table();
        long f = synAckSeen(t, 1000);
        long r = t.reverse(f);
        t.markOffloaded(r);
        assertTrue(t.delete(f));
        assertEquals(List.of(r), offload.removed);
    }

    /** An offloaded pair that saw FIN both ways at 1 s. */
    static long closedOffloadedPair(FlowTable<Object> t) {
        long f = synAckSeen(t, 1000);
        long r = t.reverse(f);
        t.markOffloaded(f);
        t.markOffloaded(r);
        t.account(f, 54, 0x01 | ACK, SEC);
        t.account(r, 54, 0x01 | ACK, SEC);
        return f;
    }

    @Test
    void closedPairShouldLeaveAtItsLingerWithoutQueryingTheFastPathAndBeForgotten() {
        FlowTable<Object> t = table();
        long f = closedOffloadedPair(t);
        long r = t.reverse(f);
        offload.forward(f, 1, 54); // the last ACK, in the kernel
        assertEquals(2, t.age(2 * SEC + 100_000_000, Integer.MAX_VALUE));
        assertEquals(0, offload.drains);
        assertEquals(List.of(f, r), offload.removed);
    }

    @Test
    void aSynOnAClosedPairShouldReopenItForTheNewConnection() {
        FlowTable<Object> t = table();
        long f = closedOffloadedPair(t);
        long r = t.reverse(f);
        assertEquals(FlowFlags.TCP_CLOSED, t.flags(f) & FlowFlags.TCP_CLOSED);

        t.account(f, 60, TestPairs.SYN, SEC + 500_000_000L); // the guest reuses the port
        assertEquals(0, t.flags(f) & FlowFlags.TCP_CLOSED);
        assertEquals(0, t.flags(r) & FlowFlags.TCP_CLOSED);
        assertTrue(t.read(r, snap));
        assertEquals(0, snap.tcpState() & FlowRecord.TCP_FIN, "the old connection's FIN is forgotten");
        offload.forward(f, 10, 1000);
        offload.forward(r, 10, 5000);
        assertEquals(0, t.age(3 * SEC, Integer.MAX_VALUE), "not closed any more: no linger");
        assertTrue(t.isLive(f));
        t.account(f, 54, 0x01 | ACK, 4 * SEC);
        assertEquals(0, t.flags(f) & FlowFlags.TCP_CLOSED, "one FIN of the new connection does not close it");
        t.account(r, 54, 0x01 | ACK, 4 * SEC);
        assertEquals(2, t.age(5 * SEC + 100_000_000, Integer.MAX_VALUE));
    }

    @Test
    void markingAStaleHandleShouldFail() {
        FlowTable<Object> t = table();
        long f = synAckSeen(t, 1000);
        t.delete(f);
        assertFalse(t.markOffloaded(f));
    }

    @Test
    void mergedCountersShouldWrapLikeTheTablesOwn() {
        int[] rec = new int[FlowRecord.STRIDE];
        FlowRecord.addCounters(rec, 0, (1L << 40) - 1, (1L << 56) - 1);
        assertEquals((1L << 40) - 1, FlowRecord.packets(rec[FlowRecord.PACKETS_LO], rec[FlowRecord.COUNTERS_HI]));
        assertEquals((1L << 56) - 1, FlowRecord.bytes(rec[FlowRecord.BYTES_LO], rec[FlowRecord.COUNTERS_HI]));
        FlowRecord.addCounters(rec, 0, 2, 3);
        assertEquals(1, FlowRecord.packets(rec[FlowRecord.PACKETS_LO], rec[FlowRecord.COUNTERS_HI]));
        assertEquals(2, FlowRecord.bytes(rec[FlowRecord.BYTES_LO], rec[FlowRecord.COUNTERS_HI]));
    }
}
