package io.vrouter.agent.dataplane.host;

import static io.vrouter.agent.dataplane.TestFrames.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vrouter.agent.dataplane.TestFrames;
import io.vrouter.agent.dataplane.io.PcapSupport;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * The tc program, the socket program and the pcap expression of {@link LinkLocalFilter} pick
 * exactly the link-local frames, and the same ones. The programs run here in a classic BPF interpreter of the few
 * instructions it uses; the pcap expression in libpcap itself ({@code pcap_offline_filter}).
 */
class LinkLocalFilterTest {
    private static final long GUEST = 0x02_00_00_00_00_03L;
    private static final long ROUTER = 0x02_00_00_00_00_01L;
    private static final byte[] METADATA6 = v6("fe800000", "00000000", "00000000", "a9fea9fe");
    private static final byte[] OTHER_LL6 = v6("fe800000", "00000000", "000000ff", "fe000004");
    private static final byte[] GUEST_LL6 = v6("fe800000", "00000000", "000000ff", "fe000003");

    /** Frames by name, each with whether it is link-local (the agent's). */
    private static Map<String, Boolean> frames(Map<String, byte[]> out) {
        Map<String, Boolean> want = new LinkedHashMap<>();
        add(out, want, "tcp to 169.254.169.254", TestFrames.tcp(GUEST, ROUTER, ip("10.0.0.3"), ip("169.254.169.254"),
                40000, 80, 0x02, new byte[0]), true);
        add(out, want, "udp to 169.254.0.7", TestFrames.udp(GUEST, ROUTER, ip("10.0.0.3"), ip("169.254.0.7"), 5, 123,
                new byte[4]), true);
        add(out, want, "arp for 169.254.169.254", TestFrames.arp(1, GUEST, -1L & 0xffff_ffff_ffffL, GUEST, ip("10.0.0.3"),
                0, ip("169.254.169.254")), true);
        add(out, want, "ipv6 tcp to fe80::a9fe:a9fe", ipv6(GUEST_LL6, METADATA6, 6, new byte[20]), true);
        add(out, want, "NS for fe80::a9fe:a9fe", ipv6(GUEST_LL6, solicited(METADATA6), 58, ns(METADATA6)), true);
        add(out, want, "tcp guest to guest", TestFrames.tcp(GUEST, ROUTER, ip("10.0.0.3"), ip("10.0.0.4"), 40000, 22,
                0x02, new byte[0]), false);
        add(out, want, "ping to the router", TestFrames.icmpEcho(GUEST, ROUTER, ip("10.0.0.3"), ip("10.0.0.1")), false);
        add(out, want, "tcp to 169.253.1.1", TestFrames.tcp(GUEST, ROUTER, ip("10.0.0.3"), ip("169.253.1.1"), 1, 80,
                0x02, new byte[0]), false);
        add(out, want, "arp for the router", TestFrames.arp(1, GUEST, -1L & 0xffff_ffff_ffffL, GUEST, ip("10.0.0.3"),
                0, ip("10.0.0.1")), false);
        add(out, want, "ping6 guest to guest", ipv6(GUEST_LL6, OTHER_LL6, 58, echo6()), false);
        add(out, want, "NS for another guest", ipv6(GUEST_LL6, solicited(OTHER_LL6), 58, ns(OTHER_LL6)), false);
        add(out, want, "sender 169.254 in a frame to a guest", TestFrames.tcp(GUEST, ROUTER, ip("169.254.0.3"),
                ip("10.0.0.4"), 80, 40000, 0x12, new byte[0]), false);
        return want;
    }

    @Test
    void tcProgramShouldDropExactlyTheLinkLocalFrames() {
        Map<String, byte[]> f = new LinkedHashMap<>();
        frames(f).forEach((name, linkLocal) -> assertEquals(linkLocal ? LinkLocalFilter.DROP : LinkLocalFilter.PASS,
                run(LinkLocalFilter.program(), f.get(name)), name));
    }

    @Test
    void socketProgramShouldKeepExactlyTheLinkLocalFrames() {
        Map<String, byte[]> f = new LinkedHashMap<>();
        frames(f).forEach((name, linkLocal) -> assertEquals(linkLocal ? LinkLocalFilter.KEEP : LinkLocalFilter.SKIP,
                run(LinkLocalFilter.socketProgram(), f.get(name)), name));
    }

    @Test
    void pcapExpressionShouldCaptureTheFramesTheTcProgramDrops() throws Exception {
        assumeTrue(PcapSupport.isAvailable(), "libpcap unavailable");
        PcapSupport.ensureLoaded();
        BpfProgram bpf = Pcaps.compileFilter(65535, DataLinkType.EN10MB, LinkLocalFilter.PCAP_EXPRESSION,
                BpfProgram.BpfCompileMode.OPTIMIZE,
                (java.net.Inet4Address) java.net.InetAddress.getByName("255.255.255.255"));
        try {
            Map<String, byte[]> f = new LinkedHashMap<>();
            frames(f).forEach((name, linkLocal) -> assertEquals(linkLocal, bpf.applyFilter(f.get(name)), name));
        } finally {
            bpf.free();
        }
    }

    @Test
    void tcBytecodeShouldBeTheProgramInTcsOwnNotation() {
        String code = LinkLocalFilter.tcBytecode();
        String[] parts = code.split(",");
        assertEquals(LinkLocalFilter.program().length + 1, parts.length);
        assertEquals("40 0 0 12", parts[1], "ldh [12]");
        assertEquals("6 0 0 4294967295", parts[parts.length - 2], "ret #TC_ACT_UNSPEC, unsigned as tc prints it");
        assertEquals("6 0 0 2", parts[parts.length - 1], "ret #TC_ACT_SHOT");
    }

    /** Classic BPF for ld/ldh/ldb abs, and #k, jeq #k, ret #k; a load past the end returns 0. */
    static int run(int[][] prog, byte[] pkt) {
        int a = 0;
        for (int pc = 0; pc < prog.length; pc++) {
            int[] i = prog[pc];
            int k = i[3];
            switch (i[0]) {
                case LinkLocalFilter.LD_W_ABS -> {
                    if (k + 4 > pkt.length) {
                        return 0;
                    }
                    a = ByteBuffer.wrap(pkt, k, 4).getInt();
                }
                case LinkLocalFilter.LD_H_ABS -> {
                    if (k + 2 > pkt.length) {
                        return 0;
                    }
                    a = ByteBuffer.wrap(pkt, k, 2).getShort() & 0xffff;
                }
                case LinkLocalFilter.LD_B_ABS -> {
                    if (k + 1 > pkt.length) {
                        return 0;
                    }
                    a = pkt[k] & 0xff;
                }
                case LinkLocalFilter.ALU_AND_K -> a &= k;
                case LinkLocalFilter.JEQ_K -> pc += a == k ? i[1] : i[2];
                case LinkLocalFilter.RET_K -> {
                    return k;
                }
                default -> throw new AssertionError("opcode " + i[0]);
            }
        }
        throw new AssertionError("fell off the end");
    }

    private static void add(Map<String, byte[]> out, Map<String, Boolean> want, String name, byte[] frame, boolean ll) {
        out.put(name, frame);
        want.put(name, ll);
    }

    private static byte[] v6(String... words) {
        ByteBuffer b = ByteBuffer.allocate(16);
        for (String w : words) {
            b.putInt((int) Long.parseLong(w, 16));
        }
        return b.array();
    }

    /** ff02::1:ffXX:XXXX for {@code target}. */
    private static byte[] solicited(byte[] target) {
        byte[] a = v6("ff020000", "00000000", "00000001", "ff000000");
        System.arraycopy(target, 13, a, 13, 3);
        return a;
    }

    /** ICMPv6 NS body: type 135, code, checksum, reserved, target (checksum not needed by the filters). */
    private static byte[] ns(byte[] target) {
        byte[] b = new byte[24];
        b[0] = (byte) 135;
        System.arraycopy(target, 0, b, 8, 16);
        return b;
    }

    private static byte[] echo6() {
        byte[] b = new byte[8];
        b[0] = (byte) 128;
        return b;
    }

    private static byte[] ipv6(byte[] src, byte[] dst, int nextHeader, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 40 + payload.length);
        b.put(new byte[] {0x33, 0x33, 0, 0, 0, 1}).put(Arrays.copyOfRange(ByteBuffer.allocate(8).putLong(GUEST).array(), 2, 8));
        b.putShort((short) 0x86dd);
        b.putInt(0x6000_0000).putShort((short) payload.length).put((byte) nextHeader).put((byte) 255);
        b.put(src).put(dst).put(payload);
        return b.array();
    }
}
