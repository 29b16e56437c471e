package io.vrouter.packet;

/**
 * IPv6 fixed header (RFC 8200) and the extension headers the parser walks. Offsets are from the
 * start of the IPv6 header. Addresses are carried as two {@code long}s, high and low 64 bits in
 * network order value ({@code fe80::a9fe:a9fe} is hi {@code 0xfe80_0000_0000_0000L}, lo
 * {@code 0x0000_0000_a9fe_a9feL}), so the packet path never allocates a byte array or an
 * {@code InetAddress}.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |           Flow Label                  |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Source Address (128 bits)                    |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               Destination Address (128 bits)                  | 24
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * Hop-by-hop (0), routing (43), destination options (60):
 * |  Next Header  |  Hdr Ext Len  |  ... (Hdr Ext Len + 1) * 8 bytes in all
 * Fragment (44), 8 bytes:
 * |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 * |                         Identification                        |
 * </pre>
 */
public final class Ipv6 {
    public static final int VERSION_CLASS_FLOW = 0;
    public static final int PAYLOAD_LENGTH = 4;
    public static final int NEXT_HEADER = 6;
    public static final int HOP_LIMIT = 7;
    public static final int SRC_ADDR = 8;
    public static final int DST_ADDR = 24;
    public static final int HEADER_LENGTH = 40;

    /** Next-header values. */
    public static final int NH_HOP_BY_HOP = 0;
    public static final int NH_ROUTING = 43;
    public static final int NH_FRAGMENT = 44;
    public static final int NH_ICMPV6 = 58;
    public static final int NH_DEST_OPTIONS = 60;

    /** Fragment header: length, and the offset / M-flag word at offset 2. */
    public static final int FRAGMENT_HEADER_LENGTH = 8;
    public static final int FRAGMENT_OFFSET_MASK = 0xFFF8;
    public static final int FRAGMENT_M = 1;

    /**
     * Most extension headers the parser walks before the upper layer; more is dropped
     * ({@link io.vrouter.drop.DropReason#BAD_IPV6_EXTENSION}). A legitimate packet carries one or
     * two; the bound keeps the per-packet work constant against a guest sending hundreds.
     */
    public static final int MAX_EXTENSION_HEADERS = 8;

    /** The high 64 bits of every fe80::/64 address. */
    public static final long LINK_LOCAL_HI = 0xfe80_0000_0000_0000L;
    /** ff02::1, all nodes: high and low halves. */
    public static final long ALL_NODES_HI = 0xff02_0000_0000_0000L;
    public static final long ALL_NODES_LO = 1L;

    private Ipv6() {
    }

    /** High 64 bits of the address at {@code off}. */
    public static long addressHi(byte[] b, int off) {
        return Bytes.i64(b, off);
    }

    /** Low 64 bits of the address at {@code off}. */
    public static long addressLo(byte[] b, int off) {
        return Bytes.i64(b, off + 8);
    }

    public static void putAddress(byte[] b, int off, long hi, long lo) {
        Bytes.put64(b, off, hi);
        Bytes.put64(b, off + 8, lo);
    }

    /** Whether the address is multicast (ff00::/8). */
    public static boolean isMulticast(long hi) {
        return (hi >>> 56) == 0xff;
    }

    /** Whether the address is the unspecified address {@code ::}. */
    public static boolean isUnspecified(long hi, long lo) {
        return (hi | lo) == 0;
    }

    /** Whether the address is in fe80::/64, the link-local unicast prefix a host configures. */
    public static boolean isLinkLocal(long hi) {
        return hi == LINK_LOCAL_HI;
    }

    /** The Ethernet multicast MAC of a multicast address: 33:33 + its low 32 bits (RFC 2464 7). */
    public static long multicastMac(long lo) {
        return 0x3333_0000_0000L | (lo & 0xffff_ffffL);
    }

    /** Compressed text of an address (diagnostics only; allocates). */
    public static String toString(long hi, long lo) {
        byte[] a = new byte[16];
        Bytes.put64(a, 0, hi);
        Bytes.put64(a, 8, lo);
        try {
            return java.net.InetAddress.getByAddress(a).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e); // 16 bytes is always an address
        }
    }
}
