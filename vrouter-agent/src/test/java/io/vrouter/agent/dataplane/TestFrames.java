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
}
