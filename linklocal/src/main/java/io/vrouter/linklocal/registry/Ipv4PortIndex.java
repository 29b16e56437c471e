package io.vrouter.linklocal.registry;

/**
 * Immutable-after-build open-addressing map from (IPv4 address, port) to a small int, for the
 * flow-miss path: no boxing, no allocation, at most a few probes of two parallel arrays.
 *
 * <pre>
 *  key (long):  0 .. 15 zero | 16 .. 47 IPv4 address (unsigned) | 48 .. 63 port
 *               i.e. (ip &amp; 0xFFFFFFFFL) &lt;&lt; 16 | port   -- always &lt; 2^48, so -1 marks a free slot
 * </pre>
 *
 * <p>Capacity is a power of two at least twice the entry count (load factor &le; 0.5), so an
 * unsuccessful lookup ends at a free slot after a short probe sequence.
 */
final class Ipv4PortIndex {
    static final int MISS = -1;
    private static final long FREE = -1L;

    private final long[] keys;
    private final int[] values;
    private final int mask;
    private int size;

    Ipv4PortIndex(int expectedEntries) {
        int capacity = Integer.highestOneBit(Math.max(4, expectedEntries) * 2 - 1) << 1;
        keys = new long[capacity];
        values = new int[capacity];
        mask = capacity - 1;
        java.util.Arrays.fill(keys, FREE);
    }

    static long key(int ipv4, int port) {
        return (ipv4 & 0xFFFFFFFFL) << 16 | port;
    }

    /** Build-time only: adds or replaces; not thread-safe, publish the index after building. */
    void put(int ipv4, int port, int value) {
        if ((port & ~0xFFFF) != 0) {
            throw new IllegalArgumentException("port " + port + " is outside 0-65535");
        }
        long key = key(ipv4, port);
        int i = slot(key);
        while (keys[i] != FREE && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (keys[i] == FREE) {
            if (size == mask) {
                throw new IllegalStateException("index full: " + keys.length + " slots"); // keep one free
            }
            size++;
        }
        keys[i] = key;
        values[i] = value;
    }

    /** The value for (ipv4, port), or {@link #MISS}. Allocation-free. */
    int get(int ipv4, int port) {
        if ((port & ~0xFFFF) != 0) {
            return MISS; // would alias another port after masking
        }
        long key = key(ipv4, port);
        int i = slot(key);
        long k;
        while ((k = keys[i]) != FREE) {
            if (k == key) {
                return values[i];
            }
            i = (i + 1) & mask;
        }
        return MISS;
    }

    int capacity() {
        return keys.length;
    }

    private int slot(long key) {
        // murmur3 fmix64: addresses differ mostly in the low octets, ports in a few bits
        long h = key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return (int) h & mask;
    }
}
