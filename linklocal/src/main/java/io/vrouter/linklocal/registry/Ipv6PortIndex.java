package io.vrouter.linklocal.registry;

import java.net.InetAddress;

/**
 * Immutable-after-build open-addressing map from (IPv6 address, port) to a small int: the IPv6
 * counterpart of {@link Ipv4PortIndex}, for the same flow-miss path. The keys are the services'
 * own {@link InetAddress} objects: {@code Inet6Address.equals}/{@code hashCode} compare the 16
 * address bytes only (no scope id) and copy nothing, so a lookup allocates nothing.
 *
 * <p>Capacity is a power of two at least twice the entry count (load factor &le; 0.5), so an
 * unsuccessful lookup ends at a free ({@code null}) slot after a short probe sequence.
 */
final class Ipv6PortIndex {
    static final int MISS = -1;

    private final InetAddress[] addresses;
    private final int[] ports;
    private final int[] values;
    private final int mask;

    Ipv6PortIndex(int expectedEntries) {
        int capacity = Integer.highestOneBit(Math.max(2, expectedEntries) * 2 - 1) << 1;
        addresses = new InetAddress[capacity];
        ports = new int[capacity];
        values = new int[capacity];
        mask = capacity - 1;
    }

    /**
     * Build-time only: adds a key; not thread-safe, publish the index after building.
     *
     * @return false, adding nothing, when (address, port) is already present
     */
    boolean putIfAbsent(InetAddress address, int port, int value) {
        int i = slot(address, port);
        while (addresses[i] != null) {
            if (ports[i] == port && addresses[i].equals(address)) {
                return false;
            }
            i = (i + 1) & mask;
        }
        addresses[i] = address;
        ports[i] = port;
        values[i] = value;
        return true;
    }

    /** The value for (address, port), or {@link #MISS}; a null address or a port outside 0-65535 misses. */
    int get(InetAddress address, int port) {
        if (address == null || (port & ~0xFFFF) != 0) {
            return MISS;
        }
        int i = slot(address, port);
        InetAddress k;
        while ((k = addresses[i]) != null) {
            if (ports[i] == port && k.equals(address)) {
                return values[i];
            }
            i = (i + 1) & mask;
        }
        return MISS;
    }

    private int slot(InetAddress address, int port) {
        int h = address.hashCode() * 31 + port;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return h & mask;
    }
}
