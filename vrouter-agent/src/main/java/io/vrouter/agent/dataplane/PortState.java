package io.vrouter.agent.dataplane;

import io.vrouter.agent.dataplane.io.PacketIo;
import io.vrouter.agent.port.VmPort;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One interface the dataplane reads: a guest port (with its identity and addresses as primitives
 * for the packet path) or the vhost agent end ({@link #port} null). The dataplane thread takes
 * its frames straight from {@link #io} (no queue between: they wait in the I/O's capture ring).
 *
 * @param port       the guest port, null for the vhost
 * @param io         its packet I/O
 * @param nh         interface id in flow keys: the port's interface index, 0 for the vhost
 * @param mac        the port's MAC (48 bits)
 * @param ip         the port's IPv4 address, 0 when it has none (an IPv6-only port: its guest
 *                   may still reach link-local services from an RFC 3927 169.254/16 address)
 * @param metadataIp 169.254.0.0 + interface index, 0 when the port has none
 * @param counters   rx, tx, drops: written by the dataplane thread only, read by any
 */
record PortState(VmPort port, PacketIo io, int nh, long mac, int ip, int metadataIp,
                 AtomicLongArray counters) {
    static final int RX = 0;
    static final int TX = 1;
    static final int DROPS = 2;

    /** The vhost agent end. */
    static PortState vhost(PacketIo io) {
        return of(null, io, Dataplane.VHOST_INTERFACE_ID, 0, 0, 0);
    }

    /**
     * A guest port.
     *
     * @throws IllegalArgumentException naming the bad field of {@code port}
     */
    static PortState guest(VmPort port, PacketIo io) {
        if (port.interfaceIndex() < 1 || port.interfaceIndex() > PortTable.MAX_INTERFACE_INDEX) {
            throw new IllegalArgumentException("port " + port.id() + ": interfaceIndex must be 1-"
                    + PortTable.MAX_INTERFACE_INDEX + ", got " + port.interfaceIndex());
        }
        long mac = parseMac(port.id(), port.macAddress());
        int md = 0;
        if (port.metadataIp() != null) {
            md = ByteBuffer.wrap(port.metadataIp().getAddress()).getInt();
            if ((md & 0xFFFF_0000) != PortTable.LINK_LOCAL_NET || (md & 0xFFFF) != port.interfaceIndex()) {
                throw new IllegalArgumentException("port " + port.id() + ": metadataIp " + port.metadataIp().getHostAddress()
                        + " is not 169.254.0.0 + interfaceIndex " + port.interfaceIndex());
            }
        }
        int ip = port.ipAddress() == null ? 0 : ByteBuffer.wrap(port.ipAddress().getAddress()).getInt();
        return of(port, io, port.interfaceIndex(), mac, ip, md);
    }

    private static PortState of(VmPort port, PacketIo io, int nh, long mac, int ip, int metadataIp) {
        return new PortState(port, io, nh, mac, ip, metadataIp, new AtomicLongArray(3));
    }

    private static long parseMac(String id, String text) {
        if (text == null || !text.toLowerCase(Locale.ROOT).matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
            throw new IllegalArgumentException("port " + id + ": mac-address must look like aa:bb:cc:dd:ee:ff, got " + text);
        }
        long mac = 0;
        for (String b : text.split(":")) {
            mac = (mac << 8) | Integer.parseInt(b, 16);
        }
        if ((mac & 0x0100_0000_0000L) != 0) {
            throw new IllegalArgumentException("port " + id + ": mac-address must be unicast, got " + text);
        }
        return mac;
    }

    /**
     * Whether {@code srcIp} is this guest's: its port's address, or for a port without an IPv4
     * address an RFC 3927 link-local one (not 169.254.169.254, not the /16's network or
     * broadcast address), the only IPv4 an IPv6-only guest has to reach 169.254.169.254.
     */
    boolean isOwnSource(int srcIp) {
        if (ip != 0) {
            return srcIp == ip;
        }
        return (srcIp & 0xFFFF_0000) == PortTable.LINK_LOCAL_NET && srcIp != LINK_LOCAL_METADATA
                && (srcIp & 0xFFFF) != 0 && (srcIp & 0xFFFF) != 0xFFFF;
    }

    /** 169.254.169.254. */
    private static final int LINK_LOCAL_METADATA = 0xA9FE_A9FE;

    boolean isVhost() {
        return port == null;
    }

    void count(int which) {
        counters.lazySet(which, counters.get(which) + 1);
    }

    String name() {
        return io.interfaceName();
    }
}
