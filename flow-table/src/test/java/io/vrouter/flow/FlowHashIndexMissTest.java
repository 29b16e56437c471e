package io.vrouter.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The hash index remembers its last miss so the agent's lookup-then-addHold probes once; the
 * remembered slot must be forgotten whenever the index changes in between, or the key would be
 * written over another flow's slot or past an empty slot where no lookup finds it. Two keys with
 * the same home slot make both cases certain.
 */
class FlowHashIndexMissTest {
    private static final int TCP = 6;
    private static final int CAPACITY = 16;
    private static final long SEED = 11;
    private static final int VM_IP = 0x0A00_0003;
    private static final int METADATA = 0xA9FE_A9FE;

    private final FlowTable<Object> t = new FlowTable<>(
            TestPairs.unguarded().capacity(CAPACITY).hashSeed(SEED).build());
    /** Source ports of two keys (else equal) that share a home slot. */
    private final int portA;
    private final int portB;

    FlowHashIndexMissTest() {
        FlowHashIndex index = new FlowHashIndex(new int[CAPACITY * FlowRecord.STRIDE], CAPACITY, SEED,
                FlowHashIndex.DEFAULT_DISPLACEMENT_BITS);
        int mask = 2 * CAPACITY - 1;
        int homeA = home(index, 1024, mask);
        int b = 1025;
        while (home(index, b, mask) != homeA) {
            b++;
        }
        portA = 1024;
        portB = b;
    }

    private static int home(FlowHashIndex index, int sport, int mask) {
        return (int) index.hash(VM_IP, METADATA, FlowRecord.ports(sport, 80), FlowRecord.protoNh(TCP, 1)) & mask;
    }

    private long lookup(int sport) {
        return t.lookup(1, TCP, VM_IP, METADATA, sport, 80);
    }

    private long addHold(int sport) {
        return t.addHold(1, TCP, VM_IP, METADATA, sport, 80, TestPairs.SYN, 0);
    }

    @Test
    void addHoldAfterAMissShouldNotTakeTheSlotAnInsertFilledSince() {
        assertEquals(FlowResult.NO_FLOW, lookup(portA));
        long b = addHold(portB); // takes the home slot the miss of A remembered
        long a = addHold(portA);
        assertTrue(FlowResult.isHandle(a) && FlowResult.isHandle(b));
        assertNotEquals(a, b);
        assertEquals(b, lookup(portB));
        assertEquals(a, lookup(portA));
    }

    @Test
    void addHoldAfterAMissShouldNotUseASlotADeleteShiftedBack() {
        long b = addHold(portB);
        assertEquals(FlowResult.NO_FLOW, lookup(portA)); // remembers the slot after B's
        assertTrue(t.delete(b)); // the home slot is empty again
        long a = addHold(portA);
        assertTrue(FlowResult.isHandle(a));
        assertEquals(a, lookup(portA));
        assertEquals(FlowResult.NO_FLOW, lookup(portB));
    }

    @Test
    void addHoldRightAfterItsLookupMissedShouldInstallAFlowLookupFinds() {
        long b = addHold(portB);
        assertEquals(FlowResult.NO_FLOW, lookup(portA));
        long a = addHold(portA);
        assertEquals(a, lookup(portA));
        assertEquals(b, lookup(portB));
        assertEquals(FlowResult.EXISTS, addHold(portA));
        assertEquals(2, t.size());
    }
}
