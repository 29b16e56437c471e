package io.vrouter.packet;

/**
 * ICMPv6 (RFC 4443) and neighbour discovery (RFC 4861). Offsets are from the start of the ICMPv6
 * header; its checksum covers the IPv6 pseudo-header ({@link Checksum#pseudoHeaderSum6}).
 *
 * <pre>
 * Neighbor Solicitation (135) / Neighbor Advertisement (136):
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |R|S|O|                     Reserved (NS: all reserved)         |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Target Address (128 bits)               |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Options: | Type | Length (8-byte units, never 0) | ...       | 24
 *     1 = source link-layer address, 2 = target link-layer address:
 *     | Type | Len=1 |      Ethernet address (48 bits)      |
 * </pre>
 *
 * Echo request (128) / reply (129) have ICMP's layout ({@link Icmp#ECHO_ID}). Types below 128
 * are errors.
 */
public final class Icmpv6 {
    public static final int ECHO_REQUEST = 128;
    public static final int ECHO_REPLY = 129;
    public static final int ROUTER_SOLICITATION = 133;
    public static final int ROUTER_ADVERTISEMENT = 134;
    public static final int NEIGHBOR_SOLICITATION = 135;
    public static final int NEIGHBOR_ADVERTISEMENT = 136;
    public static final int REDIRECT = 137;

    public static final int FLAGS = 4;
    public static final int ND_TARGET = 8;
    public static final int ND_OPTIONS = 24;
    /** NS / NA without options. */
    public static final int ND_MIN_LENGTH = 24;
    public static final int OPT_SOURCE_LINK_ADDR = 1;
    public static final int OPT_TARGET_LINK_ADDR = 2;
    /** Hop limit every ND message is sent with and must arrive with (RFC 4861 6.1, 7.1). */
    public static final int ND_HOP_LIMIT = 255;

    public static final int NA_ROUTER = 0x8000_0000;
    public static final int NA_SOLICITED = 0x4000_0000;
    public static final int NA_OVERRIDE = 0x2000_0000;

    /** An untagged NA with a target link-layer address option: 14 + 40 + 24 + 8. */
    public static final int NA_FRAME_LENGTH = Ethernet.HEADER_LENGTH + Ipv6.HEADER_LENGTH + ND_MIN_LENGTH + 8;

    private Icmpv6() {
    }

    /** Whether the type is a neighbour-discovery message (133-137): hop limit 255 required. */
    public static boolean isNeighborDiscovery(int type) {
        return type >= ROUTER_SOLICITATION && type <= REDIRECT;
    }

    /** Whether the ICMPv6 checksum of the parsed IPv6 packet is right. */
    public static boolean checksumValid(byte[] b, ParsedPacket p) {
        int sum = Checksum.pseudoHeaderSum6(p.srcIp6Hi(), p.srcIp6Lo(), p.dstIp6Hi(), p.dstIp6Lo(),
                Ipv6.NH_ICMPV6, p.l4Length());
        return Checksum.fold(Checksum.add(sum, b, p.l4Offset(), p.l4Length())) == 0xffff;
    }

    /**
     * The answer to the neighbour solicitation parsed into {@code ns} ("the target is at
     * {@code ourMac}"), untagged: Ethernet to the solicitor's link-layer address (its option,
     * else the frame's source), IPv6 from the target to the solicitor with hop limit 255, flags
     * Solicited and Override (not Router: the target is a host service), a target link-layer
     * address option, and the ICMPv6 checksum. A solicitation from the unspecified address
     * (duplicate address detection) is answered to all-nodes without Solicited (RFC 4861 7.2.4).
     *
     * @param solicitorMac the solicitation's Ethernet source
     * @return the frame length, or -1 when {@code ns} is not a parsed NS or {@code out} has no room
     */
    public static int buildAdvertisementTo(ParsedPacket ns, long solicitorMac, long ourMac, byte[] out, int off) {
        if (!ns.isIpv6() || ns.icmpType() != NEIGHBOR_SOLICITATION || out == null || off < 0
                || out.length - off < NA_FRAME_LENGTH) {
            return -1;
        }
        boolean dad = Ipv6.isUnspecified(ns.srcIp6Hi(), ns.srcIp6Lo());
        long dstHi = dad ? Ipv6.ALL_NODES_HI : ns.srcIp6Hi();
        long dstLo = dad ? Ipv6.ALL_NODES_LO : ns.srcIp6Lo();
        long dstMac = dad ? Ipv6.multicastMac(Ipv6.ALL_NODES_LO)
                : ns.ndSourceLinkAddr() >= 0 ? ns.ndSourceLinkAddr() : solicitorMac;
        int l3 = Ethernet.writeHeader(out, off, dstMac, ourMac, -1, Ethernet.TYPE_IPV6);
        int len = ND_MIN_LENGTH + 8;
        Bytes.put32(out, l3 + Ipv6.VERSION_CLASS_FLOW, 6 << 28);
        Bytes.put16(out, l3 + Ipv6.PAYLOAD_LENGTH, len);
        Bytes.put8(out, l3 + Ipv6.NEXT_HEADER, Ipv6.NH_ICMPV6);
        Bytes.put8(out, l3 + Ipv6.HOP_LIMIT, ND_HOP_LIMIT);
        Ipv6.putAddress(out, l3 + Ipv6.SRC_ADDR, ns.ndTargetHi(), ns.ndTargetLo());
        Ipv6.putAddress(out, l3 + Ipv6.DST_ADDR, dstHi, dstLo);
        int l4 = l3 + Ipv6.HEADER_LENGTH;
        Bytes.put8(out, l4, NEIGHBOR_ADVERTISEMENT);
        Bytes.put8(out, l4 + 1, 0);
        Bytes.put16(out, l4 + Icmp.CHECKSUM, 0);
        Bytes.put32(out, l4 + FLAGS, dad ? NA_OVERRIDE : NA_SOLICITED | NA_OVERRIDE);
        Ipv6.putAddress(out, l4 + ND_TARGET, ns.ndTargetHi(), ns.ndTargetLo());
        Bytes.put8(out, l4 + ND_OPTIONS, OPT_TARGET_LINK_ADDR);
        Bytes.put8(out, l4 + ND_OPTIONS + 1, 1);
        Bytes.put48(out, l4 + ND_OPTIONS + 2, ourMac);
        int pseudo = Checksum.pseudoHeaderSum6(ns.ndTargetHi(), ns.ndTargetLo(), dstHi, dstLo, Ipv6.NH_ICMPV6, len);
        Bytes.put16(out, l4 + Icmp.CHECKSUM, Checksum.computeWithPseudoHeader(out, l4, len, Ipv6.NH_ICMPV6, pseudo));
        return l4 + len - off;
    }
}
