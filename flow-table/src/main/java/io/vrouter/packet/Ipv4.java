package io.vrouter.packet;

/**
 * IPv4 header layout (RFC 791). Offsets are from the start of the IP header.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |Type of Service|          Total Length         |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |Flags|      Fragment Offset    |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          | 12
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        | 16
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (IHL > 5)          |    Padding    | 20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Flags: bit 0 reserved, DF = 0x4000, MF = 0x2000 of the 16-bit word at 6;
 * fragment offset in 8-octet units in its low 13 bits.
 * </pre>
 */
public final class Ipv4 {
    public static final int VERSION_IHL = 0;
    public static final int TOS = 1;
    public static final int TOTAL_LENGTH = 2;
    public static final int IDENTIFICATION = 4;
    public static final int FLAGS_FRAGMENT = 6;
    public static final int TTL = 8;
    public static final int PROTOCOL = 9;
    public static final int CHECKSUM = 10;
    public static final int SRC_ADDR = 12;
    public static final int DST_ADDR = 16;
    public static final int MIN_HEADER_LENGTH = 20;
    public static final int MAX_HEADER_LENGTH = 60;

    public static final int FLAG_DF = 0x4000;
    public static final int FLAG_MF = 0x2000;
    public static final int FRAGMENT_OFFSET_MASK = 0x1fff;

    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;

    /** TTL used for packets this dataplane originates (ICMP errors). */
    public static final int DEFAULT_TTL = 64;

    private Ipv4() {
    }

    /**
     * Decrements the TTL of the IPv4 header at {@code l3Off} and updates its checksum
     * incrementally (TTL is the high byte of the word at offset 8). Returns the new TTL, or
     * {@code 0} without touching the packet when the TTL is already 0 or 1 (expired: the
     * caller drops it or answers with ICMP time exceeded).
     */
    public static int decrementTtl(byte[] b, int l3Off) {
        int ttl = b[l3Off + TTL] & 0xff;
        if (ttl <= 1) {
            return 0;
        }
        int oldWord = Bytes.u16(b, l3Off + TTL);
        int newWord = oldWord - 0x100;
        b[l3Off + TTL] = (byte) (ttl - 1);
        Bytes.put16(b, l3Off + CHECKSUM, Checksum.update16(Bytes.u16(b, l3Off + CHECKSUM), oldWord, newWord));
        return ttl - 1;
    }

    /**
     * Writes a 20-byte IPv4 header (no options, DF clear, not fragmented) with a correct
     * checksum at {@code l3Off}; returns the L4 offset.
     */
    public static int writeHeader(byte[] b, int l3Off, int totalLength, int id, int ttl, int protocol,
                                  int srcIp, int dstIp) {
        Bytes.put8(b, l3Off + VERSION_IHL, 0x45);
        Bytes.put8(b, l3Off + TOS, 0);
        Bytes.put16(b, l3Off + TOTAL_LENGTH, totalLength);
        Bytes.put16(b, l3Off + IDENTIFICATION, id);
        Bytes.put16(b, l3Off + FLAGS_FRAGMENT, 0);
        Bytes.put8(b, l3Off + TTL, ttl);
        Bytes.put8(b, l3Off + PROTOCOL, protocol);
        Bytes.put32(b, l3Off + SRC_ADDR, srcIp);
        Bytes.put32(b, l3Off + DST_ADDR, dstIp);
        Checksum.setIpv4HeaderChecksum(b, l3Off, MIN_HEADER_LENGTH);
        return l3Off + MIN_HEADER_LENGTH;
    }
}
