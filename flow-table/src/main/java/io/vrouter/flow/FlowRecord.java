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
 *  |   Protocol    |6|       Interface / next-hop id (23)          |  3 PROTO_NH
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
 * <p>Nothing outside this class decodes a record with shifts and masks: the static accessors
 * below name every field (over the record array and an entry's base offset {@code i * STRIDE},
 * or over a STATE / PORTS / PROTO_NH word already read, as a seqlock reader has it).
 *
 * <h2>IPv6 keys</h2>
 * Bit "6" of PROTO_NH ({@link #IPV6}) marks an IPv6 flow. Its SIP and DIP words then hold
 * <em>address ids</em>, not addresses: the table interns each IPv6 address in use
 * ({@code FlowAddresses6}: 128-bit address, reference count, its own hash index; 28 bytes per
 * address, {@code FlowTableConfig.ipv6Addresses} of them) and the key carries the two 32-bit ids.
 * So an IPv6 flow costs the same 52-byte record, hashes, compares, ages and NATs (FlowNat
 * compares ids, which are equal exactly when the addresses are) through the same code as an
 * IPv4 one, and an IPv4 lookup does no more work than before: the family bit is part of the
 * PROTO_NH word it already compares, so a v4 key never matches a v6 one. An IPv6 lookup first
 * finds the two ids (a miss on either is a flow miss) and then looks the packed key up as usual.
 * The id's reference is taken when an entry is written and dropped when it is freed. The
 * alternative, a 10-int key (two 4-int addresses) and {@code STRIDE = 19}, would have cost
 * every IPv4 entry 24 bytes or a second table instance with its own limits and aging.
 * The price: interface ids have 23 bits (8M interfaces; the agent uses 65534).
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

    /** Largest interface/next-hop id (23 bits: bit 23 of PROTO_NH is {@link #IPV6}). */
    public static final int MAX_INTERFACE_ID = (1 << 23) - 1;
    /** PROTO_NH bit of an IPv6 flow, whose SIP/DIP words are address ids. */
    public static final int IPV6 = 1 << 23;
    /** A tick is 2^20 ns (1.05 ms): last-seen fits 32 bits and still resolves well below a second. */
    public static final int TICK_SHIFT = 20;

    private FlowRecord() {
    }

    /** Whether ports fit 16 bits and the protocol 8, so the key packs into PORTS and PROTO_NH. */
    static boolean packable(int proto, int sport, int dport) {
        return (((sport | dport) >>> 16) | (proto >>> 8)) == 0;
    }

    /** The generation after {@code gen}: 1..2^31-1, wrapping past 0 (0 is never a generation). */
    static int nextGeneration(int gen) {
        int next = (gen + 1) & 0x7FFF_FFFF;
        return next == 0 ? 1 : next;
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

    /**
     * Whether wire TCP flags can start a connection: SYN without ACK, FIN or RST (ECE, CWR, PSH,
     * URG are allowed: an ECN set-up SYN carries ECE and CWR). SYN+FIN, XMAS, NULL, a bare ACK
     * or RST cannot.
     */
    public static boolean startsConnection(int wireFlags) {
        return (wireFlags & 0x17) == 0x02;
    }

    /** Ticks of a nanosecond time. */
    public static int tick(long nowNs) {
        return (int) (nowNs >>> TICK_SHIFT);
    }

    /** Ticks of a duration, rounded up (so a timeout never fires early), saturating. */
    static int durationTicks(long ns) {
        long t = (ns + (1L << TICK_SHIFT) - 1) >>> TICK_SHIFT;
        return (int) Math.min(t, Integer.MAX_VALUE);
    }

    // ------------------------------------------------------------------ key words 0-3

    /** Source port of a PORTS word. */
    static int sport(int ports) {
        return ports >>> 16;
    }

    /** Destination port of a PORTS word. */
    static int dport(int ports) {
        return ports & 0xFFFF;
    }

    /** Packs protocol and interface id of an IPv6 flow into the PROTO_NH word. */
    public static int protoNh6(int proto, int nh) {
        return (proto << 24) | IPV6 | nh;
    }

    /** Whether a PROTO_NH word is an IPv6 flow's. */
    static boolean isIpv6(int protoNh) {
        return (protoNh & IPV6) != 0;
    }

    /** Protocol of a PROTO_NH word. */
    static int proto(int protoNh) {
        return protoNh >>> 24;
    }

    /** Interface / next-hop id of a PROTO_NH word. */
    static int nh(int protoNh) {
        return protoNh & MAX_INTERFACE_ID;
    }

    /** Protocol of entry {@code b}. */
    static int proto(int[] rec, int b) {
        return proto(rec[b + PROTO_NH]);
    }

    /** Owning interface of entry {@code b} (its key's interface). */
    static int nh(int[] rec, int b) {
        return nh(rec[b + PROTO_NH]);
    }

    /** Whether entry {@code b} holds the packed key. */
    static boolean keyEquals(int[] rec, int b, int sip, int dip, int ports, int protoNh) {
        return rec[b + SIP] == sip && rec[b + DIP] == dip && rec[b + PORTS] == ports && rec[b + PROTO_NH] == protoNh;
    }

    /** Writes the packed key into entry {@code b} (inside the caller's seqlock write). */
    static void writeKey(int[] rec, int b, int sip, int dip, int ports, int protoNh) {
        rec[b + SIP] = sip;
        rec[b + DIP] = dip;
        rec[b + PORTS] = ports;
        rec[b + PROTO_NH] = protoNh;
    }

    // ------------------------------------------------------------------ STATE word

    /** A STATE word. */
    static int state(int flags, int dropReason, int tcpBits, int action) {
        return (flags << FLAGS_SHIFT) | (dropReason << DROP_SHIFT) | (tcpBits << TCP_SHIFT) | action;
    }

    /** {@link FlowAction} of a STATE word. */
    static int action(int state) {
        return state & ACTION_MASK;
    }

    /** Stored TCP bits ({@link #TCP_FIN}..) of a STATE word. */
    static int tcpState(int state) {
        return (state >>> TCP_SHIFT) & TCP_MASK;
    }

    /** Drop reason code of a STATE word (0 = none). */
    static int dropReason(int state) {
        return (state >>> DROP_SHIFT) & DROP_MASK;
    }

    /** {@link FlowFlags} of a STATE word. */
    static int flags(int state) {
        return state >>> FLAGS_SHIFT;
    }

    /** Whether a STATE word has any of the flag bits {@code flag}. */
    static boolean hasFlag(int state, int flag) {
        return (flags(state) & flag) != 0;
    }

    /** The STATE word with its flags replaced. */
    static int withFlags(int state, int flags) {
        return (state & ((1 << FLAGS_SHIFT) - 1)) | (flags << FLAGS_SHIFT);
    }

    /** The STATE word with TCP bits added. */
    static int withTcpBits(int state, int tcpBits) {
        return state | (tcpBits << TCP_SHIFT);
    }

    /** The STATE word with no TCP bits. */
    static int withoutTcpBits(int state) {
        return state & ~(TCP_MASK << TCP_SHIFT);
    }

    /** The STATE word turned into a DROP carrying {@code reason}; flags and TCP bits kept. */
    static int withDrop(int state, int reason) {
        return (state & ~(ACTION_MASK | (DROP_MASK << DROP_SHIFT))) | FlowAction.DROP | (reason << DROP_SHIFT);
    }

    /** {@link FlowAction} of entry {@code b}. */
    static int action(int[] rec, int b) {
        return action(rec[b + STATE]);
    }

    /** Partner index of entry {@code b}, or -1: LINK holds a hold-queue slot while in HOLD. */
    static int partner(int[] rec, int b) {
        return action(rec, b) == FlowAction.HOLD ? -1 : rec[b + LINK];
    }

    // ------------------------------------------------------------------ counters

    /** The 40-bit packet count of a PACKETS_LO and COUNTERS_HI word. */
    static long packets(int packetsLo, int countersHi) {
        return ((long) (countersHi >>> 24) << 32) | (packetsLo & 0xFFFF_FFFFL);
    }

    /** The 56-bit byte count of a BYTES_LO and COUNTERS_HI word. */
    static long bytes(int bytesLo, int countersHi) {
        return ((long) (countersHi & 0x00FF_FFFF) << 32) | (bytesLo & 0xFFFF_FFFFL);
    }

    /** Adds one packet of {@code bytes} to entry {@code b}'s counters (inside the caller's seqlock write). */
    static void addPacket(int[] rec, int b, int bytes) {
        int pl = rec[b + PACKETS_LO] + 1;
        int hi = rec[b + COUNTERS_HI];
        if (pl == 0) {
            hi += 1 << 24;
        }
        long bl = (rec[b + BYTES_LO] & 0xFFFF_FFFFL) + (bytes & 0xFFFF_FFFFL);
        if ((bl >>> 32) != 0) {
            hi = (hi & 0xFF00_0000) | ((hi + (int) (bl >>> 32)) & 0x00FF_FFFF);
        }
        rec[b + PACKETS_LO] = pl;
        rec[b + BYTES_LO] = (int) bl;
        rec[b + COUNTERS_HI] = hi;
    }

    /**
     * Adds {@code packets} packets of {@code bytes} bytes in all (a fast path's count since the
     * last merge) to entry {@code b}'s counters, wrapping like {@link #addPacket}.
     */
    static void addCounters(int[] rec, int b, long packets, long bytes) {
        int hi = rec[b + COUNTERS_HI];
        long p = (packets(rec[b + PACKETS_LO], hi) + packets) & 0xFF_FFFF_FFFFL;
        long by = (bytes(rec[b + BYTES_LO], hi) + bytes) & 0xFF_FFFF_FFFF_FFFFL;
        rec[b + PACKETS_LO] = (int) p;
        rec[b + BYTES_LO] = (int) by;
        rec[b + COUNTERS_HI] = (int) (p >>> 32) << 24 | (int) (by >>> 32);
    }
}
