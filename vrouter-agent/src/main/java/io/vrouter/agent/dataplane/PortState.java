package io.vrouter.agent.dataplane;

import io.vrouter.agent.dataplane.io.PacketIo;
import io.vrouter.agent.port.VmPort;
import io.vrouter.linklocal.config.IpLiteral;
import io.vrouter.packet.Ipv6;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One interface the dataplane reads: a guest port (with its identity and addresses as primitives
 * for the packet path) or the vhost agent end ({@link #port} null). The dataplane thread takes
 * its frames straight from {@link #io} (no queue between: they wait in the I/O's capture socket).
 *
 * @param port       the guest port, null for the vhost
 * @param io         its packet I/O
 * @param nh         interface id in flow keys: the port's interface index, 0 for the vhost
 * @param mac        the port's MAC (48 bits)
 * @param ip         the port's IPv4 address, 0 when it has none (an IPv6-only port: its guest
 *                   may still reach link-local services from an RFC 3927 169.254/16 address)
 * @param ip6Hi      the port's {@code ip6-address}, high 64 bits; 0 (with ip6Lo) when it has none
 * @param ip6Lo      its low 64 bits
 * @param metadataIp 169.254.0.0 + interface index, 0 when the port has none; its IPv6 form
 *                   fe80::a9fe:XXYY ({@link #metadataIp6Lo()}) is the port's IPv6 metadata source
 * @param counters   rx, tx, drops, rx/tx bytes, tx errors: written by the dataplane thread only, read by any
 */
record PortState(VmPort port, PacketIo io, int nh, long mac, int ip, long ip6Hi, long ip6Lo, int metadataIp,
                 AtomicLongArray counters) {
    static final int RX = 0;
    static final int TX = 1;
    static final int DROPS = 2;
    static final int RX_BYTES = 3;
    static final int TX_BYTES = 4;
    static final int TX_ERRORS = 5;
    private static final int COUNTERS = 6;

    /** The vhost agent end. */
    static PortState vhost(PacketIo io) {
        return of(null, io, Dataplane.VHOST_INTERFACE_ID, 0, 0, null, 0);
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
        byte[] ip6 = null;
        if (port.ip6Address() != null) {
            if (!(IpLiteral.parse(port.ip6Address()) instanceof Inet6Address v6)) {
                throw new IllegalArgumentException("port " + port.id() + ": ip6-address " + port.ip6Address()
                        + " is not an IPv6 address");
            }
            ip6 = v6.getAddress();
        }
        return of(port, io, port.interfaceIndex(), mac, ip, ip6, md);
    }

    private static PortState of(VmPort port, PacketIo io, int nh, long mac, int ip, byte[] ip6, int metadataIp) {
        ByteBuffer v6 = ByteBuffer.wrap(ip6 == null ? new byte[16] : ip6);
        return new PortState(port, io, nh, mac, ip, v6.getLong(), v6.getLong(), metadataIp,
                new AtomicLongArray(COUNTERS));
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

    /**
     * Whether an IPv6 source is this guest's: its port's {@code ip6-address}, or any fe80::/64
     * address but the service's own (fe80::a9fe:a9fe). A guest's link-local address is its own
     * choice (EUI-64 from the MAC, or RFC 7217 stable-private), and the link is the port alone:
     * flows are keyed by the port, so whatever link-local address it claims harms only itself.
     */
    boolean isOwnSource6(long hi, long lo) {
        if ((ip6Hi | ip6Lo) != 0 && hi == ip6Hi && lo == ip6Lo) {
            return true;
        }
        return Ipv6.isLinkLocal(hi) && lo != (LINK_LOCAL_METADATA & 0xFFFF_FFFFL) && lo != 0;
    }

    /** The low 64 bits of the port's IPv6 metadata source fe80::a9fe:XXYY; 0 when it has none. */
    long metadataIp6Lo() {
        return metadataIp & 0xFFFF_FFFFL;
    }

    /** 169.254.169.254. */
    private static final int LINK_LOCAL_METADATA = 0xA9FE_A9FE;

    boolean isVhost() {
        return port == null;
    }

    void count(int which) {
        counters.lazySet(which, counters.get(which) + 1);
    }

    void add(int which, int n) {
        counters.lazySet(which, counters.get(which) + n);
    }

    String name() {
        return io.interfaceName();
    }
}
