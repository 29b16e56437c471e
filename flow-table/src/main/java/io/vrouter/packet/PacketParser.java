package io.vrouter.packet;

import io.vrouter.drop.DropReason;

/**
 * Decodes an Ethernet frame into a {@link ParsedPacket}. Returns {@code 0} when the frame is
 * fit for a flow lookup, else the {@link DropReason#code()} of the first problem found. It never
 * throws on any content of the frame and never allocates.
 *
 * <h2>What is accepted</h2>
 * <table>
 *   <caption>Parse outcomes</caption>
 *   <tr><th>Input</th><th>Result</th></tr>
 *   <tr><td>{@code buffer == null}, negative offset/length, or offset+length beyond the array</td>
 *       <td>{@link DropReason#TRUNCATED}</td></tr>
 *   <tr><td>length &gt; {@link #maxFrameLength()} (default {@value #DEFAULT_MAX_FRAME_LENGTH})</td>
 *       <td>{@link DropReason#OVERSIZED}</td></tr>
 *   <tr><td>shorter than the Ethernet header, the 802.1Q tag, the fixed 20-byte IPv4 header,
 *       or the 28-byte ARP body</td><td>{@link DropReason#TRUNCATED}</td></tr>
 *   <tr><td>EtherType other than IPv4/ARP, or a second VLAN tag (QinQ)</td>
 *       <td>{@link DropReason#UNSUPPORTED_ETHERTYPE}</td></tr>
 *   <tr><td>ARP that is not Ethernet/IPv4 (htype 1, ptype 0x0800, 6/4) request or reply</td>
 *       <td>{@link DropReason#BAD_ARP}</td></tr>
 *   <tr><td>IP version not 4</td><td>{@link DropReason#BAD_IP_VERSION}</td></tr>
 *   <tr><td>IHL &lt; 5 or header beyond the frame</td><td>{@link DropReason#BAD_IP_HEADER_LENGTH}</td></tr>
 *   <tr><td>total length below the header length or beyond the frame (Ethernet padding after
 *       it is allowed)</td><td>{@link DropReason#BAD_IP_TOTAL_LENGTH}</td></tr>
 *   <tr><td>IPv4 header checksum wrong (when verification is on, the default)</td>
 *       <td>{@link DropReason#BAD_CHECKSUM}</td></tr>
 *   <tr><td>non-first fragment (offset &ne; 0): no ports to match a flow</td>
 *       <td>{@link DropReason#FRAGMENT}</td></tr>
 *   <tr><td>protocol other than TCP, UDP, ICMP</td><td>{@link DropReason#UNSUPPORTED_PROTOCOL}</td></tr>
 *   <tr><td>TCP shorter than 20 bytes or data offset outside [5, payload]; UDP shorter than 8
 *       or its length field outside [8, payload] (a first fragment's may exceed the fragment);
 *       ICMP shorter than 8; an ICMP error whose quoted IPv4 header + 8 bytes is missing or
 *       malformed, or that quotes an ICMP error</td><td>{@link DropReason#BAD_L4_HEADER}</td></tr>
 *   <tr><td>ICMP error quoting a non-first fragment</td><td>{@link DropReason#FRAGMENT}</td></tr>
 *   <tr><td>ICMP error quoting a protocol other than TCP/UDP/ICMP</td>
 *       <td>{@link DropReason#UNSUPPORTED_PROTOCOL}</td></tr>
 *   <tr><td>IPv6: shorter than 40 bytes</td><td>{@link DropReason#TRUNCATED}</td></tr>
 *   <tr><td>IPv6: payload length beyond the frame</td><td>{@link DropReason#BAD_IP_TOTAL_LENGTH}</td></tr>
 *   <tr><td>IPv6: more than {@value Ipv6#MAX_EXTENSION_HEADERS} extension headers, hop-by-hop
 *       not first, or one running past the payload</td><td>{@link DropReason#BAD_IPV6_EXTENSION}</td></tr>
 *   <tr><td>IPv6: non-first fragment</td><td>{@link DropReason#FRAGMENT}</td></tr>
 *   <tr><td>IPv6: upper layer other than TCP, UDP, ICMPv6 (ESP, AH, no next header...)</td>
 *       <td>{@link DropReason#UNSUPPORTED_PROTOCOL}</td></tr>
 *   <tr><td>neighbour discovery (ICMPv6 133-137) with a hop limit other than 255</td>
 *       <td>{@link DropReason#NDP_HOP_LIMIT}</td></tr>
 *   <tr><td>NS/NA with code &ne; 0, shorter than 24 bytes, a multicast target, an option of
 *       length 0 or past the message, or a source link-layer option from {@code ::}</td>
 *       <td>{@link DropReason#BAD_NDP}</td></tr>
 * </table>
 * The first fragment of a datagram (MF set, offset 0) is parsed like a whole packet, its ports
 * included, and flagged by {@link ParsedPacket#isFirstFragment()}. IP options are skipped, not
 * interpreted. The TCP/UDP/ICMP checksums are not verified: the receiver does that, and a
 * rewrite preserves their correctness or incorrectness exactly.
 *
 * <p>Immutable; one instance may be shared by any number of threads.
 */
public final class PacketParser {
    /** Default largest accepted frame (bytes, without FCS): a 9000-byte jumbo MTU plus headers. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 9216;
    /** Smallest configurable maximum: an untagged Ethernet + fixed IPv4 + TCP header. */
    public static final int MIN_MAX_FRAME_LENGTH = Ethernet.HEADER_LENGTH + Ipv4.MIN_HEADER_LENGTH + Tcp.MIN_HEADER_LENGTH;
    /** Largest configurable maximum: an IPv4 datagram of 65535 bytes in a tagged frame. */
    public static final int MAX_MAX_FRAME_LENGTH = 65535 + Ethernet.HEADER_LENGTH + Ethernet.VLAN_TAG_LENGTH;

    private static final int TRUNCATED = DropReason.TRUNCATED.code();
    private static final int OVERSIZED = DropReason.OVERSIZED.code();
    private static final int UNSUPPORTED_ETHERTYPE = DropReason.UNSUPPORTED_ETHERTYPE.code();
    private static final int BAD_IP_VERSION = DropReason.BAD_IP_VERSION.code();
    private static final int BAD_IP_HEADER_LENGTH = DropReason.BAD_IP_HEADER_LENGTH.code();
    private static final int BAD_IP_TOTAL_LENGTH = DropReason.BAD_IP_TOTAL_LENGTH.code();
    private static final int BAD_L4_HEADER = DropReason.BAD_L4_HEADER.code();
    private static final int UNSUPPORTED_PROTOCOL = DropReason.UNSUPPORTED_PROTOCOL.code();
    private static final int FRAGMENT = DropReason.FRAGMENT.code();
    private static final int BAD_ARP = DropReason.BAD_ARP.code();
    private static final int BAD_CHECKSUM = DropReason.BAD_CHECKSUM.code();
    private static final int BAD_IPV6_EXTENSION = DropReason.BAD_IPV6_EXTENSION.code();
    private static final int BAD_NDP = DropReason.BAD_NDP.code();
    private static final int NDP_HOP_LIMIT = DropReason.NDP_HOP_LIMIT.code();

    private final int maxFrameLength;
    private final boolean verifyIpChecksum;

    /** A parser with {@link #DEFAULT_MAX_FRAME_LENGTH} that verifies IPv4 header checksums. */
    public PacketParser() {
        this(DEFAULT_MAX_FRAME_LENGTH, true);
    }

    /**
     * @param maxFrameLength   largest accepted frame in bytes, in
     *                         [{@value #MIN_MAX_FRAME_LENGTH}, {@value #MAX_MAX_FRAME_LENGTH}]
     * @param verifyIpChecksum whether a wrong IPv4 header checksum drops the packet
     * @throws IllegalArgumentException when {@code maxFrameLength} is out of range (configuration
     *                                  time, not per packet)
     */
    public PacketParser(int maxFrameLength, boolean verifyIpChecksum) {
        if (maxFrameLength < MIN_MAX_FRAME_LENGTH || maxFrameLength > MAX_MAX_FRAME_LENGTH) {
            throw new IllegalArgumentException("maxFrameLength must be in [" + MIN_MAX_FRAME_LENGTH + ", "
                    + MAX_MAX_FRAME_LENGTH + "], got " + maxFrameLength);
        }
        this.maxFrameLength = maxFrameLength;
        this.verifyIpChecksum = verifyIpChecksum;
    }

    public int maxFrameLength() {
        return maxFrameLength;
    }

    public boolean verifiesIpChecksum() {
        return verifyIpChecksum;
    }

    /** Parses a whole array as one frame. */
    public int parse(byte[] frame, ParsedPacket out) {
        return parse(frame, 0, frame == null ? 0 : frame.length, out);
    }

    /**
     * Parses the frame {@code [offset, offset+length)} of {@code buf} into {@code out}
     * (reset first). Returns 0, or a {@link DropReason} code; {@code out.isValid()} is true
     * exactly when 0 is returned.
     */
    public int parse(byte[] buf, int offset, int length, ParsedPacket out) {
        out.reset();
        if (buf == null || offset < 0 || length < 0 || offset > buf.length - length) {
            return TRUNCATED;
        }
        if (length > maxFrameLength) {
            return OVERSIZED;
        }
        out.frameOffset = offset;
        out.frameLength = length;
        if (length < Ethernet.HEADER_LENGTH) {
            return TRUNCATED;
        }
        int end = offset + length;
        int type = Bytes.u16(buf, offset + Ethernet.ETHERTYPE);
        int l3 = offset + Ethernet.HEADER_LENGTH;
        if (type == Ethernet.TYPE_VLAN) {
            if (length < Ethernet.HEADER_LENGTH + Ethernet.VLAN_TAG_LENGTH) {
                return TRUNCATED;
            }
            out.vlanTci = Bytes.u16(buf, offset + Ethernet.VLAN_TCI);
            type = Bytes.u16(buf, offset + Ethernet.VLAN_ETHERTYPE);
            l3 += Ethernet.VLAN_TAG_LENGTH;
        }
        out.etherType = type;
        int result;
        if (type == Ethernet.TYPE_IPV4) {
            result = parseIpv4(buf, l3, end, out);
        } else if (type == Ethernet.TYPE_IPV6) {
            result = parseIpv6(buf, l3, end, out);
        } else if (type == Ethernet.TYPE_ARP) {
            result = parseArp(buf, l3, end, out);
        } else {
            return UNSUPPORTED_ETHERTYPE;
        }
        out.valid = result == 0;
        return result;
    }

    private static int parseArp(byte[] b, int l3, int end, ParsedPacket out) {
        if (end - l3 < Arp.LENGTH) {
            return TRUNCATED;
        }
        int op = Bytes.u16(b, l3 + Arp.OPER);
        if (Bytes.u16(b, l3 + Arp.HTYPE) != Arp.HTYPE_ETHERNET || Bytes.u16(b, l3 + Arp.PTYPE) != Ethernet.TYPE_IPV4
                || b[l3 + Arp.HLEN] != 6 || b[l3 + Arp.PLEN] != 4 || (op != Arp.OP_REQUEST && op != Arp.OP_REPLY)) {
            return BAD_ARP;
        }
        out.l3Offset = l3;
        out.arpOperation = op;
        out.arpSenderMac = Bytes.u48(b, l3 + Arp.SENDER_MAC);
        out.arpSenderIp = Bytes.i32(b, l3 + Arp.SENDER_IP);
        out.arpTargetMac = Bytes.u48(b, l3 + Arp.TARGET_MAC);
        out.arpTargetIp = Bytes.i32(b, l3 + Arp.TARGET_IP);
        return 0;
    }

    private int parseIpv4(byte[] b, int l3, int end, ParsedPacket out) {
        int avail = end - l3;
        if (avail < Ipv4.MIN_HEADER_LENGTH) {
            return TRUNCATED;
        }
        int vihl = b[l3] & 0xff;
        if ((vihl >>> 4) != 4) {
            return BAD_IP_VERSION;
        }
        int ihl = (vihl & 0x0f) << 2;
        if (ihl < Ipv4.MIN_HEADER_LENGTH || ihl > avail) {
            return BAD_IP_HEADER_LENGTH;
        }
        int total = Bytes.u16(b, l3 + Ipv4.TOTAL_LENGTH);
        if (total < ihl || total > avail) {
            return BAD_IP_TOTAL_LENGTH;
        }
        if (verifyIpChecksum && !Checksum.verify(b, l3, ihl)) {
            return BAD_CHECKSUM;
        }
        out.l3Offset = l3;
        out.ipHeaderLength = ihl;
        out.ipTotalLength = total;
        int proto = b[l3 + Ipv4.PROTOCOL] & 0xff;
        out.ipProtocol = proto;
        out.ipTtl = b[l3 + Ipv4.TTL] & 0xff;
        int ff = Bytes.u16(b, l3 + Ipv4.FLAGS_FRAGMENT);
        out.ipFlagsFragment = ff;
        out.srcIp = Bytes.i32(b, l3 + Ipv4.SRC_ADDR);
        out.dstIp = Bytes.i32(b, l3 + Ipv4.DST_ADDR);
        if ((ff & Ipv4.FRAGMENT_OFFSET_MASK) != 0) {
            return FRAGMENT;
        }
        int l4 = l3 + ihl;
        int l4Len = total - ihl;
        out.l4Offset = l4;
        out.l4Length = l4Len;
        switch (proto) {
            case Ipv4.PROTO_TCP:
                return parseTcp(b, l4, l4Len, out);
            case Ipv4.PROTO_UDP:
                return parseUdp(b, l4, l4Len, (ff & Ipv4.FLAG_MF) != 0, out);
            case Ipv4.PROTO_ICMP:
                return parseIcmp(b, l4, l4Len, out);
            default:
                return UNSUPPORTED_PROTOCOL;
        }
    }

    /**
     * IPv6: the fixed header, then up to {@link Ipv6#MAX_EXTENSION_HEADERS} hop-by-hop (first
     * only), routing, destination-options and fragment headers, each bounds-checked against the
     * payload length, then TCP, UDP or ICMPv6. Jumbograms (payload length 0 with a jumbo option)
     * are not supported: their upper layer is then too short.
     */
    private int parseIpv6(byte[] b, int l3, int end, ParsedPacket out) {
        if (end - l3 < Ipv6.HEADER_LENGTH) {
            return TRUNCATED;
        }
        if ((b[l3] & 0xff) >>> 4 != 6) {
            return BAD_IP_VERSION;
        }
        int payload = Bytes.u16(b, l3 + Ipv6.PAYLOAD_LENGTH);
        int pend = l3 + Ipv6.HEADER_LENGTH + payload;
        if (pend > end) {
            return BAD_IP_TOTAL_LENGTH;
        }
        out.l3Offset = l3;
        out.ipTotalLength = Ipv6.HEADER_LENGTH + payload;
        out.ipTtl = b[l3 + Ipv6.HOP_LIMIT] & 0xff;
        out.srcIp6Hi = Ipv6.addressHi(b, l3 + Ipv6.SRC_ADDR);
        out.srcIp6Lo = Ipv6.addressLo(b, l3 + Ipv6.SRC_ADDR);
        out.dstIp6Hi = Ipv6.addressHi(b, l3 + Ipv6.DST_ADDR);
        out.dstIp6Lo = Ipv6.addressLo(b, l3 + Ipv6.DST_ADDR);
        int nh = b[l3 + Ipv6.NEXT_HEADER] & 0xff;
        int off = l3 + Ipv6.HEADER_LENGTH;
        int ff = 0;
        for (int n = 0; isExtension(nh); n++) {
            if (n == Ipv6.MAX_EXTENSION_HEADERS || (nh == Ipv6.NH_HOP_BY_HOP && n != 0) || pend - off < 8) {
                return BAD_IPV6_EXTENSION;
            }
            int next = b[off] & 0xff;
            if (nh == Ipv6.NH_FRAGMENT) {
                int frag = Bytes.u16(b, off + 2);
                ff = ((frag & Ipv6.FRAGMENT_M) != 0 ? Ipv4.FLAG_MF : 0) | (frag >>> 3);
                off += Ipv6.FRAGMENT_HEADER_LENGTH;
            } else {
                int len = ((b[off + 1] & 0xff) + 1) << 3;
                if (len > pend - off) {
                    return BAD_IPV6_EXTENSION;
                }
                off += len;
            }
            nh = next;
        }
        out.ipHeaderLength = off - l3;
        out.ipProtocol = nh;
        out.ipFlagsFragment = ff;
        if ((ff & Ipv4.FRAGMENT_OFFSET_MASK) != 0) {
            return FRAGMENT;
        }
        int l4Len = pend - off;
        out.l4Offset = off;
        out.l4Length = l4Len;
        switch (nh) {
            case Ipv4.PROTO_TCP:
                return parseTcp(b, off, l4Len, out);
            case Ipv4.PROTO_UDP:
                return parseUdp(b, off, l4Len, (ff & Ipv4.FLAG_MF) != 0, out);
            case Ipv6.NH_ICMPV6:
                return parseIcmpv6(b, off, l4Len, out);
            default:
                return UNSUPPORTED_PROTOCOL;
        }
    }

    private static boolean isExtension(int nh) {
        return nh == Ipv6.NH_HOP_BY_HOP || nh == Ipv6.NH_ROUTING || nh == Ipv6.NH_DEST_OPTIONS
                || nh == Ipv6.NH_FRAGMENT;
    }

    /**
     * ICMPv6: echo ids as ports (as for ICMP); neighbour discovery validated as RFC 4861 7.1
     * asks (hop limit 255, code 0, length, non-multicast target, options of non-zero length
     * within the message, no source link-layer option from the unspecified address). Errors
     * (types below 128) are not decoded further: the dataplane has no IPv6 flow an error could
     * belong to but the metadata pair, whose TCP handles a lost segment itself.
     */
    private static int parseIcmpv6(byte[] b, int l4, int l4Len, ParsedPacket out) {
        if (l4Len < Icmp.HEADER_LENGTH) {
            return BAD_L4_HEADER;
        }
        int type = icmpHeader(b, l4, Icmpv6.ECHO_REQUEST, Icmpv6.ECHO_REPLY, out);
        if (Icmpv6.isNeighborDiscovery(type)) {
            if (out.ipTtl != Icmpv6.ND_HOP_LIMIT) {
                return NDP_HOP_LIMIT;
            }
            if (out.icmpCode != 0) {
                return BAD_NDP;
            }
            if (type == Icmpv6.NEIGHBOR_SOLICITATION || type == Icmpv6.NEIGHBOR_ADVERTISEMENT) {
                return parseNeighbor(b, l4, l4Len, out);
            }
        }
        return 0;
    }

    private static int parseNeighbor(byte[] b, int l4, int l4Len, ParsedPacket out) {
        if (l4Len < Icmpv6.ND_MIN_LENGTH) {
            return BAD_NDP;
        }
        long hi = Ipv6.addressHi(b, l4 + Icmpv6.ND_TARGET);
        if (Ipv6.isMulticast(hi)) {
            return BAD_NDP;
        }
        out.ndTargetHi = hi;
        out.ndTargetLo = Ipv6.addressLo(b, l4 + Icmpv6.ND_TARGET);
        int end = l4 + l4Len;
        for (int o = l4 + Icmpv6.ND_OPTIONS; o < end; ) {
            if (end - o < 2) {
                return BAD_NDP;
            }
            int len = (b[o + 1] & 0xff) << 3;
            if (len == 0 || len > end - o) {
                return BAD_NDP;
            }
            int type = b[o] & 0xff;
            if (len >= 8 && type == Icmpv6.OPT_SOURCE_LINK_ADDR) {
                out.ndSourceLinkAddr = Bytes.u48(b, o + 2);
            } else if (len >= 8 && type == Icmpv6.OPT_TARGET_LINK_ADDR) {
                out.ndTargetLinkAddr = Bytes.u48(b, o + 2);
            }
            o += len;
        }
        if (out.ndSourceLinkAddr >= 0 && Ipv6.isUnspecified(out.srcIp6Hi, out.srcIp6Lo)) {
            return BAD_NDP;
        }
        return 0;
    }

    private static int parseTcp(byte[] b, int l4, int l4Len, ParsedPacket out) {
        if (l4Len < Tcp.MIN_HEADER_LENGTH) {
            return BAD_L4_HEADER;
        }
        int doff = ((b[l4 + Tcp.DATA_OFFSET] & 0xff) >>> 4) << 2;
        if (doff < Tcp.MIN_HEADER_LENGTH || doff > l4Len) {
            return BAD_L4_HEADER;
        }
        out.l4HeaderLength = doff;
        out.srcPort = Bytes.u16(b, l4 + Tcp.SRC_PORT);
        out.dstPort = Bytes.u16(b, l4 + Tcp.DST_PORT);
        out.tcpFlags = b[l4 + Tcp.FLAGS] & 0xff;
        return 0;
    }

    private static int parseUdp(byte[] b, int l4, int l4Len, boolean moreFragments, ParsedPacket out) {
        if (l4Len < Udp.HEADER_LENGTH) {
            return BAD_L4_HEADER;
        }
        int udpLen = Bytes.u16(b, l4 + Udp.LENGTH);
        // A first fragment carries only part of the datagram the UDP length describes.
        if (udpLen < Udp.HEADER_LENGTH || (udpLen > l4Len && !moreFragments)) {
            return BAD_L4_HEADER;
        }
        out.l4HeaderLength = Udp.HEADER_LENGTH;
        out.srcPort = Bytes.u16(b, l4 + Udp.SRC_PORT);
        out.dstPort = Bytes.u16(b, l4 + Udp.DST_PORT);
        return 0;
    }

    private static int parseIcmp(byte[] b, int l4, int l4Len, ParsedPacket out) {
        if (l4Len < Icmp.HEADER_LENGTH) {
            return BAD_L4_HEADER;
        }
        int type = icmpHeader(b, l4, Icmp.ECHO_REQUEST, Icmp.ECHO_REPLY, out);
        if (Icmp.isError(type)) {
            return parseIcmpErrorInner(b, l4 + Icmp.ERROR_INNER, l4 + l4Len, out);
        }
        return 0;
    }

    /**
     * Type, code and (for an echo) the identifier as the querier's port, shared by ICMP and
     * ICMPv6 (same layout, other type numbers); the caller checked the 8 bytes are there.
     *
     * @return the type
     */
    private static int icmpHeader(byte[] b, int l4, int echoRequest, int echoReply, ParsedPacket out) {
        out.l4HeaderLength = Icmp.HEADER_LENGTH;
        int type = b[l4 + Icmp.TYPE] & 0xff;
        out.icmpType = type;
        out.icmpCode = b[l4 + Icmp.CODE] & 0xff;
        if (type == echoRequest) {
            out.icmpId = Bytes.u16(b, l4 + Icmp.ECHO_ID);
            out.srcPort = out.icmpId;
        } else if (type == echoReply) {
            out.icmpId = Bytes.u16(b, l4 + Icmp.ECHO_ID);
            out.dstPort = out.icmpId;
        }
        return type;
    }

    /** The offending packet quoted by an ICMP error: IPv4 header + at least 8 bytes of L4. */
    private static int parseIcmpErrorInner(byte[] b, int in, int end, ParsedPacket out) {
        int avail = end - in;
        if (avail < Ipv4.MIN_HEADER_LENGTH + Icmp.ERROR_QUOTED_L4_BYTES) {
            return BAD_L4_HEADER;
        }
        int vihl = b[in] & 0xff;
        int ihl = (vihl & 0x0f) << 2;
        if ((vihl >>> 4) != 4 || ihl < Ipv4.MIN_HEADER_LENGTH || ihl + Icmp.ERROR_QUOTED_L4_BYTES > avail) {
            return BAD_L4_HEADER;
        }
        if ((Bytes.u16(b, in + Ipv4.FLAGS_FRAGMENT) & Ipv4.FRAGMENT_OFFSET_MASK) != 0) {
            return FRAGMENT;
        }
        int proto = b[in + Ipv4.PROTOCOL] & 0xff;
        int il4 = in + ihl;
        int srcPort;
        int dstPort;
        int innerIcmpType = -1;
        if (proto == Ipv4.PROTO_TCP || proto == Ipv4.PROTO_UDP) {
            srcPort = Bytes.u16(b, il4);
            dstPort = Bytes.u16(b, il4 + 2);
        } else if (proto == Ipv4.PROTO_ICMP) {
            innerIcmpType = b[il4 + Icmp.TYPE] & 0xff;
            if (Icmp.isError(innerIcmpType)) {
                return BAD_L4_HEADER; // RFC 1122 3.2.2: never an error about an error
            }
            int id = Bytes.u16(b, il4 + Icmp.ECHO_ID);
            srcPort = innerIcmpType == Icmp.ECHO_REQUEST ? id : 0;
            dstPort = innerIcmpType == Icmp.ECHO_REPLY ? id : 0;
        } else {
            return UNSUPPORTED_PROTOCOL;
        }
        out.icmpError = true;
        out.innerL3Offset = in;
        out.innerIpHeaderLength = ihl;
        out.innerProtocol = proto;
        out.innerSrcIp = Bytes.i32(b, in + Ipv4.SRC_ADDR);
        out.innerDstIp = Bytes.i32(b, in + Ipv4.DST_ADDR);
        out.innerL4Offset = il4;
        out.innerL4Available = avail - ihl;
        out.innerSrcPort = srcPort;
        out.innerDstPort = dstPort;
        out.innerIcmpType = innerIcmpType;
        return 0;
    }
}
