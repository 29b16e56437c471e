package io.vrouter.agent.dataplane;

import java.util.Arrays;

/**
 * The dataplane's guest ports: by interface index (the flow key's interface id, also the low 16
 * bits of the port's metadata IP) and in round-robin order for polling.
 *
 * <p>Written by the dataplane thread only. {@link #all()} may be read from any thread: the array
 * is replaced on every change, never mutated, so a reader sees one consistent set.
 */
final class PortTable {
    /** Highest interface index: metadata IPs are 169.254.0.0 + index, never .255.255. */
    static final int MAX_INTERFACE_INDEX = 65534;
    /** 169.254.0.0, the link-local network (as an int). */
    static final int LINK_LOCAL_NET = 0xA9FE_0000;

    private static final PortState[] NO_PORTS = new PortState[0];

    private final PortState[] byIndex = new PortState[MAX_INTERFACE_INDEX + 1];
    private volatile PortState[] ports = NO_PORTS;
    /** Ports whose I/O has no selectable fd (in-memory I/O in tests): polled every cycle. */
    private PortState[] unselectable = NO_PORTS;

    /**
     * Adds a port.
     *
     * @throws IllegalArgumentException when its interface index is taken by another port
     */
    void add(PortState p) {
        PortState other = byIndex[p.nh()];
        if (other != null) {
            throw new IllegalArgumentException("port " + p.port().id() + ": interfaceIndex " + p.nh()
                    + " is already used by port " + other.port().id());
        }
        byIndex[p.nh()] = p;
        ports = with(ports, p);
        if (p.io().selectableFd() < 0) {
            unselectable = with(unselectable, p);
        }
    }

    private static PortState[] with(PortState[] a, PortState p) {
        PortState[] next = Arrays.copyOf(a, a.length + 1);
        next[next.length - 1] = p;
        return next;
    }

    private static PortState[] without(PortState[] a, PortState p) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == p) {
                PortState[] next = new PortState[a.length - 1];
                System.arraycopy(a, 0, next, 0, i);
                System.arraycopy(a, i + 1, next, i, next.length - i);
                return next;
            }
        }
        return a;
    }

    /** Removes the port with this id; returns it, or null when there is none. */
    PortState remove(String portId) {
        for (PortState p : ports) {
            if (p.port().id().equals(portId)) {
                byIndex[p.nh()] = null;
                ports = without(ports, p);
                unselectable = without(unselectable, p);
                return p;
            }
        }
        return null;
    }

    /** The port with this interface index, or null. */
    PortState byIndex(int interfaceIndex) {
        return byIndex[interfaceIndex];
    }

    /** The port whose metadata IP is {@code ip}, or null (not link-local, or no such port). */
    PortState byMetadataIp(int ip) {
        int index = ip & 0xFFFF;
        if ((ip & 0xFFFF_0000) != LINK_LOCAL_NET || index > MAX_INTERFACE_INDEX) {
            return null;
        }
        PortState p = byIndex[index];
        return p != null && p.metadataIp() == ip ? p : null;
    }

    /** The port whose IPv6 metadata source (fe80::a9fe:XXYY) is {@code hi}/{@code lo}, or null. */
    PortState byMetadataIp6(long hi, long lo) {
        return hi == io.vrouter.packet.Ipv6.LINK_LOCAL_HI && (lo >>> 32) == 0 ? byMetadataIp((int) lo) : null;
    }

    /** Every port, in polling order. Any thread; the caller must not modify the array. */
    PortState[] all() {
        return ports;
    }

    /** Ports to poll every cycle: their I/O has no fd the selector could watch. Dataplane thread. */
    PortState[] unselectable() {
        return unselectable;
    }

    /** Removes every port; returns them. */
    PortState[] clear() {
        PortState[] all = ports;
        ports = NO_PORTS;
        unselectable = NO_PORTS;
        Arrays.fill(byIndex, null);
        return all;
    }
}
