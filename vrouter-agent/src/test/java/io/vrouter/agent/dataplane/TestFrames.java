package io.vrouter.agent.dataplane;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * Frame construction and inspection for tests only: what a guest or the host kernel would put
 * on the wire, written out field by field so tests do not depend on the code under test.
 */
public final class TestFrames {
    public static final long VMAC = 0x00005e000100L;
    public static final long BROADCAST = 0xffffffffffffL;

    private TestFrames() {
    }

    public static int ip(String dotted) {
        try {
            return ByteBuffer.wrap(InetAddress.getByName(dotted).getAddress()).getInt();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(dotted, e);
        }
    }

    /** "aa:bb:cc:dd:ee:ff" of a MAC held in a long. */
    public static String macText(long mac) {
        StringBuilder sb = new StringBuilder();
        for (int shift = 40; shift >= 0; shift -= 8) {
            sb.append(String.format("%02x", (mac >>> shift) & 0xff));
            if (shift > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    public static long mac(String text) {
        long m = 0;
        for (String p : text.split(":")) {
            m = (m << 8) | Integer.parseInt(p, 16);
        }
        return m;
    }

    private static void putMac(ByteBuffer b, long mac) {
        b.putShort((short) (mac >>> 32)).putInt((int) mac);
    }

    private static long getMac(byte[] f, int off) {
        return ((ByteBuffer.wrap(f, off, 2).getShort() & 0xffffL) << 32)
                | (ByteBuffer.wrap(f, off + 2, 4).getInt() & 0xffffffffL);
    }

    /** An ARP frame (60 bytes, padded). {@code op} 1 = request, 2 = reply. */
    public static byte[] arp(int op, long ethSrc, long ethDst, long sha, int spa, long tha, int tpa) {
        ByteBuffer b = ByteBuffer.allocate(60);
        putMac(b, ethDst);
        putMac(b, ethSrc);
        b.putShort((short) 0x0806);
        b.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) op);
        putMac(b, sha);
        b.putInt(spa);
        putMac(b, tha);
        b.putInt(tpa);
        return b.array();
    }

    public static int etherType(byte[] f) {
        return ((f[12] & 0xff) << 8) | (f[13] & 0xff);
    }

    public static long dstMac(byte[] f) {
        return getMac(f, 0);
    }

    public static long srcMac(byte[] f) {
        return getMac(f, 6);
    }

    public static int arpOp(byte[] f) {
        return ((f[20] & 0xff) << 8) | (f[21] & 0xff);
    }

    public static long arpSha(byte[] f) {
        return getMac(f, 22);
    }

    public static int arpSpa(byte[] f) {
        return ByteBuffer.wrap(f, 28, 4).getInt();
    }

    public static long arpTha(byte[] f) {
        return getMac(f, 32);
    }

    public static int arpTpa(byte[] f) {
        return ByteBuffer.wrap(f, 38, 4).getInt();
    }

    public static boolean isArp(byte[] f) {
        return f.length >= 42 && etherType(f) == 0x0806;
    }

    public static boolean isIpv4(byte[] f) {
        return f.length >= 34 && etherType(f) == 0x0800;
    }

    public static int ipProto(byte[] f) {
        return f[23] & 0xff;
    }

    public static int ipSrc(byte[] f) {
        return ByteBuffer.wrap(f, 26, 4).getInt();
    }

    public static int ipDst(byte[] f) {
        return ByteBuffer.wrap(f, 30, 4).getInt();
    }

    private static int l4(byte[] f) {
        return 14 + (f[14] & 0x0f) * 4;
    }

    public static int srcPort(byte[] f) {
        return ByteBuffer.wrap(f, l4(f), 2).getShort() & 0xffff;
    }

    public static int dstPort(byte[] f) {
        return ByteBuffer.wrap(f, l4(f) + 2, 2).getShort() & 0xffff;
    }

    /** A TCP/IPv4 frame with correct IP and TCP checksums. {@code flags}: SYN 0x02, ACK 0x10, FIN 0x01. */
    public static byte[] tcp(long srcMac, long dstMac, int sip, int dip, int sport, int dport, int flags, byte[] payload) {
        return ipFrame(srcMac, dstMac, sip, dip, 6, sport, dport, flags, payload);
    }

    /** A UDP/IPv4 frame with correct checksums. */
    public static byte[] udp(long srcMac, long dstMac, int sip, int dip, int sport, int dport, byte[] payload) {
        return ipFrame(srcMac, dstMac, sip, dip, 17, sport, dport, 0, payload);
    }

    /** An ICMP echo request (type 8) frame; the ICMP checksum is not meaningful. */
    public static byte[] icmpEcho(long srcMac, long dstMac, int sip, int dip) {
        return ipFrame(srcMac, dstMac, sip, dip, 1, 0x0800, 0x0001, 0, new byte[8]);
    }

    private static byte[] ipFrame(long srcMac, long dstMac, int sip, int dip, int proto, int sport, int dport,
                                  int flags, byte[] payload) {
        int l4Len = (proto == 6 ? 20 : 8) + payload.length;
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + l4Len);
        putMac(b, dstMac);
        putMac(b, srcMac);
        b.putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4Len)).putShort((short) 0x1234)
                .putShort((short) 0x4000).put((byte) 64).put((byte) proto).putShort((short) 0).putInt(sip).putInt(dip);
        b.putShort((short) sport).putShort((short) dport);
        if (proto == 6) {
            b.putInt(1000).putInt(0).put((byte) 0x50).put((byte) flags).putShort((short) 65535)
                    .putShort((short) 0).putShort((short) 0);
        } else {
            b.putShort((short) l4Len).putShort((short) 0);
        }
        b.put(payload);
        byte[] f = b.array();
        fixChecksums(f);
        return f;
    }

    /** Recomputes the IPv4 header and TCP/UDP checksums from scratch. */
    public static void fixChecksums(byte[] f) {
        put16(f, 24, 0);
        put16(f, 24, checksum(f, 14, 20, 0));
        int proto = ipProto(f);
        int l4 = l4(f);
        int l4Len = u16(f, 16) - (f[14] & 0x0f) * 4;
        if (proto != 6 && proto != 17) {
            return;
        }
        int off = l4 + (proto == 6 ? 16 : 6);
        put16(f, off, 0);
        int c = checksum(f, l4, l4Len, pseudo(f, proto, l4Len));
        put16(f, off, proto == 17 && c == 0 ? 0xffff : c);
    }

    /** True when the IPv4 header checksum and the TCP/UDP checksum are both right. */
    public static boolean checksumsValid(byte[] f) {
        if (checksum(f, 14, (f[14] & 0x0f) * 4, 0) != 0) {
            return false;
        }
        int proto = ipProto(f);
        int l4Len = u16(f, 16) - (f[14] & 0x0f) * 4;
        return checksum(f, l4(f), l4Len, pseudo(f, proto, l4Len)) == 0;
    }

    private static int pseudo(byte[] f, int proto, int l4Len) {
        int sip = ipSrc(f);
        int dip = ipDst(f);
        return (sip >>> 16) + (sip & 0xffff) + (dip >>> 16) + (dip & 0xffff) + proto + l4Len;
    }

    private static int checksum(byte[] f, int off, int len, int initial) {
        long sum = initial & 0xffffffffL;
        for (int i = 0; i + 1 < len; i += 2) {
            sum += u16(f, off + i);
        }
        if ((len & 1) != 0) {
            sum += (f[off + len - 1] & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    private static int u16(byte[] f, int off) {
        return ((f[off] & 0xff) << 8) | (f[off + 1] & 0xff);
    }

    private static void put16(byte[] f, int off, int v) {
        f[off] = (byte) (v >>> 8);
        f[off + 1] = (byte) v;
    }

    public static int tcpFlags(byte[] f) {
        return f[l4(f) + 13] & 0xff;
    }

    public static byte[] payload(byte[] f) {
        int l4 = l4(f);
        int start = l4 + (ipProto(f) == 6 ? ((f[l4 + 12] & 0xf0) >>> 4) * 4 : 8);
        int end = 14 + u16(f, 16);
        return java.util.Arrays.copyOfRange(f, start, end);
    }
}
