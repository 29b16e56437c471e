package io.vrouter.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Deleting a pair hashes both halves' home slots before either slot moves; the first removal's
 * backward shift may then move the second half's slot (and a third flow's) back. Keys chosen to
 * share one home slot put the forward, the reverse and a bystander in one probe run, in each
 * order, so every shift case is certain.
 */
class FlowHashIndexPairRemovalTest {
    private static final int CAPACITY = 16;
    private static final long SEED = 7;

    private final FlowHashIndex hashes = new FlowHashIndex(new int[CAPACITY * FlowRecord.STRIDE], CAPACITY, SEED,
            FlowHashIndex.DEFAULT_DISPLACEMENT_BITS);
    private final int mask = 2 * CAPACITY - 1;

    /** VM 10.0.0.3:sport to the metadata address 169.254.169.254:80, TCP, on interface 1. */
    private static FlowKey forward(int sport) {
        return new FlowKey().set(1, 6, 0x0A00_0003, 0xA9FE_A9FE, sport, 80);
    }

    /** Its NAT'd reverse: vhost 10.10.10.1:8097 to 169.254.0.3:dport, on vhost0. */
    private static FlowKey reverse(int dport) {
        return new FlowKey().set(0, 6, 0x0A0A_0A01, 0xA9FE_0003, 8097, dport);
    }

    private int home(FlowKey k) {
        return (int) hashes.hash(k.sip, k.dip, k.ports, k.protoNh) & mask;
    }

    /** The first port from {@code from} whose key (made by {@code key}) has home slot {@code home}. */
    private int portWithHome(java.util.function.IntFunction<FlowKey> key, int from, int home) {
        int p = from;
        while (home(key.apply(p)) != home) {
            p++;
        }
        return p;
    }

    /**
     * Installs a forward flow, a bystander HOLD flow and the forward's reverse,
     * all with one home slot; with {@code bystanderFirst} the bystander goes before the reverse.
     */
    private void deletingThePairShouldKeepTheBystanderFindable(boolean bystanderFirst) {
        FlowTable<Object> t = new FlowTable<>(TestPairs.unguarded().capacity(CAPACITY).hashSeed(SEED).build());
        FlowKey f = forward(1024);
        int home = home(f);
        FlowKey bystander = forward(portWithHome(p -> forward(p), 1025, home));
        FlowKey r = reverse(portWithHome(FlowHashIndexPairRemovalTest::reverse, 1024, home));
        long fh = t.addHold(f, TestPairs.SYN, 0);
        long bh = 0;
        if (bystanderFirst) {
            bh = t.addHold(bystander, TestPairs.SYN, 0);
        }
        assertTrue(FlowResult.isHandle(t.installReverse(fh, r, FlowAction.NAT, 0, 0)));
        if (!bystanderFirst) {
            bh = t.addHold(bystander, TestPairs.SYN, 0);
        }
        assertTrue(FlowResult.isHandle(bh));

        assertTrue(t.delete(fh));

        assertEquals(bh, t.lookup(bystander));
        assertEquals(FlowResult.NO_FLOW, t.lookup(f));
        assertEquals(FlowResult.NO_FLOW, t.lookup(r));
        assertEquals(1, t.size());
        long again = TestPairs.install(t, f, r, FlowAction.NAT, 0, 0);
        assertTrue(FlowResult.isHandle(again));
        assertEquals(again, t.lookup(f));
        assertEquals(bh, t.lookup(bystander));
    }

    @Test
    void deletingAPairShouldKeepAFlowBetweenItsHalvesFindable() {
        deletingThePairShouldKeepTheBystanderFindable(true);
    }

    @Test
    void deletingAPairShouldKeepAFlowAfterBothHalvesFindable() {
        deletingThePairShouldKeepTheBystanderFindable(false);
    }
}
