package io.vrouter.packet;

/**
 * ICMP layout (RFC 792). Offsets are from the start of the ICMP header.
 *
 * <pre>
 * Echo request (8) / echo reply (0):
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Identifier          |        Sequence Number        |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Data ...
 *
 * Errors: destination unreachable (3), source quench (4), redirect (5),
 * time exceeded (11), parameter problem (12):
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    unused / next-hop MTU / pointer / gateway address          |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   Offending packet: its IPv4 header + at least 64 bits of     |  8
 * |   its payload (ports of TCP/UDP, id of ICMP echo)             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * The checksum covers the whole ICMP message and no pseudo-header.
 * </pre>
 */
public final class Icmp {
    public static final int TYPE = 0;
    public static final int CODE = 1;
    public static final int CHECKSUM = 2;
    public static final int ECHO_ID = 4;
    public static final int ECHO_SEQ = 6;
    /** Offset of the offending packet's IPv4 header in an ICMP error. */
    public static final int ERROR_INNER = 8;
    public static final int HEADER_LENGTH = 8;
    /** Payload bytes of the offending packet an ICMP error must quote (RFC 792). */
    public static final int ERROR_QUOTED_L4_BYTES = 8;

    public static final int ECHO_REPLY = 0;
    public static final int DEST_UNREACHABLE = 3;
    public static final int SOURCE_QUENCH = 4;
    public static final int REDIRECT = 5;
    public static final int ECHO_REQUEST = 8;
    public static final int TIME_EXCEEDED = 11;
    public static final int PARAMETER_PROBLEM = 12;

    public static final int CODE_NET_UNREACHABLE = 0;
    public static final int CODE_HOST_UNREACHABLE = 1;
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    public static final int CODE_PORT_UNREACHABLE = 3;
    public static final int CODE_FRAGMENTATION_NEEDED = 4;
    public static final int CODE_ADMIN_PROHIBITED = 13;

    /**
     * Largest frame {@link #buildError} writes: 802.1Q Ethernet (18) + IPv4 (20) + ICMP (8) +
     * quoted IPv4 header with options (60) + quoted payload (8).
     */
    public static final int MAX_ERROR_FRAME_LENGTH = 18 + 20 + 8 + 60 + 8;

    private Icmp() {
    }

    /** Whether {@code type} is an ICMP error that quotes an offending packet. */
    public static boolean isError(int type) {
        return type == DEST_UNREACHABLE || type == TIME_EXCEEDED || type == PARAMETER_PROBLEM
                || type == SOURCE_QUENCH || type == REDIRECT;
    }

    /**
     * Builds an ICMP error frame (e.g. {@link #DEST_UNREACHABLE} / {@link #CODE_PORT_UNREACHABLE})
     * about the packet parsed into {@code offending} (which lies in {@code orig}), addressed
     * back to its sender: IP source {@code srcIp}, IP destination the offending packet's source.
     * Quotes the offending IPv4 header and up to 8 bytes of its payload (RFC 792).
     * Never answers an ICMP error with an ICMP error (RFC 1122 3.2.2).
     *
     * @param out     buffer to write into, at {@code outOff}, with room for
     *                {@link #MAX_ERROR_FRAME_LENGTH} bytes
     * @param vlanId  802.1Q VLAN id of the reply, or -1 for untagged
     * @param rest    the 32-bit "rest of header" word (next-hop MTU for fragmentation needed, else 0)
     * @return the frame length written, or -1 (nothing sensible to send: the offending packet
     *         is not a parsed IPv4 packet, is itself an ICMP error, or {@code out} is too small)
     */
    public static int buildError(byte[] out, int outOff, long dstMac, long srcMac, int vlanId, int srcIp,
                                 int type, int code, int rest, byte[] orig, ParsedPacket offending) {
        if (!offending.isIpv4() || offending.isIcmpError() || out == null || outOff < 0
                || out.length - outOff < MAX_ERROR_FRAME_LENGTH) {
            return -1;
        }
        int origL3 = offending.l3Offset();
        int quoted = Math.min(offending.ipHeaderLength() + ERROR_QUOTED_L4_BYTES, offending.ipTotalLength());
        int icmpLength = HEADER_LENGTH + quoted;
        int l3 = Ethernet.writeHeader(out, outOff, dstMac, srcMac, vlanId, Ethernet.TYPE_IPV4);
        int l4 = Ipv4.writeHeader(out, l3, Ipv4.MIN_HEADER_LENGTH + icmpLength, 0, Ipv4.DEFAULT_TTL,
                Ipv4.PROTO_ICMP, srcIp, offending.srcIp());
        Bytes.put8(out, l4 + TYPE, type);
        Bytes.put8(out, l4 + CODE, code);
        Bytes.put16(out, l4 + CHECKSUM, 0);
        Bytes.put32(out, l4 + 4, rest);
        System.arraycopy(orig, origL3, out, l4 + ERROR_INNER, quoted);
        Bytes.put16(out, l4 + CHECKSUM, Checksum.compute(out, l4, icmpLength));
        return l4 + icmpLength - outOff;
    }
}
