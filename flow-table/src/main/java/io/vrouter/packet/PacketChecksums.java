package io.vrouter.packet;

/**
 * Full (non-incremental) checksum recomputation of a parsed packet: for packets this node
 * builds, and as the reference the incremental updates of {@link NatRewriter} are tested and
 * benchmarked against. Costs a pass over the whole payload; the per-packet NAT path uses
 * {@link NatRewriter} instead.
 */
public final class PacketChecksums {
    private PacketChecksums() {
    }

    /**
     * Recomputes and stores the IPv4 header checksum and, for a packet that is not a fragment,
     * the TCP/UDP/ICMP checksum over the whole segment (a UDP checksum of 0 stays 0: "none").
     * For an ICMP error, first the quoted IPv4 header checksum is recomputed, then the ICMP
     * checksum (the quoted L4 checksum is left alone: it covers bytes that are not there).
     * Addresses are read from the buffer, so fields written directly (not through
     * {@link NatRewriter}) are covered. For IPv6, the TCP/UDP/ICMPv6 checksum (IPv6 has no header checksum).
     */
    public static void recomputeAll(byte[] b, ParsedPacket p) {
        if (p.isIpv6()) {
            recomputeIpv6(b, p);
            return;
        }
        if (!p.isIpv4()) {
            return;
        }
        int l3 = p.l3Offset();
        Checksum.setIpv4HeaderChecksum(b, l3, p.ipHeaderLength());
        if (p.isFirstFragment() || p.l4Offset() < 0) {
            return;
        }
        int l4 = p.l4Offset();
        int len = p.l4Length();
        int src = Bytes.i32(b, l3 + Ipv4.SRC_ADDR);
        int dst = Bytes.i32(b, l3 + Ipv4.DST_ADDR);
        switch (p.ipProtocol()) {
            case Ipv4.PROTO_TCP:
                Bytes.put16(b, l4 + Tcp.CHECKSUM,
                        Checksum.computeTransport(b, l4, len, Ipv4.PROTO_TCP, src, dst));
                break;
            case Ipv4.PROTO_UDP:
                if (Bytes.u16(b, l4 + Udp.CHECKSUM) != Udp.NO_CHECKSUM) {
                    int udpLen = Bytes.u16(b, l4 + Udp.LENGTH);
                    Bytes.put16(b, l4 + Udp.CHECKSUM,
                            Checksum.computeTransport(b, l4, udpLen, Ipv4.PROTO_UDP, src, dst));
                }
                break;
            case Ipv4.PROTO_ICMP:
                if (p.isIcmpError()) {
                    Checksum.setIpv4HeaderChecksum(b, p.innerL3Offset(), p.innerIpHeaderLength());
                }
                Bytes.put16(b, l4 + Icmp.CHECKSUM, Checksum.computeIcmp(b, l4, len));
                break;
            default:
                break;
        }
    }

    /**
     * IPv6: the TCP, UDP or ICMPv6 checksum over the pseudo-header, with the addresses read from
     * the buffer; fragments are left alone. A UDP checksum of 0 is invalid in IPv6 (RFC 8200 8.1)
     * and stays 0, so the receiver still drops the datagram, as {@link NatRewriter} leaves it.
     */
    private static void recomputeIpv6(byte[] b, ParsedPacket p) {
        int proto = p.ipProtocol();
        if (p.isFirstFragment() || p.l4Offset() < 0
                || (proto != Ipv4.PROTO_TCP && proto != Ipv4.PROTO_UDP && proto != Ipv6.NH_ICMPV6)) {
            return;
        }
        int l4 = p.l4Offset();
        if (proto == Ipv4.PROTO_UDP && Bytes.u16(b, l4 + Udp.CHECKSUM) == Udp.NO_CHECKSUM) {
            return;
        }
        int len = proto == Ipv4.PROTO_UDP ? Bytes.u16(b, l4 + Udp.LENGTH) : p.l4Length();
        Bytes.put16(b, l4 + Checksum.checksumOffset(proto),
                Checksum.computeWithPseudoHeader(b, l4, len, proto, pseudoHeaderSum(b, p, proto, len)));
    }

    /** The packet's pseudo-header sum, IPv4 or IPv6, with the addresses read from the buffer. */
    private static int pseudoHeaderSum(byte[] b, ParsedPacket p, int proto, int len) {
        int l3 = p.l3Offset();
        if (p.isIpv6()) {
            return Checksum.pseudoHeaderSum6(Ipv6.addressHi(b, l3 + Ipv6.SRC_ADDR), Ipv6.addressLo(b, l3 + Ipv6.SRC_ADDR),
                    Ipv6.addressHi(b, l3 + Ipv6.DST_ADDR), Ipv6.addressLo(b, l3 + Ipv6.DST_ADDR), proto, len);
        }
        return Checksum.pseudoHeaderSum(Bytes.i32(b, l3 + Ipv4.SRC_ADDR), Bytes.i32(b, l3 + Ipv4.DST_ADDR), proto, len);
    }

    /**
     * Completes a TCP or UDP checksum left "partial" by checksum offload, and reports whether it
     * did. A sender that offloads the checksum (Linux {@code CHECKSUM_PARTIAL}: a veth or tap
     * with {@code tx-checksumming on}) hands the packet over with the checksum field holding only
     * the folded pseudo-header sum, expecting the NIC to finish it; a packet captured there
     * (pcap on the host side of a guest's veth/tap) and re-injected elsewhere would carry that
     * unfinished value and be dropped by the receiver. This helper recognises the value and
     * computes the real checksum over the whole segment.
     *
     * <p>Recognition is by value, so a corrupt checksum that happens to equal the pseudo-header
     * sum (1 in 65536 of corrupt packets) is "repaired" too; an already complete checksum equal
     * to it is recomputed to the same value. Fragments and UDP without checksum are left alone.
     * Costs one pseudo-header sum per packet, plus a full pass only for partial packets.
     * Call it before {@link NatRewriter#rewrite}, which keeps a checksum exactly as right or
     * wrong as it found it.
     *
     * @return true when the checksum was partial and has been completed
     */
    public static boolean completePartialTransportChecksum(byte[] b, ParsedPacket p) {
        int proto = p.ipProtocol();
        if (!(p.isIpv4() || p.isIpv6()) || p.isFirstFragment()
                || (proto != Ipv4.PROTO_TCP && proto != Ipv4.PROTO_UDP)) {
            return false;
        }
        int l4 = p.l4Offset();
        int csumOff = l4 + (proto == Ipv4.PROTO_TCP ? Tcp.CHECKSUM : Udp.CHECKSUM);
        int len = proto == Ipv4.PROTO_TCP ? p.l4Length() : Bytes.u16(b, l4 + Udp.LENGTH);
        int field = Bytes.u16(b, csumOff);
        if (field == Udp.NO_CHECKSUM && proto == Ipv4.PROTO_UDP) {
            return false;
        }
        int pseudo = pseudoHeaderSum(b, p, proto, len);
        if (field != Checksum.fold(pseudo)) {
            return false;
        }
        Bytes.put16(b, csumOff, Checksum.computeWithPseudoHeader(b, l4, len, proto, pseudo));
        return true;
    }
}
