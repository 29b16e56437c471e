package io.vrouter.agent.dataplane;

import java.nio.ByteBuffer;

/**
 * IPv6 frames for dataplane tests, built byte by byte with their own checksum code (not the
 * dataplane's), so a checksum the dataplane gets wrong is caught. Addresses as 16-byte arrays.
 */
final class Ipv6Frames {
    static final int TCP = 6;
    static final int ICMPV6 = 58;

    private Ipv6Frames() {
    }

    static byte[] addr(String literal) {
        try {
            return java.net.InetAddress.getByName(literal).getAddress(); // a literal: no lookup
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    /** TCP over IPv6 ({@code flags}: SYN 0x02, ACK 0x10, PSH 0x08), hop limit 64, checksums right. */
    static byte[] tcp(long srcMac, long dstMac, byte[] src, byte[] dst, int sport, int dport, int flags, byte[] payload) {
        ByteBuffer l4 = ByteBuffer.allocate(20 + payload.length);
        l4.putShort((short) sport).putShort((short) dport).putInt(1000).putInt(0).put((byte) 0x50).put((byte) flags)
                .putShort((short) 65535).putShort((short) 0).putShort((short) 0).put(payload);
        return frame(srcMac, dstMac, 64, TCP, src, dst, l4.array(), 16);
    }

    /** A neighbour solicitation for {@code target} with a source link-layer option ({@code sll} >= 0). */
    static byte[] solicitation(long srcMac, int hopLimit, byte[] src, byte[] target, long sll) {
        ByteBuffer m = ByteBuffer.allocate(24 + (sll >= 0 ? 8 : 0));
        m.put((byte) 135).put((byte) 0).putShort((short) 0).putInt(0).put(target);
        if (sll >= 0) {
            m.put((byte) 1).put((byte) 1).putShort((short) (sll >>> 32)).putInt((int) sll);
        }
        byte[] dst = addr("ff02::1:ff00:0");
        System.arraycopy(target, 13, dst, 13, 3);
        return frame(srcMac, 0x3333_ff00_0000L | ((target[13] & 0xffL) << 16) | ((target[14] & 0xff) << 8)
                | (target[15] & 0xff), hopLimit, ICMPV6, src, dst, m.array(), 2);
    }

    private static byte[] frame(long srcMac, long dstMac, int hopLimit, int next, byte[] src, byte[] dst, byte[] l4,
                                int checksumAt) {
        ByteBuffer b = ByteBuffer.allocate(14 + 40 + l4.length);
        b.putShort((short) (dstMac >>> 32)).putInt((int) dstMac).putShort((short) (srcMac >>> 32)).putInt((int) srcMac)
                .putShort((short) 0x86dd);
        b.putInt(0x6000_0000).putShort((short) l4.length).put((byte) next).put((byte) hopLimit).put(src).put(dst);
        b.put(l4);
        byte[] f = b.array();
        int c = ~sum(f) & 0xffff;
        f[54 + checksumAt] = (byte) (c >>> 8);
        f[54 + checksumAt + 1] = (byte) c;
        return f;
    }

    /** Folded one's complement sum of pseudo-header + upper layer: 0xffff when the checksum is right. */
    static int sum(byte[] f) {
        int len = ((f[18] & 0xff) << 8) | (f[19] & 0xff);
        long s = len + (f[20] & 0xff);
        for (int i = 22; i < 54; i += 2) {
            s += ((f[i] & 0xff) << 8) | (f[i + 1] & 0xff);
        }
        for (int i = 54; i < 54 + len; i += 2) {
            s += ((f[i] & 0xff) << 8) | (i + 1 < 54 + len ? f[i + 1] & 0xff : 0);
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    static boolean checksumValid(byte[] f) {
        return sum(f) == 0xffff;
    }

    static byte[] src(byte[] f) {
        return java.util.Arrays.copyOfRange(f, 22, 38);
    }

    static byte[] dst(byte[] f) {
        return java.util.Arrays.copyOfRange(f, 38, 54);
    }

    static int nextHeader(byte[] f) {
        return f[20] & 0xff;
    }

    static int hopLimit(byte[] f) {
        return f[21] & 0xff;
    }

    static int sport(byte[] f) {
        return ((f[54] & 0xff) << 8) | (f[55] & 0xff);
    }

    static int dport(byte[] f) {
        return ((f[56] & 0xff) << 8) | (f[57] & 0xff);
    }

    static int icmpType(byte[] f) {
        return f[54] & 0xff;
    }

    static byte[] payload(byte[] f) {
        return java.util.Arrays.copyOfRange(f, 54 + 20, f.length);
    }
}
