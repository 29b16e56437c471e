package io.vrouter.flow;

import static io.vrouter.flow.FlowRecord.DIP;
import static io.vrouter.flow.FlowRecord.PORTS;
import static io.vrouter.flow.FlowRecord.PROTO_NH;
import static io.vrouter.flow.FlowRecord.SIP;
import static io.vrouter.flow.FlowRecord.STRIDE;

/**
 * The hash index of a {@link FlowTable} (vrouter's {@code vr_htable.c} part): maps a packed key to
 * the index of the entry holding it. Open addressing with linear probing, two slots per entry
 * (so it is at most half full), backward-shift deletion, no tombstones. Slot layout (0 = empty) is
 * drawn in {@link FlowRecord}: {@code tag | displacement | entry+1}. The tag (hash bits) rejects
 * most non-matching slots without touching the entry; the displacement (probe distance from the
 * home slot, saturating) lets deletion shift slots back without re-hashing their entries.
 *
 * <p>The agent sets a flow up with a lookup that misses, then {@code addHold} of the same key. The
 * index remembers its last miss (key, hash, empty slot) until it next changes, so
 * {@link #probeForInsert} of that key neither hashes nor probes again: each key is hashed once
 * per install.
 *
 * <p>Reads keys from the table's record array, never writes it. Writer thread only.
 */
final class FlowHashIndex {
    /** Bits of probe displacement kept per slot (saturating); the rest of the spare bits are tag. */
    static final int DEFAULT_DISPLACEMENT_BITS = 5;

    private final int[] rec;
    private final int[] slots;
    private final int mask;
    private final int idxBits;
    private final int idxLowMask;
    /** Largest stored displacement; a slot holding it has its home recomputed from the entry. */
    private final int distMax;
    private final int tagShift;
    private final int tagMask;
    private final int tagFieldMask;
    private final long seed;
    /** The last miss of {@link #find}, valid while {@code missSlot >= 0}: its key words, hash, empty slot. */
    private int missSip;
    private int missDip;
    private int missPorts;
    private int missProtoNh;
    private long missHash;
    private int missSlot = -1;
    /** Hash of the key of the last {@link #probeForInsert}, for {@link #insert}. */
    private long probeHash;

    /**
     * @param rec              the record array whose keys the index points at
     * @param capacity         entries (a power of two); the index has twice as many slots
     * @param displacementBits wanted displacement bits (tests use 1 to exercise the saturated path)
     */
    FlowHashIndex(int[] rec, int capacity, long seed, int displacementBits) {
        this.rec = rec;
        this.seed = seed;
        slots = new int[capacity * 2];
        mask = slots.length - 1;
        idxBits = Integer.numberOfTrailingZeros(capacity) + 1;
        idxLowMask = (1 << idxBits) - 1;
        int spare = 31 - idxBits;
        int distBits = Math.max(1, Math.min(displacementBits, spare / 2));
        distMax = (1 << distBits) - 1;
        tagShift = idxBits + distBits;
        tagMask = (1 << (31 - tagShift)) - 1;
        tagFieldMask = tagMask << tagShift;
    }

    /** Seeded 64-bit hash of a packed key. */
    long hash(int sip, int dip, int ports, int protoNh) {
        long k0 = ((long) sip << 32) | (dip & 0xFFFF_FFFFL);
        long k1 = ((long) ports << 32) | (protoNh & 0xFFFF_FFFFL);
        long h = (k0 ^ seed) * 0x9E37_79B9_7F4A_7C15L;
        h = (Long.rotateLeft(h, 31) ^ k1) * 0xBF58_476D_1CE4_E5B9L;
        h ^= h >>> 29;
        h *= 0x94D0_49BB_1331_11EBL;
        return h ^ (h >>> 32);
    }

    /**
     * Slot holding the key, or {@code ~slot} of the empty slot where it would go (remembered for
     * {@link #probeForInsert} until the index changes).
     *
     * @param h {@link #hash} of the key
     */
    int find(long h, int sip, int dip, int ports, int protoNh) {
        int pos = (int) h & mask;
        int tag = tagField(h);
        int[] idx = slots;
        int[] r = rec;
        for (;;) {
            int s = idx[pos];
            if (s == 0) {
                missSip = sip;
                missDip = dip;
                missPorts = ports;
                missProtoNh = protoNh;
                missHash = h;
                missSlot = pos;
                return ~pos;
            }
            if ((s & tagFieldMask) == tag
                    && FlowRecord.keyEquals(r, ((s & idxLowMask) - 1) * STRIDE, sip, dip, ports, protoNh)) {
                return pos;
            }
            pos = (pos + 1) & mask;
        }
    }

    /**
     * {@link #find} before an insert: the slot holding the key, or {@code ~slot} of its empty slot,
     * which {@link #insert} then takes. The key's last miss is reused when the index has not
     * changed since, so the agent's lookup and addHold hash and probe once.
     */
    int probeForInsert(int sip, int dip, int ports, int protoNh) {
        if (missSlot >= 0 && missSip == sip && missDip == dip && missPorts == ports && missProtoNh == protoNh) {
            probeHash = missHash;
            return ~missSlot;
        }
        long h = hash(sip, dip, ports, protoNh);
        probeHash = h;
        return find(h, sip, dip, ports, protoNh);
    }

    /** Entry index stored in an occupied slot. */
    int entryAt(int slot) {
        return (slots[slot] & idxLowMask) - 1;
    }

    /** Stores entry {@code e} in the empty {@code slot} the last {@link #probeForInsert} returned. */
    void insert(int slot, int e) {
        long h = probeHash;
        int dist = Math.min((slot - (int) h) & mask, distMax);
        slots[slot] = tagField(h) | (dist << idxBits) | (e + 1);
        missSlot = -1;
    }

    /** Removes entry e's slot, shifting later slots of the probe run back (no tombstones). */
    void remove(int e) {
        removeFrom(home(e), e);
    }

    /**
     * Removes the slots of a pair's two entries. Both home slots are hashed before either slot
     * moves, so the two hashes overlap in the pipeline: the shift of the first removal only ever
     * moves a slot back towards, never before, its home, so the second search still starts in
     * front of its slot.
     */
    void removePair(int e1, int e2) {
        int home1 = home(e1);
        int home2 = home(e2);
        removeFrom(home1, e1);
        removeFrom(home2, e2);
    }

    /** {@link #remove} with e's home slot already known. */
    private void removeFrom(int home0, int e) {
        missSlot = -1;
        int pos = home0;
        while ((slots[pos] & idxLowMask) != e + 1) {
            pos = (pos + 1) & mask;
        }
        int hole = pos;
        int j = pos;
        for (;;) {
            j = (j + 1) & mask;
            int s = slots[j];
            if (s == 0) {
                break;
            }
            // The stored displacement gives the home slot without touching the entry (a cache
            // miss per shifted slot at 1M flows); only a saturated one is recomputed.
            int d = (s >>> idxBits) & distMax;
            int home = d < distMax ? (j - d) & mask : home((s & idxLowMask) - 1);
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                int nd = Math.min((hole - home) & mask, distMax);
                slots[hole] = (s & ~(distMax << idxBits)) | (nd << idxBits);
                hole = j;
            }
        }
        slots[hole] = 0;
    }

    /** Heap bytes of the slot array. */
    long memoryBytes() {
        return 4L * slots.length;
    }

    /** The slot's tag field for a hash: a few hash bits that reject most non-matching slots. */
    private int tagField(long h) {
        return ((int) (h >>> 40) & tagMask) << tagShift;
    }

    private int home(int e) {
        int b = e * STRIDE;
        return (int) hash(rec[b + SIP], rec[b + DIP], rec[b + PORTS], rec[b + PROTO_NH]) & mask;
    }
}
