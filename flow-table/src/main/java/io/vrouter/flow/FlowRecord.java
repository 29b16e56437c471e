package io.vrouter.flow;

/**
 * Layout of one flow entry in {@link FlowTable}'s record array: 13 {@code int}s = 52 bytes,
 * entry {@code i} at {@code i * STRIDE}. Entries never move; the hash index stores entry indexes.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     Source IPv4 address                       |  0 SIP
 *  +---------------------------------------------------------------+
 *  |                   Destination IPv4 address                    |  1 DIP
 *  +-------------------------------+-------------------------------+
 *  |          Source port          |       Destination port        |  2 PORTS
 *  +---------------+---------------+-------------------------------+
 *  |   Protocol    |         Interface / next-hop id (24)          |  3 PROTO_NH
 *  +---------------+-----------------------------------------------+
 *  |           Sequence (seqlock: odd while being written)         |  4 SEQ
 *  +---------------------------------------------------------------+
 *  |0|                 Generation (1..2^31-1)                      |  5 GEN
 *  +-------------------------------+---------------+-------+-------+
 *  |        Flags (FlowFlags)      |  Drop reason  |  TCP  |Action |  6 STATE
 *  +-------------------------------+---------------+-------+-------+
 *  |  Reverse index | hold-queue slot (HOLD) | next free (FREE)    |  7 LINK
 *  +---------------------------------------------------------------+
 *  |        Last seen, in 2^20 ns ticks (wrapping, ~52 days)       |  8 LAST_SEEN
 *  +---------------------------------------------------------------+
 *  |                 Position in the active list                   |  9 ACTIVE_POS
 *  +---------------------------------------------------------------+
 *  |                    Packets, low 32 bits                       | 10 PACKETS_LO
 *  +---------------------------------------------------------------+
 *  |                     Bytes, low 32 bits                        | 11 BYTES_LO
 *  +---------------+-----------------------------------------------+
 *  | Packets hi 8  |              Bytes, high 24 bits              | 12 COUNTERS_HI
 *  +---------------+-----------------------------------------------+
 * </pre>
 *
 * <p>Words 0-3 are the key (compared and hashed as four ints). Counters are 40-bit packets
 * (1.1e12) and 56-bit bytes (7.2e16) and wrap silently, like interface counters. TCP holds the
 * {@code TCP_*} bits seen on this direction.
 *
 * <p>Hash index slot ({@code int}, two per entry, 0 = empty), e.g. for 512K entries:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-----------+---------+---------------------------------------+
 *  |0|  Tag (6)  | Disp (5)|   Entry index + 1 (log2(capacity)+1)  |
 *  +-+-----------+---------+---------------------------------------+
 * </pre>
 * Tag: hash bits compared before touching the entry. Disp: probe distance from the home slot
 * (saturating at 31, then recomputed from the entry), used when deletion shifts slots back.
 *
 * <p>Memory per entry: 52 bytes here + 8 bytes of hash index (two {@code int} slots per entry,
 * so the index is at most half full) + 4 bytes of active list = <b>64 bytes</b> (vrouter: 256).
 *
 * <p>IPv6: only words 0-3 and the key helpers in {@link FlowTable} ({@code keyEquals},
 * {@code hash}, {@code writeKey}) know the key. An IPv6 table uses a 10-int key (two 4-int
 * addresses, ports, protocol/nh) with the same 9 trailing words, i.e. {@code KEY_INTS = 10},
 * {@code STRIDE = 19}; the hash index, seqlock, aging, hold queues and handles are unchanged.
 * The natural shape is a second table instance per family (a v6 flow never matches a v4 one), so
 * the 4-byte key keeps its 64-byte budget.
 */
public final class FlowRecord {
    /** Key words. */
    public static final int SIP = 0;
    public static final int DIP = 1;
    public static final int PORTS = 2;
    public static final int PROTO_NH = 3;
    /** Number of key words (IPv4). */
    public static final int KEY_INTS = 4;
    public static final int SEQ = 4;
    public static final int GEN = 5;
    public static final int STATE = 6;
    public static final int LINK = 7;
    public static final int LAST_SEEN = 8;
    public static final int ACTIVE_POS = 9;
    public static final int PACKETS_LO = 10;
    public static final int BYTES_LO = 11;
    public static final int COUNTERS_HI = 12;
    /** Ints per entry. */
    public static final int STRIDE = 13;
    /** Bytes per entry in the record array. */
    public static final int RECORD_BYTES = STRIDE * Integer.BYTES;
    /** Bytes per entry in total: record + hash index share + active list share. */
    public static final int BYTES_PER_ENTRY = RECORD_BYTES + 2 * Integer.BYTES + Integer.BYTES;

    /** STATE bit fields. */
    public static final int ACTION_MASK = 0xF;
    public static final int TCP_SHIFT = 4;
    public static final int TCP_MASK = 0xF;
    public static final int DROP_SHIFT = 8;
    public static final int DROP_MASK = 0xFF;
    public static final int FLAGS_SHIFT = 16;

    /** TCP bits stored per direction (not the wire bits). */
    public static final int TCP_FIN = 1;
    public static final int TCP_SYN = 2;
    public static final int TCP_RST = 4;
    public static final int TCP_ACK = 8;

    /** Largest interface/next-hop id (24 bits). */
    public static final int MAX_INTERFACE_ID = (1 << 24) - 1;
    /** A tick is 2^20 ns (1.05 ms): last-seen fits 32 bits and still resolves well below a second. */
    public static final int TICK_SHIFT = 20;

    private FlowRecord() {
    }

    /** Packs ports into the PORTS word. */
    public static int ports(int sport, int dport) {
        return (sport << 16) | dport;
    }

    /** Packs protocol and interface id into the PROTO_NH word. */
    public static int protoNh(int proto, int nh) {
        return (proto << 24) | nh;
    }

    /** Maps wire TCP flags (FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10) to the stored TCP bits. */
    public static int tcpBits(int wireFlags) {
        return (wireFlags & 0x07) | ((wireFlags & 0x10) >>> 1);
    }

    /** Ticks of a nanosecond time. */
    public static int tick(long nowNs) {
        return (int) (nowNs >>> TICK_SHIFT);
    }
}
