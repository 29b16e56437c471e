package io.vrouter.agent.port;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.BitSet;

/**
 * Hands out interface indexes and with them each port's link-local metadata IP
 * 169.254.0.0 + index, and its IPv6 metadata source {@code fe80::a9fe:XXYY}: fe80:: with the
 * IPv4 metadata IP in its low 32 bits (index 0x1234 gives 169.254.18.52 and fe80::a9fe:1234).
 *
 * <h2>IPv6 metadata sources, and why link-local on the vhost</h2>
 * A guest's request to {@code [fe80::a9fe:a9fe]:80} is NAT'd, like an IPv4 one, to the
 * metadata proxy on the vhost with a source that names its port: the port's IPv6 metadata
 * source. These addresses are link-local on the vhost link, which only the agent's dataplane
 * and the host kernel share: the proxy listens on {@link #VHOST_METADATA6}{@code %vhost0},
 * the kernel's replies to {@code fe80::a9fe:XXYY%vhost0} need no route (fe80::/64 is on-link),
 * the dataplane answers the kernel's neighbour solicitations for them as it answers ARP for
 * 169.254/16, and nothing of them reaches the host's routing or any other link. A ULA prefix
 * would have needed a route, source-address rules and a prefix chosen not to clash with the
 * operator's. The one address rule is the IPv4 one, so the same index skip applies:
 * index 43518 would give fe80::a9fe:a9fe, the service itself.
 *
 * <table>
 *   <caption>Limits</caption>
 *   <tr><th>what</th><th>value</th><th>why</th></tr>
 *   <tr><td>index range</td><td>{@value #MIN_INDEX}..{@value #MAX_INDEX}</td>
 *       <td>169.254.0.0 and 169.254.255.255 are the link-local network and broadcast</td></tr>
 *   <tr><td>skipped</td><td>{@value #METADATA_SERVICE_INDEX}</td>
 *       <td>it would make a port's metadata IP 169.254.169.254, the service address itself</td></tr>
 *   <tr><td>capacity</td><td>{@value #DEFAULT_CAPACITY} ports</td><td>the range less the skip</td></tr>
 * </table>
 *
 * <p>Allocation is next-fit (the search starts after the last index handed out), so an index
 * freed by a deleted port is the last to be handed out again: flows and proxy connections of
 * the old port have time to drain before its metadata IP can name another VM. An index is never
 * handed out twice while it is held. Not thread-safe: {@link PortRegistry} serialises callers.
 */
public final class InterfaceIndexAllocator {
    public static final int MIN_INDEX = 1;
    public static final int MAX_INDEX = 65534;
    /** 169.254.169.254 - 169.254.0.0 = 169 * 256 + 254. */
    public static final int METADATA_SERVICE_INDEX = 43518;
    public static final int DEFAULT_CAPACITY = MAX_INDEX - MIN_INDEX; // 65534 indexes less one
    /**
     * The vhost kernel end's IPv6 address, where the metadata proxy listens for IPv6 guests:
     * fe80::a9fe:ffff, the IPv6 form of 169.254.255.255, which is never a port's (index 65535 is
     * never handed out).
     */
    public static final String VHOST_METADATA6 = "fe80::a9fe:ffff";
    /** Low 64 bits of {@link #VHOST_METADATA6} (the high ones are fe80::/64's). */
    public static final long VHOST_METADATA6_LO = 0xa9fe_ffffL;

    private final int maxIndex;
    private final BitSet used = new BitSet(MAX_INDEX + 1);
    private int cursor = MIN_INDEX;
    private int inUse;

    public InterfaceIndexAllocator() {
        this(MAX_INDEX);
    }

    /** Only indexes up to {@code maxIndex} are handed out (tests shrink the range). */
    public InterfaceIndexAllocator(int maxIndex) {
        if (maxIndex < MIN_INDEX || maxIndex > MAX_INDEX) {
            throw new IllegalArgumentException("maxIndex must be in " + MIN_INDEX + ".." + MAX_INDEX + ": " + maxIndex);
        }
        this.maxIndex = maxIndex;
    }

    /** True when {@code index} could ever be handed out. */
    public boolean isAssignable(int index) {
        return index >= MIN_INDEX && index <= maxIndex && index != METADATA_SERVICE_INDEX;
    }

    /**
     * Takes a specific index (a port replayed from disk keeps its index).
     *
     * @return false when it is not assignable or already held
     */
    public boolean reserve(int index) {
        if (!isAssignable(index) || used.get(index)) {
            return false;
        }
        used.set(index);
        inUse++;
        return true;
    }

    /** The next free index, now held; -1 when every index is held. */
    public int allocate() {
        if (inUse >= capacity()) {
            return -1;
        }
        int i = nextFree(cursor);
        if (i < 0) {
            i = nextFree(MIN_INDEX);
        }
        used.set(i);
        inUse++;
        cursor = i == maxIndex ? MIN_INDEX : i + 1;
        return i;
    }

    private int nextFree(int from) {
        for (int i = used.nextClearBit(from); i <= maxIndex; i = used.nextClearBit(i + 1)) {
            if (i != METADATA_SERVICE_INDEX) {
                return i;
            }
        }
        return -1;
    }

    public void release(int index) {
        if (index >= MIN_INDEX && index <= MAX_INDEX && used.get(index)) {
            used.clear(index);
            inUse--;
        }
    }

    /**
     * Undoes the {@link #allocate()} that returned {@code index} (the add it was for failed), so
     * the allocator is exactly as before: the next allocation returns {@code index} again.
     */
    public void cancel(int index) {
        if (isHeld(index)) {
            release(index);
            cursor = index;
        }
    }

    public boolean isHeld(int index) {
        return index >= MIN_INDEX && index <= MAX_INDEX && used.get(index);
    }

    public int inUse() {
        return inUse;
    }

    /** How many indexes this allocator can hand out in all. */
    public int capacity() {
        return maxIndex - MIN_INDEX + 1 - (maxIndex >= METADATA_SERVICE_INDEX ? 1 : 0);
    }

    /** 169.254.0.0 + {@code index}. */
    public static Inet4Address metadataIp(int index) {
        if (index < MIN_INDEX || index > MAX_INDEX) {
            throw new IllegalArgumentException("interface index out of range: " + index);
        }
        byte[] b = {(byte) 169, (byte) 254, (byte) (index >>> 8), (byte) index};
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 4 bytes is always valid
        }
    }

    /** fe80::a9fe:XXYY, the port's IPv6 metadata source for {@code index} (no scope: it is the vhost's link). */
    public static java.net.Inet6Address metadataIp6(int index) {
        byte[] b = new byte[16];
        b[0] = (byte) 0xfe;
        b[1] = (byte) 0x80;
        System.arraycopy(metadataIp(index).getAddress(), 0, b, 12, 4);
        try {
            return (java.net.Inet6Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 16 bytes is always valid
        }
    }

    /**
     * The interface index a metadata IP stands for, or -1 when the address is not 169.254.X.Y
     * or its IPv6 form fe80::a9fe:XXYY (any scope).
     * Allocation-free: {@link Inet4Address#hashCode()} is the address as an int (getAddress()
     * would copy an array per call); InterfaceIndexAllocatorTest pins this down.
     */
    public static int indexOf(InetAddress address) {
        if (address instanceof java.net.Inet6Address v6) {
            byte[] b = v6.getAddress(); // a copy: once per proxy connection, not per packet
            for (int i = 2; i < 12; i++) {
                if (b[i] != 0) {
                    return -1;
                }
            }
            return (b[0] & 0xff) == 0xfe && (b[1] & 0xff) == 0x80 && (b[12] & 0xff) == 169 && (b[13] & 0xff) == 254
                    ? ((b[14] & 0xff) << 8) | (b[15] & 0xff) : -1;
        }
        if (!(address instanceof Inet4Address)) {
            return -1;
        }
        int v = address.hashCode();
        return (v >>> 16) == 0xA9FE ? v & 0xFFFF : -1;
    }
}
