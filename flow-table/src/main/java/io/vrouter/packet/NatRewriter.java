package io.vrouter.packet;

import io.vrouter.drop.DropReason;

/**
 * Rewrites IPv4 addresses and TCP/UDP ports (ICMP echo identifiers) in place, updating every
 * checksum that covers them incrementally (RFC 1624), without allocation.
 *
 * <h2>What is updated</h2>
 * <ul>
 *   <li>IPv4 header checksum for an address change.</li>
 *   <li>TCP and UDP checksums for address (pseudo-header) and port changes. A UDP checksum of
 *       0 means "none" and stays 0; an updated UDP checksum that comes out 0 is written as
 *       0xFFFF (RFC 768).</li>
 *   <li>ICMP echo: the identifier is the "port" on the querier's side (see
 *       {@link ParsedPacket}): an echo request's id follows the source-port change, an echo
 *       reply's the destination-port change. The ICMP checksum has no pseudo-header, so
 *       address changes leave it alone.</li>
 *   <li>ICMP error: see {@link #rewrite} and {@link #rewriteIcmpError}: outer addresses, the
 *       quoted header's addresses and ports, its IPv4 checksum, its L4 checksum when quoted
 *       (UDP and ICMP always are; TCP's only when 18 or more L4 bytes are quoted: half a
 *       checksum cannot be updated, the carry depends on the missing byte), and the ICMP
 *       checksum over all of it, which is always right.</li>
 * </ul>
 * A checksum that was wrong before the rewrite is exactly as wrong after it, so the receiver
 * still drops a corrupt packet. Fields set to the value they already have are not touched.
 * For a first fragment the L4 checksum (which covers the whole datagram) is still updated
 * correctly, as the change is a delta.
 *
 * <p>Stateless; the caller owns the buffer and the {@link ParsedPacket}, which is updated to
 * the new values.
 */
public final class NatRewriter {
    /** Rewrite the source address. */
    public static final int SRC_IP = 1;
    /** Rewrite the source port (or an echo request's id). */
    public static final int SRC_PORT = 2;
    /** Rewrite the destination address. */
    public static final int DST_IP = 4;
    /** Rewrite the destination port (or an echo reply's id). */
    public static final int DST_PORT = 8;
    /** All four. */
    public static final int ALL = SRC_IP | SRC_PORT | DST_IP | DST_PORT;

    private static final int NOT_IPV4 = DropReason.UNSUPPORTED_ETHERTYPE.code();

    private NatRewriter() {
    }

    /**
     * Applies a flow's NAT to the packet parsed into {@code p}: the fields selected by
     * {@code flags} get the new values; ports beyond 16 bits are masked.
     *
     * <p>For an ICMP error (p.isIcmpError()), the error is treated as a packet of the flow it
     * travels in (the reverse of the offending packet's flow), as Linux conntrack does: the
     * outer source/destination addresses take {@code newSrcIp}/{@code newDstIp}, and the quoted
     * packet, which travelled the other way, is mirrored: its destination takes
     * {@code newSrcIp:newSrcPort} and its source {@code newDstIp:newDstPort}. So a guest gets an
     * error that matches the packet it sent, before NAT.
     *
     * @return 0, or {@link DropReason#UNSUPPORTED_ETHERTYPE}'s code when {@code p} does not hold
     *         a successfully parsed IPv4 packet (nothing is written then)
     */
    public static int rewrite(byte[] b, ParsedPacket p, int flags, int newSrcIp, int newSrcPort,
                              int newDstIp, int newDstPort) {
        if (!p.isIpv4()) {
            return NOT_IPV4;
        }
        if (p.icmpError) {
            int inner = ((flags & SRC_IP) != 0 ? DST_IP : 0) | ((flags & SRC_PORT) != 0 ? DST_PORT : 0)
                    | ((flags & DST_IP) != 0 ? SRC_IP : 0) | ((flags & DST_PORT) != 0 ? SRC_PORT : 0);
            return rewriteIcmpError(b, p, flags & (SRC_IP | DST_IP), newSrcIp, newDstIp,
                    inner, newDstIp, newDstPort, newSrcIp, newSrcPort);
        }
        int l3 = p.l3Offset;
        int l4 = p.l4Offset;
        int proto = p.ipProtocol;
        boolean pseudo = proto == Ipv4.PROTO_TCP || proto == Ipv4.PROTO_UDP;
        int l4Delta = 0;
        if ((flags & SRC_IP) != 0 && newSrcIp != p.srcIp) {
            l4Delta = setAddress(b, l3, Ipv4.SRC_ADDR, p.srcIp, newSrcIp, pseudo, l4Delta);
            p.srcIp = newSrcIp;
        }
        if ((flags & DST_IP) != 0 && newDstIp != p.dstIp) {
            l4Delta = setAddress(b, l3, Ipv4.DST_ADDR, p.dstIp, newDstIp, pseudo, l4Delta);
            p.dstIp = newDstIp;
        }
        return rewritePorts(b, p, flags, newSrcPort, newDstPort, l4Delta, Ipv4.PROTO_ICMP, Icmp.ECHO_REQUEST,
                Icmp.ECHO_REPLY);
    }

    /**
     * {@link #rewrite} for IPv6: addresses as high/low halves, no IP header checksum, and the
     * pseudo-header (RFC 8200 8.1) covered by TCP, UDP and ICMPv6 alike, so an ICMPv6 echo's
     * checksum follows the address change too. An IPv6 UDP checksum of 0 (invalid) stays 0.
     *
     * @return 0, or {@link DropReason#UNSUPPORTED_ETHERTYPE}'s code when {@code p} does not hold
     *         a successfully parsed IPv6 packet (nothing is written then)
     */
    public static int rewrite6(byte[] b, ParsedPacket p, int flags, long newSrcHi, long newSrcLo, int newSrcPort,
                               long newDstHi, long newDstLo, int newDstPort) {
        if (!p.isIpv6()) {
            return NOT_IPV4;
        }
        int l3 = p.l3Offset;
        int l4Delta = 0;
        if ((flags & SRC_IP) != 0 && (newSrcHi != p.srcIp6Hi || newSrcLo != p.srcIp6Lo)) {
            l4Delta = setAddress6(b, l3 + Ipv6.SRC_ADDR, p.srcIp6Hi, p.srcIp6Lo, newSrcHi, newSrcLo, l4Delta);
            p.srcIp6Hi = newSrcHi;
            p.srcIp6Lo = newSrcLo;
        }
        if ((flags & DST_IP) != 0 && (newDstHi != p.dstIp6Hi || newDstLo != p.dstIp6Lo)) {
            l4Delta = setAddress6(b, l3 + Ipv6.DST_ADDR, p.dstIp6Hi, p.dstIp6Lo, newDstHi, newDstLo, l4Delta);
            p.dstIp6Hi = newDstHi;
            p.dstIp6Lo = newDstLo;
        }
        return rewritePorts(b, p, flags, newSrcPort, newDstPort, l4Delta, Ipv6.NH_ICMPV6, Icmpv6.ECHO_REQUEST,
                Icmpv6.ECHO_REPLY);
    }

    private static int setAddress6(byte[] b, int off, long oldHi, long oldLo, long hi, long lo, int l4Delta) {
        Ipv6.putAddress(b, off, hi, lo);
        return Checksum.delta64(Checksum.delta64(l4Delta, oldHi, hi), oldLo, lo);
    }

    /**
     * The ports (or the echo id) and the L4 checksum, given the pseudo-header delta of the
     * address changes already made ({@code l4Delta}); shared by IPv4 and IPv6, whose ICMP
     * flavours differ in protocol number and echo types.
     */
    private static int rewritePorts(byte[] b, ParsedPacket p, int flags, int newSrcPort, int newDstPort, int l4Delta,
                                    int icmpProto, int echoRequest, int echoReply) {
        int l4 = p.l4Offset;
        int proto = p.ipProtocol;
        boolean pseudo = proto == Ipv4.PROTO_TCP || proto == Ipv4.PROTO_UDP;
        int sport = newSrcPort & 0xffff;
        int dport = newDstPort & 0xffff;
        int csumOff;
        if (pseudo) {
            if ((flags & SRC_PORT) != 0 && sport != p.srcPort) {
                l4Delta = setPort(b, l4 + Tcp.SRC_PORT, p.srcPort, sport, l4Delta);
                p.srcPort = sport;
            }
            if ((flags & DST_PORT) != 0 && dport != p.dstPort) {
                l4Delta = setPort(b, l4 + Tcp.DST_PORT, p.dstPort, dport, l4Delta);
                p.dstPort = dport;
            }
            csumOff = l4 + (proto == Ipv4.PROTO_TCP ? Tcp.CHECKSUM : Udp.CHECKSUM);
        } else if (proto == icmpProto && p.icmpId >= 0) {
            int id = p.icmpId;
            if (p.icmpType == echoRequest && (flags & SRC_PORT) != 0) {
                id = sport;
                p.srcPort = sport;
            } else if (p.icmpType == echoReply && (flags & DST_PORT) != 0) {
                id = dport;
                p.dstPort = dport;
            }
            if (id != p.icmpId) {
                l4Delta = Checksum.delta16(l4Delta, p.icmpId, id);
                Bytes.put16(b, l4 + Icmp.ECHO_ID, id);
                p.icmpId = id;
            }
            csumOff = l4 + Icmp.CHECKSUM;
        } else {
            return 0;
        }
        if (l4Delta != 0) {
            adjustL4Checksum(b, csumOff, proto == Ipv4.PROTO_UDP, l4Delta);
        }
        return 0;
    }

    /**
     * Rewrites an ICMP error with independent outer and inner targets (for callers that need
     * more control than {@link #rewrite}'s mirrored mapping).
     *
     * @param outerFlags {@link #SRC_IP} / {@link #DST_IP} of the outer IPv4 header
     * @param innerFlags any of the four flags, applied to the quoted packet's own fields
     * @return 0, or {@link DropReason#UNSUPPORTED_ETHERTYPE}'s code when {@code p} is not a
     *         parsed ICMP error (nothing is written then)
     */
    public static int rewriteIcmpError(byte[] b, ParsedPacket p, int outerFlags, int outerSrcIp, int outerDstIp,
                                       int innerFlags, int innerSrcIp, int innerSrcPort,
                                       int innerDstIp, int innerDstPort) {
        if (!p.isIpv4() || !p.icmpError) {
            return NOT_IPV4;
        }
        int il3 = p.innerL3Offset;
        int il4 = p.innerL4Offset;
        int iproto = p.innerProtocol;
        boolean pseudo = iproto == Ipv4.PROTO_TCP || iproto == Ipv4.PROTO_UDP;
        int icmpDelta = 0;
        int innerL4Delta = 0;

        // Quoted IPv4 header: addresses and its own checksum, all under the ICMP checksum.
        int innerIpCsumBefore = Bytes.u16(b, il3 + Ipv4.CHECKSUM);
        if ((innerFlags & SRC_IP) != 0 && innerSrcIp != p.innerSrcIp) {
            innerL4Delta = setAddress(b, il3, Ipv4.SRC_ADDR, p.innerSrcIp, innerSrcIp, pseudo, innerL4Delta);
            icmpDelta = Checksum.delta32(icmpDelta, p.innerSrcIp, innerSrcIp);
            p.innerSrcIp = innerSrcIp;
        }
        if ((innerFlags & DST_IP) != 0 && innerDstIp != p.innerDstIp) {
            innerL4Delta = setAddress(b, il3, Ipv4.DST_ADDR, p.innerDstIp, innerDstIp, pseudo, innerL4Delta);
            icmpDelta = Checksum.delta32(icmpDelta, p.innerDstIp, innerDstIp);
            p.innerDstIp = innerDstIp;
        }
        int innerIpCsum = Bytes.u16(b, il3 + Ipv4.CHECKSUM);
        if (innerIpCsum != innerIpCsumBefore) {
            icmpDelta = Checksum.delta16(icmpDelta, innerIpCsumBefore, innerIpCsum);
        }

        // Quoted L4 header: ports or echo id, and its checksum when it lies in the quoted bytes.
        int sport = innerSrcPort & 0xffff;
        int dport = innerDstPort & 0xffff;
        int innerCsumOff = -1;
        if (pseudo) {
            if ((innerFlags & SRC_PORT) != 0 && sport != p.innerSrcPort) {
                innerL4Delta = setPort(b, il4 + Tcp.SRC_PORT, p.innerSrcPort, sport, innerL4Delta);
                icmpDelta = Checksum.delta16(icmpDelta, p.innerSrcPort, sport);
                p.innerSrcPort = sport;
            }
            if ((innerFlags & DST_PORT) != 0 && dport != p.innerDstPort) {
                innerL4Delta = setPort(b, il4 + Tcp.DST_PORT, p.innerDstPort, dport, innerL4Delta);
                icmpDelta = Checksum.delta16(icmpDelta, p.innerDstPort, dport);
                p.innerDstPort = dport;
            }
            if (iproto == Ipv4.PROTO_UDP) {
                innerCsumOff = il4 + Udp.CHECKSUM;
            } else if (p.innerL4Available >= Tcp.CHECKSUM + 2) {
                innerCsumOff = il4 + Tcp.CHECKSUM;
            }
        } else if (iproto == Ipv4.PROTO_ICMP
                && (p.innerIcmpType == Icmp.ECHO_REQUEST || p.innerIcmpType == Icmp.ECHO_REPLY)) {
            int oldId = Bytes.u16(b, il4 + Icmp.ECHO_ID);
            int id = oldId;
            if (p.innerIcmpType == Icmp.ECHO_REQUEST && (innerFlags & SRC_PORT) != 0) {
                id = sport;
                p.innerSrcPort = sport;
            } else if (p.innerIcmpType == Icmp.ECHO_REPLY && (innerFlags & DST_PORT) != 0) {
                id = dport;
                p.innerDstPort = dport;
            }
            if (id != oldId) {
                innerL4Delta = Checksum.delta16(innerL4Delta, oldId, id);
                icmpDelta = Checksum.delta16(icmpDelta, oldId, id);
                Bytes.put16(b, il4 + Icmp.ECHO_ID, id);
            }
            innerCsumOff = il4 + Icmp.CHECKSUM;
        }
        if (innerCsumOff >= 0 && innerL4Delta != 0) {
            int before = Bytes.u16(b, innerCsumOff);
            int after = adjustL4Checksum(b, innerCsumOff, iproto == Ipv4.PROTO_UDP, innerL4Delta);
            if (after != before) {
                icmpDelta = Checksum.delta16(icmpDelta, before, after);
            }
        }
        if (icmpDelta != 0) {
            int off = p.l4Offset + Icmp.CHECKSUM;
            Bytes.put16(b, off, Checksum.applyDelta(Bytes.u16(b, off), icmpDelta));
        }

        // Outer IPv4 addresses: only the IP header checksum covers them (ICMP has no pseudo-header).
        if ((outerFlags & SRC_IP) != 0 && outerSrcIp != p.srcIp) {
            setAddress(b, p.l3Offset, Ipv4.SRC_ADDR, p.srcIp, outerSrcIp, false, 0);
            p.srcIp = outerSrcIp;
        }
        if ((outerFlags & DST_IP) != 0 && outerDstIp != p.dstIp) {
            setAddress(b, p.l3Offset, Ipv4.DST_ADDR, p.dstIp, outerDstIp, false, 0);
            p.dstIp = outerDstIp;
        }
        return 0;
    }

    /**
     * Writes address {@code now} (was {@code old}) at {@code l3 + field} and updates that IPv4
     * header's checksum in place; returns {@code l4Delta} with the pseudo-header change added
     * when the L4 checksum covers addresses ({@code pseudo}).
     */
    private static int setAddress(byte[] b, int l3, int field, int old, int now, boolean pseudo, int l4Delta) {
        Bytes.put16(b, l3 + Ipv4.CHECKSUM, Checksum.update32(Bytes.u16(b, l3 + Ipv4.CHECKSUM), old, now));
        Bytes.put32(b, l3 + field, now);
        return pseudo ? Checksum.delta32(l4Delta, old, now) : l4Delta;
    }

    /** Writes port {@code now} (was {@code old}) at {@code off}; returns {@code l4Delta} with the change added. */
    private static int setPort(byte[] b, int off, int old, int now, int l4Delta) {
        Bytes.put16(b, off, now);
        return Checksum.delta16(l4Delta, old, now);
    }

    /** Applies a delta to the L4 checksum at {@code off}, honouring UDP's "0 = none"; returns the value now stored. */
    private static int adjustL4Checksum(byte[] b, int off, boolean udp, int delta) {
        int old = Bytes.u16(b, off);
        if (udp && old == Udp.NO_CHECKSUM) {
            return old;
        }
        int now = Checksum.applyDelta(old, delta);
        if (udp && now == 0) {
            now = 0xffff;
        }
        Bytes.put16(b, off, now);
        return now;
    }
}
