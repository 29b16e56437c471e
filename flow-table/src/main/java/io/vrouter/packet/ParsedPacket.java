package io.vrouter.packet;

/**
 * Reusable, mutable result of {@link PacketParser#parse}: offsets (absolute indices into the
 * parsed array) and decoded header fields. One instance per dataplane thread, reused for every
 * frame; {@link PacketParser#parse} resets it first, so fields of a previous frame never leak.
 * {@link NatRewriter} keeps the address and port fields in step with what it writes.
 *
 * <p>Sentinels instead of null: {@link #vlanId()} is -1 when untagged; offsets are -1 when the
 * header is absent. Fields are meaningful only when the last parse returned 0, and then only
 * for the layers present ({@link #isArp()}, {@link #isIpv4()}, {@link #ipProtocol()}).
 *
 * <h2>Ports</h2>
 * For TCP and UDP, {@link #srcPort()}/{@link #dstPort()} are the header's ports. For ICMP the
 * echo identifier stands in for a port, on the querier's side, so a flow key and its reverse
 * key swap cleanly: an echo request has {@code srcPort = id, dstPort = 0}; an echo reply
 * {@code srcPort = 0, dstPort = id}. Other ICMP messages have both 0. For an ICMP error the
 * outer ports are 0 and the quoted packet's tuple is in the {@code inner*} fields, decoded
 * with the same conventions.
 *
 * <h2>Flow key</h2>
 * Use {@link #flowProtocol()}, {@link #flowSrcIp()}, {@link #flowDstIp()},
 * {@link #flowSrcPort()}, {@link #flowDstPort()} to look a packet's flow up: for ordinary packets
 * they are the packet's own tuple; for an ICMP error they are the quoted packet's tuple reversed,
 * i.e. the key of the flow the error travels in. Pass that flow's NAT to
 * {@link NatRewriter#rewrite} as for any packet of it.
 */
public final class ParsedPacket {
    /** Every field at its "absent" value (the initializers below): what {@link #reset} copies. */
    private static final ParsedPacket ABSENT = new ParsedPacket();

    boolean valid;
    int frameOffset;
    int frameLength;
    int vlanTci = -1;
    int etherType;
    int l3Offset = -1;

    int arpOperation;
    long arpSenderMac;
    int arpSenderIp;
    long arpTargetMac;
    int arpTargetIp;

    int ipHeaderLength;
    int ipTotalLength;
    int ipProtocol = -1;
    int ipTtl;
    int ipFlagsFragment;
    int srcIp;
    int dstIp;
    long srcIp6Hi;
    long srcIp6Lo;
    long dstIp6Hi;
    long dstIp6Lo;

    int l4Offset = -1;
    int l4Length;
    int l4HeaderLength;
    int srcPort;
    int dstPort;
    int tcpFlags;
    int icmpType = -1;
    int icmpCode = -1;
    int icmpId = -1;
    boolean icmpError;
    long ndTargetHi;
    long ndTargetLo;
    long ndSourceLinkAddr = -1;
    long ndTargetLinkAddr = -1;

    int innerL3Offset = -1;
    int innerIpHeaderLength;
    int innerProtocol = -1;
    int innerSrcIp;
    int innerDstIp;
    int innerL4Offset = -1;
    int innerL4Available;
    int innerSrcPort;
    int innerDstPort;
    int innerIcmpType = -1;

    public ParsedPacket() {
    }

    /**
     * Makes this holder an exact copy of {@code other} (no allocation): e.g. to keep the parse
     * of a packet that is queued while the holder is reused for the next frame.
     */
    public void copyFrom(ParsedPacket other) {
        valid = other.valid;
        frameOffset = other.frameOffset;
        frameLength = other.frameLength;
        vlanTci = other.vlanTci;
        etherType = other.etherType;
        l3Offset = other.l3Offset;
        arpOperation = other.arpOperation;
        arpSenderMac = other.arpSenderMac;
        arpSenderIp = other.arpSenderIp;
        arpTargetMac = other.arpTargetMac;
        arpTargetIp = other.arpTargetIp;
        ipHeaderLength = other.ipHeaderLength;
        ipTotalLength = other.ipTotalLength;
        ipProtocol = other.ipProtocol;
        ipTtl = other.ipTtl;
        ipFlagsFragment = other.ipFlagsFragment;
        srcIp = other.srcIp;
        dstIp = other.dstIp;
        srcIp6Hi = other.srcIp6Hi;
        srcIp6Lo = other.srcIp6Lo;
        dstIp6Hi = other.dstIp6Hi;
        dstIp6Lo = other.dstIp6Lo;
        l4Offset = other.l4Offset;
        l4Length = other.l4Length;
        l4HeaderLength = other.l4HeaderLength;
        srcPort = other.srcPort;
        dstPort = other.dstPort;
        tcpFlags = other.tcpFlags;
        icmpType = other.icmpType;
        icmpCode = other.icmpCode;
        icmpId = other.icmpId;
        icmpError = other.icmpError;
        ndTargetHi = other.ndTargetHi;
        ndTargetLo = other.ndTargetLo;
        ndSourceLinkAddr = other.ndSourceLinkAddr;
        ndTargetLinkAddr = other.ndTargetLinkAddr;
        innerL3Offset = other.innerL3Offset;
        innerIpHeaderLength = other.innerIpHeaderLength;
        innerProtocol = other.innerProtocol;
        innerSrcIp = other.innerSrcIp;
        innerDstIp = other.innerDstIp;
        innerL4Offset = other.innerL4Offset;
        innerL4Available = other.innerL4Available;
        innerSrcPort = other.innerSrcPort;
        innerDstPort = other.innerDstPort;
        innerIcmpType = other.innerIcmpType;
    }

    /** Clears every field to its "absent" value (no allocation). */
    public void reset() {
        copyFrom(ABSENT);
    }

    /** True when the last {@link PacketParser#parse} into this holder returned 0. */
    public boolean isValid() {
        return valid;
    }

    // ---- Ethernet ----
    public int frameOffset() {
        return frameOffset;
    }

    public int frameLength() {
        return frameLength;
    }

    /** 802.1Q VLAN id (0-4095), or -1 when the frame is untagged. */
    public int vlanId() {
        return vlanTci < 0 ? -1 : vlanTci & 0x0fff;
    }

    /** 802.1Q priority code point (0-7), or -1 when untagged. */
    public int vlanPriority() {
        return vlanTci < 0 ? -1 : vlanTci >>> 13;
    }

    /** EtherType after any VLAN tag. */
    public int etherType() {
        return etherType;
    }

    /** Offset of the ARP or IPv4 header. */
    public int l3Offset() {
        return l3Offset;
    }

    public boolean isArp() {
        return valid && etherType == Ethernet.TYPE_ARP;
    }

    public boolean isIpv4() {
        return valid && etherType == Ethernet.TYPE_IPV4;
    }

    public boolean isIpv6() {
        return valid && etherType == Ethernet.TYPE_IPV6;
    }

    // ---- ARP ----
    public int arpOperation() {
        return arpOperation;
    }

    public long arpSenderMac() {
        return arpSenderMac;
    }

    public int arpSenderIp() {
        return arpSenderIp;
    }

    public long arpTargetMac() {
        return arpTargetMac;
    }

    public int arpTargetIp() {
        return arpTargetIp;
    }

    // ---- IPv4 ----
    /**
     * IPv4 header length in bytes (IHL x 4), options included; for IPv6 the fixed header plus
     * the extension headers walked, so {@code l3Offset + ipHeaderLength == l4Offset} for both.
     */
    public int ipHeaderLength() {
        return ipHeaderLength;
    }

    public int ipTotalLength() {
        return ipTotalLength;
    }

    /** IP protocol number (IPv6: the upper-layer next header after any extension headers), or -1. */
    public int ipProtocol() {
        return ipProtocol;
    }

    /** IPv4 TTL or IPv6 hop limit. */
    public int ipTtl() {
        return ipTtl;
    }

    /**
     * The raw IPv4 flags + fragment-offset word; for IPv6 with a fragment header the same in
     * IPv4's form (MF 0x2000, offset in 8-byte units), so {@link #isFirstFragment()} serves both.
     */
    public int ipFlagsFragment() {
        return ipFlagsFragment;
    }

    /** True for the first fragment of a fragmented datagram (MF set, offset 0): it has the ports. */
    public boolean isFirstFragment() {
        return (ipFlagsFragment & Ipv4.FLAG_MF) != 0 && (ipFlagsFragment & Ipv4.FRAGMENT_OFFSET_MASK) == 0;
    }

    public int srcIp() {
        return srcIp;
    }

    public int dstIp() {
        return dstIp;
    }

    // ---- IPv6 (zero unless isIpv6()) ----
    public long srcIp6Hi() {
        return srcIp6Hi;
    }

    public long srcIp6Lo() {
        return srcIp6Lo;
    }

    public long dstIp6Hi() {
        return dstIp6Hi;
    }

    public long dstIp6Lo() {
        return dstIp6Lo;
    }

    /** Neighbour solicitation/advertisement target, high 64 bits (0 for other messages). */
    public long ndTargetHi() {
        return ndTargetHi;
    }

    public long ndTargetLo() {
        return ndTargetLo;
    }

    /** The ND source link-layer address option's MAC, or -1 when absent. */
    public long ndSourceLinkAddr() {
        return ndSourceLinkAddr;
    }

    /** The ND target link-layer address option's MAC, or -1 when absent. */
    public long ndTargetLinkAddr() {
        return ndTargetLinkAddr;
    }

    // ---- L4 ----
    /** Offset of the TCP/UDP/ICMP header, or -1. */
    public int l4Offset() {
        return l4Offset;
    }

    /** IP payload length in this packet (total length minus IP header). */
    public int l4Length() {
        return l4Length;
    }

    /** TCP header length incl. options, 8 for UDP and ICMP. */
    public int l4HeaderLength() {
        return l4HeaderLength;
    }

    /** Offset of the L4 payload. */
    public int payloadOffset() {
        return l4Offset + l4HeaderLength;
    }

    public int payloadLength() {
        return l4Length - l4HeaderLength;
    }

    public int srcPort() {
        return srcPort;
    }

    public int dstPort() {
        return dstPort;
    }

    /** TCP flags byte (FIN 0x01 ... CWR 0x80), 0 for other protocols. */
    public int tcpFlags() {
        return tcpFlags;
    }

    /** ICMP or ICMPv6 type, or -1 when neither. */
    public int icmpType() {
        return icmpType;
    }

    public int icmpCode() {
        return icmpCode;
    }

    /** ICMP echo identifier, or -1 when not an echo request/reply. */
    public int icmpId() {
        return icmpId;
    }

    /** True when this is an ICMP error whose quoted packet was parsed into the inner fields. */
    public boolean isIcmpError() {
        return icmpError;
    }

    // ---- flow key ----
    // An ICMP error travels in the reverse direction of the packet it quotes: the quoted tuple,
    // reversed, is the key of the flow the error belongs to, whose NAT NatRewriter.rewrite then
    // applies (mirrored onto the quoted header). One lookup path serves both cases.

    /** IP protocol of the flow key: the packet's own, or for an ICMP error the quoted packet's. */
    public int flowProtocol() {
        return icmpError ? innerProtocol : ipProtocol;
    }

    /** Flow-key source: {@link #srcIp()}, or for an ICMP error {@link #innerDstIp()}. */
    public int flowSrcIp() {
        return icmpError ? innerDstIp : srcIp;
    }

    /** Flow-key destination: {@link #dstIp()}, or for an ICMP error {@link #innerSrcIp()}. */
    public int flowDstIp() {
        return icmpError ? innerSrcIp : dstIp;
    }

    /** Flow-key source port: {@link #srcPort()}, or for an ICMP error {@link #innerDstPort()}. */
    public int flowSrcPort() {
        return icmpError ? innerDstPort : srcPort;
    }

    /** Flow-key destination port: {@link #dstPort()}, or for an ICMP error {@link #innerSrcPort()}. */
    public int flowDstPort() {
        return icmpError ? innerSrcPort : dstPort;
    }

    // ---- ICMP error: the quoted (offending) packet ----
    public int innerL3Offset() {
        return innerL3Offset;
    }

    public int innerIpHeaderLength() {
        return innerIpHeaderLength;
    }

    public int innerProtocol() {
        return innerProtocol;
    }

    public int innerSrcIp() {
        return innerSrcIp;
    }

    public int innerDstIp() {
        return innerDstIp;
    }

    public int innerL4Offset() {
        return innerL4Offset;
    }

    /** Bytes of the quoted L4 header present (at least 8). */
    public int innerL4Available() {
        return innerL4Available;
    }

    public int innerSrcPort() {
        return innerSrcPort;
    }

    public int innerDstPort() {
        return innerDstPort;
    }

    /** ICMP type of the quoted packet when it is ICMP, else -1. */
    public int innerIcmpType() {
        return innerIcmpType;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("ParsedPacket{");
        if (vlanTci >= 0) {
            sb.append("vlan=").append(vlanId()).append(' ');
        }
        sb.append("ethertype=0x").append(Integer.toHexString(etherType));
        if (isArp()) {
            sb.append(" arp op=").append(arpOperation).append(' ').append(Bytes.ipToString(arpSenderIp))
                    .append(" -> ").append(Bytes.ipToString(arpTargetIp));
        } else if (isIpv6()) {
            sb.append(" ipv6 proto=").append(ipProtocol).append(' ').append(Ipv6.toString(srcIp6Hi, srcIp6Lo))
                    .append(" port ").append(srcPort).append(" -> ").append(Ipv6.toString(dstIp6Hi, dstIp6Lo))
                    .append(" port ").append(dstPort);
            if (icmpType >= 0) {
                sb.append(" icmpv6 ").append(icmpType).append('/').append(icmpCode);
            }
        } else if (isIpv4()) {
            sb.append(" proto=").append(ipProtocol).append(' ').append(Bytes.ipToString(srcIp)).append(':')
                    .append(srcPort).append(" -> ").append(Bytes.ipToString(dstIp)).append(':').append(dstPort);
            if (icmpType >= 0) {
                sb.append(" icmp ").append(icmpType).append('/').append(icmpCode);
            }
            if (icmpError) {
                sb.append(" inner proto=").append(innerProtocol).append(' ').append(Bytes.ipToString(innerSrcIp))
                        .append(':').append(innerSrcPort).append(" -> ").append(Bytes.ipToString(innerDstIp))
                        .append(':').append(innerDstPort);
            }
        }
        return sb.append('}').toString();
    }
}
