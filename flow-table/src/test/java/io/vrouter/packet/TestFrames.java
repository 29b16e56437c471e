package io.vrouter.packet;

import java.util.Random;

/** Builds valid frames (correct checksums) for tests. */
final class TestFrames {
    static final long GUEST_MAC = 0x02_00_00_00_00_01L;
    static final long ROUTER_MAC = 0x00_00_5e_00_01_00L;
    static final int GUEST_IP = Bytes.ip(10, 0, 0, 3);
    static final int METADATA_IP = Bytes.ip(169, 254, 169, 254);
    static final int LINK_LOCAL_IP = Bytes.ip(169, 254, 0, 5);
    static final int VHOST_IP = Bytes.ip(192, 168, 1, 10);

    private TestFrames() {
    }

    /** An untagged ICMP packet from {@code src} to {@code dst}: IPv4 without options, not fragmented. */
    static byte[] icmp(int src, int dst, byte[] message) {
        return ipv4(-1, 0, Ipv4.PROTO_ICMP, src, dst, message, 0);
    }

    /** Ethernet (+ optional tag) + IPv4 header with {@code optionsLen} bytes of NOP options + l4. */
    static byte[] ipv4(int vlan, int optionsLen, int proto, int src, int dst, byte[] l4, int flagsFragment) {
        int eth = Ethernet.HEADER_LENGTH + (vlan >= 0 ? Ethernet.VLAN_TAG_LENGTH : 0);
        int ihl = Ipv4.MIN_HEADER_LENGTH + optionsLen;
        byte[] f = new byte[eth + ihl + l4.length];
        int l3 = Ethernet.writeHeader(f, 0, ROUTER_MAC, GUEST_MAC, vlan, Ethernet.TYPE_IPV4);
        f[l3] = (byte) (0x40 | (ihl >> 2));
        Bytes.put16(f, l3 + Ipv4.TOTAL_LENGTH, ihl + l4.length);
        Bytes.put16(f, l3 + Ipv4.IDENTIFICATION, 0x1234);
        Bytes.put16(f, l3 + Ipv4.FLAGS_FRAGMENT, flagsFragment);
        f[l3 + Ipv4.TTL] = 64;
        f[l3 + Ipv4.PROTOCOL] = (byte) proto;
        Bytes.put32(f, l3 + Ipv4.SRC_ADDR, src);
        Bytes.put32(f, l3 + Ipv4.DST_ADDR, dst);
        for (int i = 0; i < optionsLen; i++) {
            f[l3 + Ipv4.MIN_HEADER_LENGTH + i] = 1; // NOP
        }
        System.arraycopy(l4, 0, f, l3 + ihl, l4.length);
        Checksum.setIpv4HeaderChecksum(f, l3, ihl);
        int l4Off = l3 + ihl;
        if ((flagsFragment & (Ipv4.FLAG_MF | Ipv4.FRAGMENT_OFFSET_MASK)) == 0) {
            if (proto == Ipv4.PROTO_TCP && l4.length >= Tcp.MIN_HEADER_LENGTH) {
                Bytes.put16(f, l4Off + Tcp.CHECKSUM, Checksum.computeTransport(f, l4Off, l4.length, proto, src, dst));
            } else if (proto == Ipv4.PROTO_UDP && l4.length >= Udp.HEADER_LENGTH
                    && Bytes.u16(f, l4Off + Udp.CHECKSUM) != 0) {
                Bytes.put16(f, l4Off + Udp.CHECKSUM, Checksum.computeTransport(f, l4Off, l4.length, proto, src, dst));
            } else if (proto == Ipv4.PROTO_ICMP && l4.length >= Icmp.HEADER_LENGTH) {
                Bytes.put16(f, l4Off + Icmp.CHECKSUM, Checksum.computeIcmp(f, l4Off, l4.length));
            }
        }
        return f;
    }

    /** fe80::a9fe:a9fe, the IPv6 metadata service address. */
    static final long METADATA6_HI = Ipv6.LINK_LOCAL_HI;
    static final long METADATA6_LO = 0xa9fe_a9feL;

    /**
     * Ethernet (+ optional tag) + IPv6 header + {@code ext} (extension headers already laid out,
     * the first one's type in {@code firstNext}, or {@code proto} itself when {@code ext} is
     * empty) + l4, with the TCP/UDP/ICMPv6 checksum computed (a UDP checksum of 0 is left 0).
     */
    static byte[] ipv6(int vlan, int hopLimit, int proto, long sHi, long sLo, long dHi, long dLo, byte[] ext,
                       int firstNext, byte[] l4) {
        int eth = Ethernet.HEADER_LENGTH + (vlan >= 0 ? Ethernet.VLAN_TAG_LENGTH : 0);
        byte[] f = new byte[eth + Ipv6.HEADER_LENGTH + ext.length + l4.length];
        int l3 = Ethernet.writeHeader(f, 0, ROUTER_MAC, GUEST_MAC, vlan, Ethernet.TYPE_IPV6);
        Bytes.put32(f, l3, 0x6000_0000);
        Bytes.put16(f, l3 + Ipv6.PAYLOAD_LENGTH, ext.length + l4.length);
        f[l3 + Ipv6.NEXT_HEADER] = (byte) (ext.length == 0 ? proto : firstNext);
        f[l3 + Ipv6.HOP_LIMIT] = (byte) hopLimit;
        Ipv6.putAddress(f, l3 + Ipv6.SRC_ADDR, sHi, sLo);
        Ipv6.putAddress(f, l3 + Ipv6.DST_ADDR, dHi, dLo);
        System.arraycopy(ext, 0, f, l3 + Ipv6.HEADER_LENGTH, ext.length);
        int l4Off = l3 + Ipv6.HEADER_LENGTH + ext.length;
        System.arraycopy(l4, 0, f, l4Off, l4.length);
        boolean udpNone = proto == Ipv4.PROTO_UDP && Bytes.u16(f, l4Off + Udp.CHECKSUM) == 0;
        if (!udpNone && l4.length >= Checksum.checksumOffset(proto) + 2) {
            int pseudo = Checksum.pseudoHeaderSum6(sHi, sLo, dHi, dLo, proto, l4.length);
            Bytes.put16(f, l4Off + Checksum.checksumOffset(proto),
                    Checksum.computeWithPseudoHeader(f, l4Off, l4.length, proto, pseudo));
        }
        return f;
    }

    /** An extension header of {@code type} (hop-by-hop, routing, destination options) of {@code len8} x 8 bytes. */
    static byte[] extension(int next, int len8) {
        byte[] e = new byte[len8 * 8];
        e[0] = (byte) next;
        e[1] = (byte) (len8 - 1);
        return e;
    }

    /** A fragment header: offset in 8-byte units, M flag. */
    static byte[] fragmentHeader(int next, int offset, boolean more) {
        byte[] e = new byte[8];
        e[0] = (byte) next;
        Bytes.put16(e, 2, (offset << 3) | (more ? 1 : 0));
        Bytes.put32(e, 4, 0xabcdef);
        return e;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] a : parts) {
            n += a.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] a : parts) {
            System.arraycopy(a, 0, out, at, a.length);
            at += a.length;
        }
        return out;
    }

    /** A neighbour solicitation for {@code target}, with a source link-layer option unless {@code sll} is -1. */
    static byte[] neighborSolicitation(int hopLimit, long sHi, long sLo, long tHi, long tLo, long sll) {
        byte[] m = new byte[Icmpv6.ND_MIN_LENGTH + (sll >= 0 ? 8 : 0)];
        m[Icmp.TYPE] = (byte) Icmpv6.NEIGHBOR_SOLICITATION;
        Ipv6.putAddress(m, Icmpv6.ND_TARGET, tHi, tLo);
        if (sll >= 0) {
            m[Icmpv6.ND_OPTIONS] = Icmpv6.OPT_SOURCE_LINK_ADDR;
            m[Icmpv6.ND_OPTIONS + 1] = 1;
            Bytes.put48(m, Icmpv6.ND_OPTIONS + 2, sll);
        }
        // solicited-node multicast ff02::1:ffXX:XXXX of the target
        return ipv6(-1, hopLimit, Ipv6.NH_ICMPV6, sHi, sLo, 0xff02_0000_0000_0000L,
                0x0000_0001_ff00_0000L | (tLo & 0xff_ffffL), new byte[0], 0, m);
    }

    static byte[] tcpSegment(int sport, int dport, int flags, int optionsLen, byte[] payload) {
        byte[] s = new byte[Tcp.MIN_HEADER_LENGTH + optionsLen + payload.length];
        Bytes.put16(s, Tcp.SRC_PORT, sport);
        Bytes.put16(s, Tcp.DST_PORT, dport);
        Bytes.put32(s, Tcp.SEQ, 0x01020304);
        s[Tcp.DATA_OFFSET] = (byte) (((Tcp.MIN_HEADER_LENGTH + optionsLen) >> 2) << 4);
        s[Tcp.FLAGS] = (byte) flags;
        Bytes.put16(s, Tcp.WINDOW, 65535);
        System.arraycopy(payload, 0, s, Tcp.MIN_HEADER_LENGTH + optionsLen, payload.length);
        return s;
    }

    /** UDP datagram; {@code checksum} false leaves 0 ("none"), true makes ipv4() compute it. */
    static byte[] udpDatagram(int sport, int dport, boolean checksum, byte[] payload) {
        byte[] s = new byte[Udp.HEADER_LENGTH + payload.length];
        Bytes.put16(s, Udp.SRC_PORT, sport);
        Bytes.put16(s, Udp.DST_PORT, dport);
        Bytes.put16(s, Udp.LENGTH, s.length);
        Bytes.put16(s, Udp.CHECKSUM, checksum ? 1 : 0); // non-zero marks "compute"
        System.arraycopy(payload, 0, s, Udp.HEADER_LENGTH, payload.length);
        return s;
    }

    static byte[] icmpEcho(int type, int id, int seq, byte[] payload) {
        byte[] s = new byte[Icmp.HEADER_LENGTH + payload.length];
        s[Icmp.TYPE] = (byte) type;
        Bytes.put16(s, Icmp.ECHO_ID, id);
        Bytes.put16(s, Icmp.ECHO_SEQ, seq);
        System.arraycopy(payload, 0, s, Icmp.HEADER_LENGTH, payload.length);
        return s;
    }

    /** ICMP error message quoting the IP header + {@code quotedL4} bytes of the IPv4 packet in {@code offending}. */
    static byte[] icmpErrorMessage(int type, int code, byte[] offending, int quotedL4) {
        int l3 = Bytes.u16(offending, Ethernet.ETHERTYPE) == Ethernet.TYPE_VLAN ? 18 : 14;
        int ihl = (offending[l3] & 0x0f) << 2;
        int quoted = Math.min(ihl + quotedL4, offending.length - l3);
        byte[] s = new byte[Icmp.HEADER_LENGTH + quoted];
        s[Icmp.TYPE] = (byte) type;
        s[Icmp.CODE] = (byte) code;
        System.arraycopy(offending, l3, s, Icmp.ERROR_INNER, quoted);
        return s;
    }

    static byte[] tcp(int src, int dst, int sport, int dport, int payloadLen) {
        return ipv4(-1, 0, Ipv4.PROTO_TCP, src, dst, tcpSegment(sport, dport, Tcp.SYN, 0, new byte[payloadLen]), 0);
    }

    static byte[] udp(int src, int dst, int sport, int dport, int payloadLen, boolean checksum) {
        return ipv4(-1, 0, Ipv4.PROTO_UDP, src, dst, udpDatagram(sport, dport, checksum, new byte[payloadLen]), 0);
    }

    static byte[] arp(int vlan, int op, long senderMac, int senderIp, long targetMac, int targetIp) {
        byte[] f = new byte[Arp.MAX_FRAME_LENGTH];
        int len = Arp.buildReply(f, 0, senderMac, senderIp, targetMac, targetIp, vlan);
        int l3 = len - Arp.LENGTH;
        Bytes.put16(f, l3 + Arp.OPER, op);
        if (op == Arp.OP_REQUEST) {
            Ethernet.setDstMac(f, 0, Ethernet.BROADCAST_MAC);
        }
        return java.util.Arrays.copyOf(f, len);
    }

    static byte[] randomBytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    /** A random valid frame: TCP, UDP (with or without checksum), ICMP echo, ICMP error, or ARP. */
    static byte[] randomValidFrame(Random r) {
        int vlan = r.nextInt(4) == 0 ? r.nextInt(4096) : -1;
        int opts = r.nextInt(4) == 0 ? 4 * r.nextInt(11) : 0;
        int src = r.nextInt();
        int dst = r.nextInt();
        byte[] payload = randomBytes(r, r.nextInt(4) == 0 ? r.nextInt(1400) : r.nextInt(64));
        if (r.nextInt(4) == 0) {
            return randomValidIpv6Frame(r, vlan, payload);
        }
        switch (r.nextInt(6)) {
            case 0:
                return ipv4(vlan, opts, Ipv4.PROTO_TCP, src, dst,
                        tcpSegment(r.nextInt(65536), r.nextInt(65536), r.nextInt(256), 4 * r.nextInt(11), payload), 0);
            case 1:
                return ipv4(vlan, opts, Ipv4.PROTO_UDP, src, dst,
                        udpDatagram(r.nextInt(65536), r.nextInt(65536), r.nextInt(3) != 0, payload), 0);
            case 2:
                return ipv4(vlan, opts, Ipv4.PROTO_ICMP, src, dst,
                        icmpEcho(r.nextBoolean() ? Icmp.ECHO_REQUEST : Icmp.ECHO_REPLY, r.nextInt(65536),
                                r.nextInt(65536), payload), 0);
            case 3: {
                byte[] offending = randomOffendingFrame(r);
                int[] types = {Icmp.DEST_UNREACHABLE, Icmp.TIME_EXCEEDED, Icmp.PARAMETER_PROBLEM};
                int quotedL4 = r.nextBoolean() ? 8 : 8 + r.nextInt(40);
                return ipv4(vlan, opts, Ipv4.PROTO_ICMP, src, dst,
                        icmpErrorMessage(types[r.nextInt(types.length)], r.nextInt(16), offending, quotedL4), 0);
            }
            case 4:
                return arp(vlan, r.nextBoolean() ? Arp.OP_REQUEST : Arp.OP_REPLY, r.nextLong() & 0xffff_ffff_ffffL, src,
                        r.nextLong() & 0xffff_ffff_ffffL, dst);
            default: // first fragment of a bigger datagram: ports present, L4 checksum not recomputable
                return ipv4(vlan, opts, r.nextBoolean() ? Ipv4.PROTO_TCP : Ipv4.PROTO_UDP, src, dst,
                        tcpSegment(r.nextInt(65536), r.nextInt(65536), 0, 0, payload), Ipv4.FLAG_MF);
        }
    }

    /** A valid IPv6 frame: TCP, UDP, ICMPv6 echo (with extension headers at times), or a neighbour solicitation. */
    static byte[] randomValidIpv6Frame(Random r, int vlan, byte[] payload) {
        long sHi = r.nextBoolean() ? Ipv6.LINK_LOCAL_HI : r.nextLong();
        long sLo = r.nextLong();
        if (r.nextInt(5) == 0) {
            return neighborSolicitation(Icmpv6.ND_HOP_LIMIT, sHi, sLo, METADATA6_HI, METADATA6_LO,
                    r.nextBoolean() ? r.nextLong() & 0xffff_ffff_ffffL : -1);
        }
        Kind6 kind = Kind6.values()[r.nextInt(Kind6.values().length)];
        int proto = kind == Kind6.TCP ? Ipv4.PROTO_TCP : kind == Kind6.UDP ? Ipv4.PROTO_UDP : Ipv6.NH_ICMPV6;
        byte[][] ext = randomExtensions(r, proto);
        return build6(kind, vlan, sHi, sLo, r.nextInt(65536), r.nextLong(), r.nextLong(), r.nextInt(65536),
                ext[0], ext[1][0] & 0xff, payload);
    }

    /** A TCP, UDP or ICMP echo packet (8+ bytes of L4 are always present) to quote in an ICMP error. */
    static byte[] randomOffendingFrame(Random r) {
        int src = r.nextInt();
        int dst = r.nextInt();
        int opts = r.nextInt(4) == 0 ? 4 * r.nextInt(11) : 0;
        byte[] payload = randomBytes(r, r.nextInt(32));
        switch (r.nextInt(3)) {
            case 0:
                return ipv4(-1, opts, Ipv4.PROTO_TCP, src, dst,
                        tcpSegment(r.nextInt(65536), r.nextInt(65536), Tcp.SYN, 0, payload), 0);
            case 1:
                return ipv4(-1, opts, Ipv4.PROTO_UDP, src, dst,
                        udpDatagram(r.nextInt(65536), r.nextInt(65536), r.nextBoolean(), payload), 0);
            default:
                return ipv4(-1, opts, Ipv4.PROTO_ICMP, src, dst,
                        icmpEcho(r.nextBoolean() ? Icmp.ECHO_REQUEST : Icmp.ECHO_REPLY, r.nextInt(65536), 1, payload), 0);
        }
    }

    /** Packet kinds the tuple builder makes. */
    enum Kind { TCP, UDP, UDP_NO_CHECKSUM, ECHO_REQUEST, ECHO_REPLY, ICMP_TIMESTAMP }

    /** IPv6 packet kinds the tuple builder makes. */
    enum Kind6 { TCP, UDP, ECHO_REQUEST, ECHO_REPLY }

    /**
     * An IPv6 packet of {@code kind} carrying (s:sp -> d:dp) behind {@code ext} (extension
     * headers whose first type is {@code firstNext}; their last next-header byte must name the
     * upper layer), checksums computed in full; ICMPv6 echo ids as for {@link #build}.
     */
    static byte[] build6(Kind6 kind, int vlan, long sHi, long sLo, int sp, long dHi, long dLo, int dp, byte[] ext,
                         int firstNext, byte[] payload) {
        switch (kind) {
            case TCP:
                return ipv6(vlan, 64, Ipv4.PROTO_TCP, sHi, sLo, dHi, dLo, ext, firstNext,
                        tcpSegment(sp, dp, Tcp.ACK_FLAG, 0, payload));
            case UDP:
                return ipv6(vlan, 64, Ipv4.PROTO_UDP, sHi, sLo, dHi, dLo, ext, firstNext,
                        udpDatagram(sp, dp, true, payload));
            case ECHO_REQUEST:
                return ipv6(vlan, 64, Ipv6.NH_ICMPV6, sHi, sLo, dHi, dLo, ext, firstNext,
                        icmpEcho(Icmpv6.ECHO_REQUEST, sp, 7, payload));
            default:
                return ipv6(vlan, 64, Ipv6.NH_ICMPV6, sHi, sLo, dHi, dLo, ext, firstNext,
                        icmpEcho(Icmpv6.ECHO_REPLY, dp, 7, payload));
        }
    }

    /** Extension headers in front of an upper layer {@code proto}: none, or one to three of them. */
    static byte[][] randomExtensions(Random r, int proto) {
        int n = r.nextInt(3) == 0 ? 1 + r.nextInt(3) : 0;
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            int[] choice = i == 0 ? new int[] {Ipv6.NH_HOP_BY_HOP, Ipv6.NH_ROUTING, Ipv6.NH_DEST_OPTIONS}
                    : new int[] {Ipv6.NH_ROUTING, Ipv6.NH_DEST_OPTIONS};
            types[i] = choice[r.nextInt(choice.length)];
        }
        byte[] ext = new byte[0];
        for (int i = 0; i < n; i++) {
            ext = concat(ext, extension(i + 1 < n ? types[i + 1] : proto, 1 + r.nextInt(3)));
        }
        return new byte[][] {ext, {(byte) (n == 0 ? proto : types[0])}};
    }

    /**
     * A packet of {@code kind} carrying the tuple (s:sp -> d:dp), checksums computed in full.
     * ICMP echo follows {@link ParsedPacket}'s convention: a request's id is {@code sp}, a
     * reply's is {@code dp}; the other port is ignored.
     */
    static byte[] build(Kind kind, int vlan, int opts, int s, int sp, int d, int dp, byte[] payload) {
        switch (kind) {
            case TCP:
                return ipv4(vlan, opts, Ipv4.PROTO_TCP, s, d, tcpSegment(sp, dp, Tcp.ACK_FLAG, 0, payload), 0);
            case UDP:
                return ipv4(vlan, opts, Ipv4.PROTO_UDP, s, d, udpDatagram(sp, dp, true, payload), 0);
            case UDP_NO_CHECKSUM:
                return ipv4(vlan, opts, Ipv4.PROTO_UDP, s, d, udpDatagram(sp, dp, false, payload), 0);
            case ECHO_REQUEST:
                return ipv4(vlan, opts, Ipv4.PROTO_ICMP, s, d, icmpEcho(Icmp.ECHO_REQUEST, sp, 7, payload), 0);
            case ECHO_REPLY:
                return ipv4(vlan, opts, Ipv4.PROTO_ICMP, s, d, icmpEcho(Icmp.ECHO_REPLY, dp, 7, payload), 0);
            default:
                byte[] m = icmpEcho(13, 99, 7, payload);
                return ipv4(vlan, opts, Ipv4.PROTO_ICMP, s, d, m, 0);
        }
    }
}
