package io.vrouter.flow;

/**
 * The IPv6 addresses of a {@link FlowTable}'s IPv6 flows, interned: each distinct address in use
 * gets a 32-bit id, and an IPv6 flow's key holds the two ids in the SIP and DIP words where an
 * IPv4 key holds the addresses (see {@link FlowRecord}, "IPv6 keys"). An address is kept while
 * any entry refers to it (a reference count per address, one reference per key word) and its id
 * is freed with the last reference, to be reused.
 *
 * <p>Layout, allocated once: {@code hi[id]}, {@code lo[id]} (the address), {@code refs[id]}
 * (references; the next free id while free), and an open-addressing index of twice as many
 * {@code int} slots holding {@code id + 1} (0 = empty), linear probing, backward-shift deletion:
 * ids never move, only index slots do. 28 bytes per address.
 *
 * <p>Writer thread only. Allocation-free.
 */
final class FlowAddresses6 {
    /** No id: the address is not interned, or the table is full. */
    static final int NONE = -1;

    private final long[] hi;
    private final long[] lo;
    private final int[] refs;
    private final int[] slots;
    private final int mask;
    private final long seed;
    private int freeHead;
    private int size;

    /** @param capacity addresses, a power of two */
    FlowAddresses6(int capacity, long seed) {
        hi = new long[capacity];
        lo = new long[capacity];
        refs = new int[capacity];
        slots = new int[capacity * 2];
        mask = slots.length - 1;
        this.seed = seed;
        for (int i = 0; i < capacity; i++) {
            refs[i] = i + 1 < capacity ? ~(i + 1) : ~NONE; // free: ~next (never positive)
        }
        freeHead = 0;
    }

    /** The id of an interned address, or {@link #NONE}. */
    int find(long h, long l) {
        int pos = home(h, l);
        for (int s; (s = slots[pos]) != 0; pos = (pos + 1) & mask) {
            int id = s - 1;
            if (hi[id] == h && lo[id] == l) {
                return id;
            }
        }
        return NONE;
    }

    /** Takes one reference on the address, interning it if new; {@link #NONE} when full. */
    int acquire(long h, long l) {
        int pos = home(h, l);
        for (int s; (s = slots[pos]) != 0; pos = (pos + 1) & mask) {
            int id = s - 1;
            if (hi[id] == h && lo[id] == l) {
                refs[id]++;
                return id;
            }
        }
        return intern(h, l, pos);
    }

    /**
     * One reference on each of a key's two addresses: {@code source id << 32 | destination id}, or
     * {@link #NONE} with no reference taken when the table cannot hold both.
     */
    long acquirePair(long sHi, long sLo, long dHi, long dLo) {
        int s = acquire(sHi, sLo);
        if (s == NONE) {
            return NONE;
        }
        int d = acquire(dHi, dLo);
        if (d == NONE) {
            release(s);
            return NONE;
        }
        return ((long) s << 32) | d;
    }

    /** Gives back the references of an {@link #acquirePair} result. */
    void releasePair(long pair) {
        release(sourceId(pair));
        release(destinationId(pair));
    }

    /** The source id of an {@link #acquirePair} result. */
    static int sourceId(long pair) {
        return (int) (pair >>> 32);
    }

    /** The destination id of an {@link #acquirePair} result. */
    static int destinationId(long pair) {
        return (int) pair;
    }

    /** A new address (out of line: most flows reuse an interned one) into the empty slot {@code pos}. */
    private int intern(long h, long l, int pos) {
        int id = freeHead;
        if (id == NONE) {
            return NONE;
        }
        freeHead = ~refs[id];
        hi[id] = h;
        lo[id] = l;
        refs[id] = 1;
        slots[pos] = id + 1;
        size++;
        return id;
    }

    /** Drops one reference; the last one frees the id. */
    void release(int id) {
        if (--refs[id] > 0) {
            return;
        }
        int pos = home(hi[id], lo[id]);
        while (slots[pos] != id + 1) {
            pos = (pos + 1) & mask;
        }
        int hole = pos;
        for (int j = (pos + 1) & mask; slots[j] != 0; j = (j + 1) & mask) {
            int other = slots[j] - 1;
            int h = home(hi[other], lo[other]);
            if (((j - h) & mask) >= ((j - hole) & mask)) {
                slots[hole] = slots[j];
                hole = j;
            }
        }
        slots[hole] = 0;
        refs[id] = ~freeHead;
        freeHead = id;
        size--;
    }

    long hi(int id) {
        return hi[id];
    }

    long lo(int id) {
        return lo[id];
    }

    /** References held on {@code id} (0 when free). Tests. */
    int references(int id) {
        return Math.max(refs[id], 0);
    }

    /** Addresses interned. */
    int size() {
        return size;
    }

    int capacity() {
        return hi.length;
    }

    long memoryBytes() {
        return 20L * hi.length + 4L * slots.length;
    }

    private int home(long h, long l) {
        long x = (h ^ seed) * 0x9E37_79B9_7F4A_7C15L;
        x = (Long.rotateLeft(x, 31) ^ l) * 0xBF58_476D_1CE4_E5B9L;
        return (int) (x ^ (x >>> 32)) & mask;
    }
}
