package io.vrouter.agent.dataplane.host;

import java.util.StringJoiner;

/**
 * Which guest frames are link-local, i.e. the agent's in {@link PortMode#SHARED} mode, from one
 * classic BPF program built twice: for the tc ingress filter that keeps those frames from the
 * node's bridge ({@link #tcBytecode()}) and for the port's capture socket, which takes only them
 * ({@link #socketProgram()}); as a libpcap expression ({@link #PCAP_EXPRESSION}) for operators'
 * tcpdump. A unit test runs the programs and libpcap's expression over the same frames and
 * requires the same verdicts.
 *
 * <p>Link-local frames (untagged Ethernet: a VM's tap is untagged, the bridge adds any VLAN):
 * <ul>
 *   <li>IPv4 to 169.254.0.0/16 (metadata 169.254.169.254 and every link-local service);</li>
 *   <li>ARP whose target address is in 169.254.0.0/16;</li>
 *   <li>IPv6 to {@code fe80::a9fe:a9fe} (IPv6 metadata);</li>
 *   <li>ICMPv6 neighbour solicitations (type 135) whose target is {@code fe80::a9fe:a9fe}
 *       (sent to the solicited-node multicast address, so matched on the target field).</li>
 * </ul>
 *
 * <p>The tc program, in direct-action mode (the return value is the verdict):
 * <pre>
 *  0  ldh [12]                      ethertype
 *  1  jeq #0x0800   ipv4 (4)
 *  2  jeq #0x0806   arp (7)
 *  3  jeq #0x86dd   ipv6 (10)  else PASS
 *  4  ld  [30]                      IPv4 destination
 *  5  and #0xffff0000
 *  6  jeq #0xa9fe0000 DROP else PASS
 *  7  ld  [38]                      ARP target protocol address
 *  8  and #0xffff0000
 *  9  jeq #0xa9fe0000 DROP else PASS
 * 10..17  IPv6 destination ([38..53]) == fe80::a9fe:a9fe: DROP, else NS (18)
 * 18  ldb [20] jeq #58 (ICMPv6), 20 ldb [54] jeq #135 (NS), 22..29 target ([62..77]) == fe80::a9fe:a9fe: DROP
 * PASS: ret #0xffffffff (TC_ACT_UNSPEC: the next filter, then the bridge, decides)
 * DROP: ret #2          (TC_ACT_SHOT)
 * </pre>
 * A load past the frame's end ends a classic BPF program with 0 (TC_ACT_OK: the frame goes on);
 * the shortest frames that reach a load (IPv4 34, ARP 42, an NS 78 bytes) are whole headers.
 */
public final class LinkLocalFilter {
    /** The same frames in libpcap's syntax: {@code tcpdump -i <tap> '<this>'} shows what the agent takes. */
    public static final String PCAP_EXPRESSION = "(ip and dst net 169.254.0.0/16)"
            + " or (arp and arp[24:4] & 0xffff0000 = 0xa9fe0000)"
            + " or (ip6 and dst host fe80::a9fe:a9fe)"
            + " or (ip6 and ip6[6] = 58 and ip6[40] = 135 and ip6[48:4] = 0xfe800000 and ip6[52:4] = 0"
            + " and ip6[56:4] = 0 and ip6[60:4] = 0xa9fea9fe)";
    /** tc's TC_ACT_SHOT. */
    public static final int DROP = 2;
    /** tc's TC_ACT_UNSPEC (-1): not this filter's business. */
    public static final int PASS = -1;

    // Classic BPF opcodes (linux/filter.h).
    static final int LD_W_ABS = 0x20;
    static final int LD_H_ABS = 0x28;
    static final int LD_B_ABS = 0x30;
    static final int ALU_AND_K = 0x54;
    static final int JEQ_K = 0x15;
    static final int RET_K = 0x06;

    /** A socket filter's "keep the whole frame". */
    public static final int KEEP = -1;
    /** A socket filter's "not for this socket". */
    public static final int SKIP = 0;

    private static final int IPV6_LL_HI = 0xfe800000;
    private static final int METADATA6_LO = 0xa9fea9fe;
    private static final int[][] PROGRAM = build(DROP, PASS);
    private static final int[][] SOCKET_PROGRAM = build(KEEP, SKIP);

    private LinkLocalFilter() {
    }

    /** The tc program as {code, jt, jf, k} rows (a copy). */
    public static int[][] program() {
        return copy(PROGRAM);
    }

    /**
     * The same program as a capture socket's filter (SO_ATTACH_FILTER): link-local frames
     * {@link #KEEP}, every other {@link #SKIP}; the shared-mode guest port's capture (a copy).
     */
    public static int[][] socketProgram() {
        return copy(SOCKET_PROGRAM);
    }

    private static int[][] copy(int[][] program) {
        int[][] copy = new int[program.length][];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = program[i].clone();
        }
        return copy;
    }

    /** The program returning {@code linkLocal} for a link-local frame, {@code other} for any other. */
    private static int[][] build(int linkLocal, int other) {
        final int pass = 30;
        final int drop = 31;
        int[][] p = new int[32][];
        p[0] = ins(LD_H_ABS, 0, 0, 12);
        p[1] = jeq(1, 0x0800, 4, 2);
        p[2] = jeq(2, 0x0806, 7, 3);
        p[3] = jeq(3, 0x86dd, 10, pass);
        p[4] = ins(LD_W_ABS, 0, 0, 30);
        p[5] = ins(ALU_AND_K, 0, 0, 0xffff0000);
        p[6] = jeq(6, 0xa9fe0000, drop, pass);
        p[7] = ins(LD_W_ABS, 0, 0, 38);
        p[8] = ins(ALU_AND_K, 0, 0, 0xffff0000);
        p[9] = jeq(9, 0xa9fe0000, drop, pass);
        address(p, 10, 38, drop, 18);
        p[18] = ins(LD_B_ABS, 0, 0, 20);
        p[19] = jeq(19, 58, 20, pass);
        p[20] = ins(LD_B_ABS, 0, 0, 54);
        p[21] = jeq(21, 135, 22, pass);
        address(p, 22, 62, drop, pass);
        p[pass] = ins(RET_K, 0, 0, other);
        p[drop] = ins(RET_K, 0, 0, linkLocal);
        return p;
    }

    /** At {@code at}: the 16 bytes at {@code offset} equal fe80::a9fe:a9fe, to {@code yes}, else {@code no}. */
    private static void address(int[][] p, int at, int offset, int yes, int no) {
        int[] words = {IPV6_LL_HI, 0, 0, METADATA6_LO};
        for (int i = 0; i < 4; i++) {
            int pc = at + 2 * i;
            p[pc] = ins(LD_W_ABS, 0, 0, offset + 4 * i);
            p[pc + 1] = jeq(pc + 1, words[i], i == 3 ? yes : pc + 2, no);
        }
    }

    private static int[] jeq(int pc, int k, int yes, int no) {
        return ins(JEQ_K, yes - pc - 1, no - pc - 1, k);
    }

    private static int[] ins(int code, int jt, int jf, int k) {
        return new int[] {code, jt, jf, k};
    }

    /** tc's {@code bytecode} argument: "count,code jt jf k,..." with k unsigned, as tc prints it back. */
    public static String tcBytecode() {
        StringJoiner j = new StringJoiner(",");
        j.add(Integer.toString(PROGRAM.length));
        for (int[] i : PROGRAM) {
            j.add(i[0] + " " + i[1] + " " + i[2] + " " + Integer.toUnsignedString(i[3]));
        }
        return j.toString();
    }
}
