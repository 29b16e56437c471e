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
