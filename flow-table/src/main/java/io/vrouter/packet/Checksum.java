package io.vrouter.packet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071) and its incremental update (RFC 1624).
 *
 * <p>Sums are carried as non-negative {@code int}s of 16-bit words added without folding;
 * {@link #fold(int)} reduces them with end-around carry. A caller may add at most 32767
 * words (64 KiB) to one unfolded sum before folding, which covers any IPv4 datagram.
 *
 * <p>Incremental update uses RFC 1624 equation 3, {@code HC' = ~(~HC + ~m + m')}, which,
 * unlike equation 2 of RFC 1141, never turns a correct checksum into the wrong zero. A wrong
 * checksum stays exactly as wrong: the rewrite never "repairs" a corrupt packet the receiver
 * should drop. The UDP "no checksum" value 0 is handled by the caller ({@link NatRewriter}).
 */
public final class Checksum {
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private Checksum() {
    }

    /**
     * Adds the bytes {@code [off, off+len)} as big-endian 16-bit words to {@code sum}
     * (an odd trailing byte is padded with zero, RFC 1071). Returns the unfolded sum.
     */
    public static int add(int sum, byte[] b, int off, int len) {
        // 2^16 = 1 (mod 2^16 - 1): summing big-endian 64-bit words as two 32-bit halves and
        // folding gives the same one's complement sum as 16-bit words, 4x fewer steps.
        long s = sum & 0xffffffffL;
        int i = off;
        int end8 = off + (len & ~7);
        for (; i < end8; i += 8) {
            long v = (long) LONG_BE.get(b, i);
            s += (v >>> 32) + (v & 0xffffffffL);
        }
        int end2 = off + (len & ~1);
        for (; i < end2; i += 2) {
            s += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        if ((len & 1) != 0) {
            s += (b[end2] & 0xff) << 8;
        }
        return foldLong(s);
    }

    /** Reference 16-bit-at-a-time sum (RFC 1071 as written), for tests of {@link #add}. */
    static int addSimple(int sum, byte[] b, int off, int len) {
        long s = sum & 0xffffffffL;
        int end = off + (len & ~1);
        for (int i = off; i < end; i += 2) {
            s += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        if ((len & 1) != 0) {
            s += (b[end] & 0xff) << 8;
        }
        return foldLong(s);
    }

    /** Folds an unfolded sum to 16 bits with end-around carry. */
    public static int fold(int sum) {
        long s = sum & 0xffffffffL;
        return foldLong(s);
    }

    private static int foldLong(long s) {
        s = (s & 0xffffffffL) + (s >>> 32);
        s = (s & 0xffffffffL) + (s >>> 32);
        s = (s & 0xffff) + (s >>> 16);
        s = (s & 0xffff) + (s >>> 16);
        s = (s & 0xffff) + (s >>> 16);
        return (int) s;
    }

    /** The checksum (one's complement of the folded sum) of {@code [off, off+len)}. */
    public static int compute(byte[] b, int off, int len) {
        return ~add(0, b, off, len) & 0xffff;
    }

    /** Unfolded sum of the TCP/UDP pseudo-header: addresses, protocol and L4 length. */
    public static int pseudoHeaderSum(int srcIp, int dstIp, int protocol, int l4Length) {
        return (srcIp >>> 16) + (srcIp & 0xffff) + (dstIp >>> 16) + (dstIp & 0xffff) + protocol + l4Length;
    }

    /** Unfolded sum of a 64-bit value's four 16-bit words (half of an IPv6 address). */
    public static int sum64(long v) {
        return (int) (v >>> 48) + ((int) (v >>> 32) & 0xffff) + ((int) (v >>> 16) & 0xffff) + ((int) v & 0xffff);
    }

    /**
     * Unfolded sum of the IPv6 pseudo-header (RFC 8200 8.1): addresses, upper-layer length and
     * next header; covered by TCP, UDP and ICMPv6 checksums alike.
     */
    public static int pseudoHeaderSum6(long srcHi, long srcLo, long dstHi, long dstLo, int nextHeader, int l4Length) {
        return sum64(srcHi) + sum64(srcLo) + sum64(dstHi) + sum64(dstLo) + (l4Length >>> 16) + (l4Length & 0xffff)
                + nextHeader;
    }

    /**
     * Recomputes from scratch the IPv4 header checksum of the header at {@code l3Off} of
     * {@code headerLength} bytes (options included) and stores it. Returns the new checksum.
     */
    public static int setIpv4HeaderChecksum(byte[] b, int l3Off, int headerLength) {
        Bytes.put16(b, l3Off + Ipv4.CHECKSUM, 0);
        int c = compute(b, l3Off, headerLength);
        Bytes.put16(b, l3Off + Ipv4.CHECKSUM, c);
        return c;
    }

    /**
     * Computes from scratch the TCP or UDP checksum (with pseudo-header) of the segment at
     * {@code l4Off} of {@code l4Length} bytes, ignoring the checksum field's current value.
     * For UDP a computed 0 is returned as 0xFFFF (RFC 768). Does not write the buffer.
     */
    public static int computeTransport(byte[] b, int l4Off, int l4Length, int protocol, int srcIp, int dstIp) {
        return computeWithPseudoHeader(b, l4Off, l4Length, protocol, pseudoHeaderSum(srcIp, dstIp, protocol, l4Length));
    }

    /**
     * {@link #computeTransport} over an already summed pseudo-header ({@link #pseudoHeaderSum} or
     * {@link #pseudoHeaderSum6}), for TCP, UDP and ICMPv6 (whose checksum is at offset 2, as
     * ICMP's). For UDP a computed 0 is returned as 0xFFFF. Does not write the buffer.
     */
    public static int computeWithPseudoHeader(byte[] b, int l4Off, int l4Length, int protocol, int pseudoSum) {
        int csumOff = l4Off + checksumOffset(protocol);
        int sum = add(pseudoSum, b, l4Off, csumOff - l4Off);
        sum = add(sum, b, csumOff + 2, l4Off + l4Length - csumOff - 2);
        int c = ~fold(sum) & 0xffff;
        return protocol == Ipv4.PROTO_UDP && c == 0 ? 0xffff : c;
    }

    /** Offset of the checksum in a TCP, UDP, ICMP or ICMPv6 header. */
    public static int checksumOffset(int protocol) {
        return protocol == Ipv4.PROTO_TCP ? Tcp.CHECKSUM : protocol == Ipv4.PROTO_UDP ? Udp.CHECKSUM : Icmp.CHECKSUM;
    }

    /** Computes from scratch the ICMP checksum of the message at {@code off} (no pseudo-header). */
    public static int computeIcmp(byte[] b, int off, int len) {
        int sum = add(0, b, off, Icmp.CHECKSUM);
        sum = add(sum, b, off + Icmp.CHECKSUM + 2, len - Icmp.CHECKSUM - 2);
        return ~fold(sum) & 0xffff;
    }

    /** RFC 1624 eqn 3: the checksum after a 16-bit word covered by it changed from {@code old} to {@code now}. */
    public static int update16(int checksum, int old, int now) {
        int s = (~checksum & 0xffff) + (~old & 0xffff) + (now & 0xffff);
        s = (s & 0xffff) + (s >>> 16);
        s = (s & 0xffff) + (s >>> 16);
        return ~s & 0xffff;
    }

    /** RFC 1624 eqn 3 for a 32-bit field (an IPv4 address): both halves at once. */
    public static int update32(int checksum, int old, int now) {
        int s = (~checksum & 0xffff)
                + (~old >>> 16 & 0xffff) + (~old & 0xffff)
                + (now >>> 16) + (now & 0xffff);
        s = (s & 0xffff) + (s >>> 16);
        s = (s & 0xffff) + (s >>> 16);
        return ~s & 0xffff;
    }

    /**
     * Accumulates the difference "{@code old} → {@code now}" of a 16-bit word into an unfolded
     * delta for {@link #applyDelta}. Use when many words change under one checksum.
     */
    public static int delta16(int delta, int old, int now) {
        return delta + (~old & 0xffff) + (now & 0xffff);
    }

    /** {@link #delta16} for a 64-bit field (half of an IPv6 address). */
    public static int delta64(int delta, long old, long now) {
        return delta + sum64(~old) + sum64(now);
    }

    /** {@link #delta16} for a 32-bit field. */
    public static int delta32(int delta, int old, int now) {
        return delta + (~old >>> 16 & 0xffff) + (~old & 0xffff) + (now >>> 16) + (now & 0xffff);
    }

    /** Applies an accumulated unfolded delta to a checksum (RFC 1624 eqn 3 generalised). */
    public static int applyDelta(int checksum, int delta) {
        return ~fold((~checksum & 0xffff) + delta) & 0xffff;
    }

    /** Verifies a region whose checksum field is included: the folded sum must be 0xFFFF. */
    public static boolean verify(byte[] b, int off, int len) {
        return add(0, b, off, len) == 0xffff;
    }
}
