package io.vrouter.flow;

import io.vrouter.drop.DropReason;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The table against a simple HashMap model under long random sequences of every writer operation,
 * with a small key space so duplicates, limits and reuse of indexes happen constantly. The model
 * predicts every result code, action, counter, drop count, released packet and what aging may and
 * must remove. The seed is in every failure message.
 */
class FlowTableModelTest {
    static final int CAPACITY = 64;
    static final int INTERFACES = 4;
    static final int MAX_HOLD = 12;
    static final int QUEUE = 2;
    static final int VM_PERCENT = 30;
    static final int MAX_VM_LL = 6;
    static final int MAX_SYS_LL = 10;
    static final long SEC = 1_000_000_000L;
    static final long IDLE_NS = 10 * SEC;
    static final long HOLD_NS = 2 * SEC;

    record Key(int nh, int proto, int sip, int dip, int sport, int dport) {
        FlowKey into(FlowKey k) {
            return k.set(nh, proto, sip, dip, sport, dport);
        }
    }

    static final class M {
        Key key;
        long handle;
        int action;
        int flags;
        int dropReason;
        M partner;
        boolean reverse;
        long packets;
        long bytes;
        int lastTick;
        final List<String> held = new ArrayList<>();

        int owner() {
            return reverse ? partner.key.nh : key.nh;
        }
    }

    final Map<Key, M> model = new HashMap<>();
    final long[] expectedDrops = new long[128];
    final List<String> released = new ArrayList<>();
    final List<String> expectedReleased = new ArrayList<>();
    final FlowKey k1 = new FlowKey();
    final FlowKey k2 = new FlowKey();
    final FlowSnapshot snap = new FlowSnapshot();
    SplittableRandom rnd;
    FlowTable<String> t;
    long now;
    long seed;
    int packetNo;
    final List<Long> deadHandles = new ArrayList<>();

    /**
     * The operation mix: a draw 0-99 below {@code MIX_UPPER[k]} (and not below the one before) runs
     * {@code mix.get(k)}; a draw past the last bound ages the table.
     */
    private static final int[] MIX_UPPER = {20, 30, 38, 55, 72, 80, 85, 88, 92};
    private final List<java.util.function.Consumer<String>> mix = List.of(this::opAddHold, this::opInstallReverse,
            this::opInstallPair, this::opLookup, this::opAccount, this::opHoldPacket, this::opDelete, this::opSetDrop,
            this::opStale);

    @ParameterizedTest
    @ValueSource(longs = {1L, 2L, 3L, 20261122L})
    @Timeout(60)
    void tableShouldMatchReferenceModelUnderRandomOperations(long seedParam) {
        runModel(seedParam, FlowHashIndex.DEFAULT_DISPLACEMENT_BITS);
    }

    /** One displacement bit: most slot shifts on delete take the saturated, re-hashing path. */
    @ParameterizedTest
    @ValueSource(longs = {4L, 5L})
    @Timeout(60)
    void tableShouldMatchReferenceModelWithSaturatedSlotDisplacements(long seedParam) {
        runModel(seedParam, 1);
    }

    void runModel(long seedParam, int displacementBits) {
        seed = seedParam;
        rnd = new SplittableRandom(seed);
        t = new FlowTable<>(TestPairs.unguarded().capacity(CAPACITY).maxInterfaces(INTERFACES)
                .maxHoldFlows(MAX_HOLD).holdQueueLength(QUEUE).maxVmFlowsPercent(VM_PERCENT)
                .maxVmLinkLocalFlows(MAX_VM_LL).maxSystemLinkLocalFlows(MAX_SYS_LL).idleTimeoutNs(IDLE_NS)
                .holdTimeoutNs(HOLD_NS).hashSeed(seed).build(), (p, h, a) -> released.add(p + "@" + h + ":" + a),
                displacementBits);
        now = rnd.nextLong();
        for (int step = 0; step < 30_000; step++) {
            int op = rnd.nextInt(100);
            String where = "seed=" + seed + " step=" + step + " op=" + op;
            int k = 0;
            while (k < MIX_UPPER.length && op >= MIX_UPPER[k]) {
                k++;
            }
            if (k < MIX_UPPER.length) {
                mix.get(k).accept(where);
            } else {
                opAge(where, step);
            }
            if (step % 97 == 0) {
                verifyAll(where);
            }
        }
        verifyAll("seed=" + seed + " end");
        // The sequence must have exercised every limit, or the test proves less than it claims.
        for (DropReason r : new DropReason[] {DropReason.UNKNOWN_INTERFACE, DropReason.HOLD_LIMIT,
                DropReason.VM_FLOW_LIMIT, DropReason.LINKLOCAL_FLOW_LIMIT, DropReason.HOLD_QUEUE_FULL,
                DropReason.FLOW_EVICTED, DropReason.FLOW_TABLE_FULL}) {
            System.out.println("seed=" + seed + " " + r + " " + expectedDrops[r.code()]);
            assertTrue(expectedDrops[r.code()] > 0, "seed=" + seed + ": sequence never hit " + r);
        }
        System.out.println("seed=" + seed + " released " + released.size() + " final size " + model.size());
    }

    Key randomKey() {
        int nh = rnd.nextInt(20) == 0 ? INTERFACES : rnd.nextInt(INTERFACES);
        return new Key(nh, rnd.nextBoolean() ? 6 : 17, rnd.nextInt(4), rnd.nextInt(4),
                rnd.nextInt(6), rnd.nextInt(3));
    }

    Key randomValidKey() {
        Key k = randomKey();
        return k.nh < INTERFACES ? k : new Key(0, k.proto, k.sip, k.dip, k.sport, k.dport);
    }

    M randomFlow() {
        if (model.isEmpty()) {
            return null;
        }
        int i = rnd.nextInt(model.size());
        for (M m : model.values()) {
            if (i-- == 0) {
                return m;
            }
        }
        throw new AssertionError();
    }

    int tick() {
        return FlowRecord.tick(now);
    }

    int ownerCount(int nh) {
        int n = 0;
        for (M m : model.values()) {
            if (m.owner() == nh) {
                n++;
            }
        }
        return n;
    }

    int llCount(int nh) {
        int n = 0;
        for (M m : model.values()) {
            if (!m.reverse && m.partner != null && (m.flags & FlowFlags.LINK_LOCAL) != 0 && (nh < 0 || m.key.nh == nh)) {
                n++;
            }
        }
        return n;
    }

    int holdCount() {
        int n = 0;
        for (M m : model.values()) {
            if (m.action == FlowAction.HOLD) {
                n++;
            }
        }
        return n;
    }

    long expectDrop(DropReason r) {
        expectedDrops[r.code()]++;
        return FlowResult.ofDrop(r);
    }

    /** Returns the new HOLD flow's model, or {@code null} when the table refused it. */
    M opAddHold(String where) {
        Key k = randomKey();
        long expected;
        if (k.nh >= INTERFACES) {
            expected = expectDrop(DropReason.UNKNOWN_INTERFACE);
        } else if (holdCount() >= MAX_HOLD) {
            expected = expectDrop(DropReason.HOLD_LIMIT);
        } else if (model.size() >= CAPACITY) {
            expected = expectDrop(DropReason.FLOW_TABLE_FULL);
        } else if (ownerCount(k.nh) >= CAPACITY * VM_PERCENT / 100) {
            expected = expectDrop(DropReason.VM_FLOW_LIMIT);
        } else if (model.containsKey(k)) {
            expected = FlowResult.EXISTS;
        } else {
            expected = Long.MAX_VALUE;
        }
        long h = t.addHold(k.nh, k.proto, k.sip, k.dip, k.sport, k.dport, TestPairs.SYN, now);
        if (expected != Long.MAX_VALUE) {
            assertEquals(expected, h, where + " addHold " + k + ": " + FlowResult.describe(h));
            return null;
        }
        assertTrue(FlowResult.isHandle(h), where + " addHold " + k + ": " + FlowResult.describe(h));
        M m = new M();
        m.key = k;
        m.handle = h;
        m.action = FlowAction.HOLD;
        m.lastTick = tick();
        model.put(k, m);
        return m;
    }

    int randomFinalAction() {
        int r = rnd.nextInt(10);
        return r < 5 ? FlowAction.NAT : r < 9 ? FlowAction.FORWARD : FlowAction.DROP;
    }

    void opInstallReverse(String where) {
        M f = randomFlow();
        if (f != null) {
            installReverse(where, f);
        }
    }

    void installReverse(String where, M f) {
        Key rk = randomValidKey();
        int action = randomFinalAction();
        int flags = rnd.nextBoolean() ? FlowFlags.LINK_LOCAL : 0;
        long expected = Long.MAX_VALUE;
        int owner = f.owner();
        DropReason refused = null;
        if (f.reverse || (f.action != FlowAction.HOLD && f.partner != null)) {
            expected = FlowResult.BAD_STATE;
        } else if (model.containsKey(rk)) {
            expected = FlowResult.EXISTS;
        } else if (flags != 0 && (llCount(owner) >= MAX_VM_LL || llCount(-1) >= MAX_SYS_LL)) {
            refused = DropReason.LINKLOCAL_FLOW_LIMIT;
        } else if (model.size() + 1 > CAPACITY) {
            refused = DropReason.FLOW_TABLE_FULL;
        } else if (ownerCount(owner) + 1 > CAPACITY * VM_PERCENT / 100) {
            refused = DropReason.VM_FLOW_LIMIT;
        }
        long r = t.installReverse(f.handle, rk.into(k1), action, flags, now);
        if (refused != null) {
            expected = expectDrop(refused);
            assertEquals(expected, r, where + " installReverse: " + FlowResult.describe(r));
            resolveModel(f, FlowAction.DROP, 0, refused.code(), null);
            return;
        }
        if (expected != Long.MAX_VALUE) {
            assertEquals(expected, r, where + " installReverse: " + FlowResult.describe(r));
            return;
        }
        assertTrue(FlowResult.isHandle(r), where + " installReverse: " + FlowResult.describe(r));
        M m = new M();
        m.key = rk;
        m.handle = r;
        m.action = action;
        m.flags = flags | FlowFlags.REVERSE;
        m.reverse = true;
        m.partner = f;
        m.lastTick = tick();
        model.put(rk, m);
        if (action == FlowAction.NAT) {
            m.flags |= nat(rk, f.key);
        }
        resolveModel(f, action, flags | (action == FlowAction.NAT ? nat(f.key, rk) : 0), 0, m);
    }

    /** Expected NAT flags of x with partner y. */
    static int nat(Key x, Key y) {
        int f = 0;
        f |= y.dip != x.sip ? FlowFlags.SNAT : 0;
        f |= y.sip != x.dip ? FlowFlags.DNAT : 0;
        f |= y.dport != x.sport ? FlowFlags.SPAT : 0;
        f |= y.sport != x.dport ? FlowFlags.DPAT : 0;
        return f;
    }

    void resolveModel(M f, int action, int flags, int reason, M partner) {
        boolean wasHold = f.action == FlowAction.HOLD;
        f.action = action;
        f.flags = flags;
        f.dropReason = reason;
        f.partner = partner;
        if (wasHold) {
            for (String p : f.held) {
                if (action == FlowAction.DROP) {
                    expectedDrops[reason != 0 ? reason : DropReason.DROP_FLOW.code()]++;
                } else {
                    expectedReleased.add(p + "@" + f.handle + ":" + action);
                }
            }
            f.held.clear();
        }
        assertEquals(expectedReleased, released, "seed=" + seed + " released packets");
    }

    /** The agent's sequence: a HOLD flow for a new flow's first packet, then its answer. */
    void opInstallPair(String where) {
        M f = opAddHold(where);
        if (f != null) {
            installReverse(where, f);
        }
    }

    void opLookup(String where) {
        Key k = rnd.nextInt(3) == 0 || model.isEmpty() ? randomKey() : randomFlow().key;
        M m = model.get(k);
        assertEquals(m == null ? FlowResult.NO_FLOW : m.handle, t.lookup(k.nh, k.proto, k.sip, k.dip, k.sport, k.dport),
                where + " lookup " + k);
    }

    void opAccount(String where) {
        M m = randomFlow();
        if (m == null) {
            return;
        }
        int bytes = rnd.nextInt(1500);
        assertEquals(m.action, t.account(m.handle, bytes, 0, now), where + " account");
        m.packets++;
        m.bytes += bytes;
        if (m.action != FlowAction.HOLD) {
            m.lastTick = tick();
        }
        if (m.action == FlowAction.DROP) {
            expectedDrops[m.dropReason != 0 ? m.dropReason : DropReason.DROP_FLOW.code()]++;
        }
    }

    void opHoldPacket(String where) {
        M m = randomFlow();
        for (int i = 0; i < 8 && m != null && m.action != FlowAction.HOLD; i++) {
            m = randomFlow();
        }
        if (m == null) {
            return;
        }
        String p = "p" + packetNo++;
        boolean ok = t.holdPacket(m.handle, p);
        if (m.action != FlowAction.HOLD) {
            assertFalse(ok, where + " holdPacket on non-HOLD flow");
        } else if (m.held.size() >= QUEUE) {
            assertFalse(ok, where + " holdPacket on full queue");
            expectedDrops[DropReason.HOLD_QUEUE_FULL.code()]++;
        } else {
            assertTrue(ok, where + " holdPacket");
            m.held.add(p);
        }
    }

    void removeModelPair(M m) {
        M f = m.reverse ? m.partner : m;
        if (f.action == FlowAction.HOLD) {
            expectedDrops[DropReason.FLOW_EVICTED.code()] += f.held.size();
        }
        model.remove(f.key);
        deadHandles.add(f.handle);
        if (f.partner != null) {
            model.remove(f.partner.key);
            deadHandles.add(f.partner.handle);
        }
    }

    void opDelete(String where) {
        M m = randomFlow();
        if (m == null) {
            return;
        }
        assertTrue(t.delete(m.handle), where + " delete");
        removeModelPair(m);
    }

    void opSetDrop(String where) {
        M m = randomFlow();
        if (m == null) {
            return;
        }
        DropReason reason = rnd.nextBoolean() ? DropReason.POLICY : DropReason.NO_SERVICE;
        assertTrue(t.setDrop(m.handle, reason), where + " setDrop");
        if (m.action == FlowAction.HOLD) {
            resolveModel(m, FlowAction.DROP, m.flags, reason.code(), null);
        } else {
            m.action = FlowAction.DROP;
            m.dropReason = reason.code();
            if (m.partner != null) {
                m.partner.action = FlowAction.DROP;
                m.partner.dropReason = reason.code();
            }
        }
    }

    void opStale(String where) {
        if (deadHandles.isEmpty()) {
            return;
        }
        long h = deadHandles.get(rnd.nextInt(deadHandles.size()));
        assertFalse(t.isLive(h), where + " stale handle live");
        assertEquals(-1, t.account(h, 1, 0, now), where + " account on stale handle");
        assertFalse(t.delete(h), where + " delete stale");
        assertFalse(t.holdPacket(h, "stale"), where + " hold on stale");
        if (deadHandles.size() > 10_000) {
            deadHandles.subList(0, 5_000).clear();
        }
    }

    boolean expired(M m) {
        M f = m.reverse ? m.partner : m;
        int now = tick();
        if (f.action == FlowAction.HOLD) {
            return now - f.lastTick >= ticks(HOLD_NS);
        }
        int last = f.lastTick;
        if (f.partner != null && f.partner.lastTick - last > 0) {
            last = f.partner.lastTick;
        }
        return now - last >= ticks(IDLE_NS);
    }

    static int ticks(long ns) {
        return (int) ((ns + (1L << FlowRecord.TICK_SHIFT) - 1) >>> FlowRecord.TICK_SHIFT);
    }

    void opAge(String where, int step) {
        // Alternate slow phases (the table fills up to its limits) and fast ones (aging drains it).
        boolean filling = (step / 2500) % 2 == 0;
        now += rnd.nextLong(filling ? SEC / 20 : 3 * SEC);
        boolean full = rnd.nextInt(4) == 0;
        int budget = full ? Integer.MAX_VALUE : 1 + rnd.nextInt(20);
        int removedTotal = 0;
        int removed;
        int rounds = 0;
        do {
            removed = t.age(now, budget);
            removedTotal += removed;
        } while (full && removed > 0 && ++rounds < 1000);
        int gone = 0;
        for (M m : new ArrayList<>(model.values())) {
            if (model.containsKey(m.key) && !t.isLive(m.handle)) {
                assertTrue(expired(m), where + " aging removed a live flow " + m.key);
                gone += m.partner != null ? 2 : 1;
                removeModelPair(m);
            }
        }
        assertEquals(removedTotal, gone, where + " age() return value");
        if (full) {
            for (M m : model.values()) {
                assertFalse(expired(m), where + " expired flow survived a full aging pass: " + m.key);
            }
        }
    }

    void verifyAll(String where) {
        assertEquals(model.size(), t.size(), where + " size");
        assertEquals(holdCount(), t.holdFlowCount(), where + " hold count");
        assertEquals(llCount(-1), t.linkLocalFlowCount(), where + " link-local count");
        for (int nh = 0; nh < INTERFACES; nh++) {
            assertEquals(ownerCount(nh), t.interfaceFlowCount(nh), where + " interface count " + nh);
            assertEquals(llCount(nh), t.interfaceLinkLocalCount(nh), where + " interface link-local " + nh);
        }
        for (DropReason r : DropReason.values()) {
            assertEquals(expectedDrops[r.code()], t.dropCount(r), where + " drops " + r);
        }
        for (M m : model.values()) {
            Key k = m.key;
            assertEquals(m.handle, t.lookup(k.nh, k.proto, k.sip, k.dip, k.sport, k.dport), where + " lookup " + k);
            assertTrue(t.read(m.handle, snap), where + " read " + k);
            assertEquals(new Key(snap.nh(), snap.proto(), snap.sip(), snap.dip(), snap.sport(), snap.dport()), k, where);
            assertEquals(m.action, snap.action(), where + " action " + k);
            assertEquals(m.flags, snap.flags(), where + " flags " + k);
            assertEquals(m.dropReason, snap.dropReason() == null ? 0 : snap.dropReason().code(), where + " reason");
            assertEquals(m.packets, snap.packets(), where + " packets " + k);
            assertEquals(m.bytes, snap.bytes(), where + " bytes " + k);
            assertEquals(m.lastTick, snap.lastSeenTick(), where + " last seen " + k);
            int partnerIndex = m.action == FlowAction.HOLD || m.partner == null ? -1 : FlowResult.index(m.partner.handle);
            assertEquals(partnerIndex, snap.reverseIndex(), where + " reverse " + k);
        }
        int live = 0;
        for (int i = 0; i < CAPACITY; i++) {
            if (t.read(i, snap)) {
                live++;
            }
        }
        assertEquals(model.size(), live, where + " live entries by index scan");
    }
}
