package io.vrouter.packet;

/**
 * Big-endian (network order) accessors on a {@code byte[]}. Callers check bounds first; these
 * methods add none of their own beyond the JVM's array checks.
 */
public final class Bytes {
    private Bytes() {
    }

    /** Unsigned byte at {@code i}. */
    public static int u8(byte[] b, int i) {
        return b[i] & 0xff;
    }

    /** Unsigned 16-bit big-endian value at {@code i}. */
    public static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    /** 32-bit big-endian value at {@code i}. */
    public static int i32(byte[] b, int i) {
        return ((b[i] & 0xff) << 24) | ((b[i + 1] & 0xff) << 16) | ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
    }

    /** 48-bit big-endian value at {@code i} (a MAC address) in the low bits of a long. */
    public static long u48(byte[] b, int i) {
        return ((long) u16(b, i) << 32) | (i32(b, i + 2) & 0xffffffffL);
    }

    /** 64-bit big-endian value at {@code i} (half of an IPv6 address). */
    public static long i64(byte[] b, int i) {
        return ((long) i32(b, i) << 32) | (i32(b, i + 4) & 0xffffffffL);
    }

    public static void put8(byte[] b, int i, int v) {
        b[i] = (byte) v;
    }

    public static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    public static void put32(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }

    public static void put64(byte[] b, int i, long v) {
        put32(b, i, (int) (v >>> 32));
        put32(b, i + 4, (int) v);
    }

    public static void put48(byte[] b, int i, long v) {
        put16(b, i, (int) (v >>> 32));
        put32(b, i + 2, (int) v);
    }

    /** Dotted-quad text of an IPv4 address held as an int (diagnostics only; allocates). */
    public static String ipToString(int ip) {
        return (ip >>> 24) + "." + ((ip >>> 16) & 0xff) + "." + ((ip >>> 8) & 0xff) + "." + (ip & 0xff);
    }

    /** IPv4 address from four octets. */
    public static int ip(int a, int b, int c, int d) {
        return (a << 24) | ((b & 0xff) << 16) | ((c & 0xff) << 8) | (d & 0xff);
    }

    /** Colon-separated text of a MAC held in the low 48 bits of a long (diagnostics; allocates). */
    public static String macToString(long mac) {
        StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            int v = (int) (mac >>> shift) & 0xff;
            sb.append(Character.forDigit(v >>> 4, 16)).append(Character.forDigit(v & 0xf, 16));
            if (shift > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }
}
