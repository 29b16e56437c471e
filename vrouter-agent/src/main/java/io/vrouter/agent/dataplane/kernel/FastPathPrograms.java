package io.vrouter.agent.dataplane.kernel;

import static io.vrouter.agent.dataplane.kernel.BpfAssembler.B;
import static io.vrouter.agent.dataplane.kernel.BpfAssembler.DW;
import static io.vrouter.agent.dataplane.kernel.BpfAssembler.FP;
import static io.vrouter.agent.dataplane.kernel.BpfAssembler.H;
import static io.vrouter.agent.dataplane.kernel.BpfAssembler.R0;
import static io.vrouter.agent.dataplane.kernel.BpfAssembler.R1;
import static io.vrouter.agent.dataplane.kernel.BpfAssembler.R2;
import static io.vrouter.agent.dataplane.kernel.BpfAssembler.R3;
import static io.vrouter.agent.dataplane.kernel.BpfAssembler.R4;
import static io.vrouter.agent.dataplane.kernel.BpfAssembler.R5;
import static io.vrouter.agent.dataplane.kernel.BpfAssembler.R6;
import static io.vrouter.agent.dataplane.kernel.BpfAssembler.R7;
import static io.vrouter.agent.dataplane.kernel.BpfAssembler.W;

/**
 * The two eBPF programs of the kernel fast path, over one hash map of flows the agent installed.
 *
 * <p>Map key (16 bytes) and value (56 bytes); addresses and ports in network order, as on the wire:
 * <pre>
 * key    0 u32 ifindex (host order: the tap on ingress, the vhost kernel end on egress)
 *        4 u32 source address   8 u32 destination address   12 u16 source port  14 u16 destination port
 * value  0 u32 new source address   4 u32 new destination address   8 u16 new source port
 *       10 u16 new destination port  12 u8[6] destination MAC  18 u8[6] source MAC
 *       24 u32 ifindex to redirect to  28 u32 bpf_redirect flags (BPF_F_INGRESS: into the host)
 *       32 u64 packets  40 u64 bytes  48 u64 last packet, bpf_ktime_get_ns  (written by the kernel)
 * </pre>
 *
 * <p>A frame is <em>eligible</em> when it is untagged IPv4 without options or fragmentation,
 * TCP, without RST, and without SYN except a SYN-ACK towards a guest: the segments of a
 * connection after the guest's SYN, its FINs included (the agent installs the pair when it
 * forwards that SYN, so nothing of the connection is in flight yet). The guest's SYN, resets
 * and everything else stay with the agent. A FIN is forwarded by the kernel in its
 * place in the stream (behind the data it follows: a FIN the agent carried would arrive after
 * data the kernel carried, and the guest would close first and keep the port in TIME_WAIT) and the
 * agent is given a copy, for its flow table's close tracking: it counts it and sends nothing
 * (see {@code Egress.forwardedByKernel}).
 *
 * <ul>
 *   <li>{@link #tc} (a {@code cls_bpf} direct-action filter on a guest tap's ingress and on the
 *       vhost kernel end's egress): an eligible frame whose key is in the map is counted,
 *       NAT'd (checksums updated incrementally with the kernel's helpers, which also handle
 *       checksum-offloaded and GSO packets), given its new MACs and redirected; any other frame
 *       gets {@code TC_ACT_UNSPEC}: the next filter decides, as if this one were absent. A FIN
 *       towards a guest is sent as a clone, then the original is put back as it was and goes on
 *       to the vhost agent end, where the agent captures it.</li>
 *   <li>{@link #socket} (the tap's capture socket filter, SO_ATTACH_BPF): the same test, and a
 *       frame the tc program forwards is not given to the agent (packet taps see a frame before
 *       tc ingress) unless it is a FIN; every other frame gets the port mode's classic verdict.</li>
 * </ul>
 * Both run the same lookup on the same frame, so they agree as long as the entry does not change
 * between them: entries are installed while the agent holds the guest's SYN (nothing else of the
 * connection is in flight then) and deleted only when the flow is removed.
 */
final class FastPathPrograms {
    static final int KEY_SIZE = 16;
    static final int VALUE_SIZE = 56;
    static final int VALUE_PACKETS = 32;
    static final int VALUE_BYTES = 40;
    static final int VALUE_LAST_NS = 48;
    /** bpf_redirect's flag: deliver on the target's ingress. */
    static final int REDIRECT_INGRESS = 1;

    private static final int HELPER_MAP_LOOKUP = 1;
    private static final int HELPER_KTIME = 5;
    private static final int HELPER_STORE_BYTES = 9;
    private static final int HELPER_L3_CSUM = 10;
    private static final int HELPER_L4_CSUM = 11;
    private static final int HELPER_CLONE_REDIRECT = 13;
    private static final int HELPER_REDIRECT = 23;
    private static final int HELPER_LOAD_BYTES = 26;
    private static final int SKB_LEN = 0;
    private static final int SKB_IFINDEX = 40;
    private static final int TC_ACT_OK = 0;
    private static final int TC_ACT_SHOT = 2;
    private static final int TC_ACT_UNSPEC = -1;
    private static final int CSUM_PSEUDO_HDR = 0x10;
    /** Ethernet + IPv4 (20) + TCP (20) headers, copied to the stack at {@link #BUF}. */
    private static final int HEADERS = 54;
    /** Stack copy of the headers, placed so the IPv4 addresses (frame offset 26) are 8-aligned. */
    private static final int BUF = -66;
    private static final int KEY = -88;
    private static final int IP_CSUM = 24;
    private static final int IP_SRC = 26;
    private static final int IP_DST = 30;
    private static final int PORTS = 34;
    private static final int TCP_CSUM = 50;

    private FastPathPrograms() {
    }

    /** Writes a map key (layout above); addresses and ports as host-order values. */
    static void writeKey(com.sun.jna.Pointer key, int ifindex, int sip, int dip, int sport, int dport) {
        key.setInt(0, ifindex);
        key.setInt(4, Integer.reverseBytes(sip));
        key.setInt(8, Integer.reverseBytes(dip));
        key.setShort(12, Short.reverseBytes((short) sport));
        key.setShort(14, Short.reverseBytes((short) dport));
    }

    /** The tc program over the map {@code mapFd}. */
    static byte[] tc(int mapFd) {
        BpfAssembler a = new BpfAssembler();
        lookup(a, mapFd, "miss");
        a.movReg(R7, R0);
        a.movImm(R1, 1).atomicAdd64(R7, VALUE_PACKETS, R1);
        a.load(W, R1, R6, SKB_LEN).atomicAdd64(R7, VALUE_BYTES, R1);
        a.call(HELPER_KTIME).store(DW, R7, VALUE_LAST_NS, R0);
        // TCP checksum: the addresses (pseudo-header) and the ports word; then the IPv4 header's.
        csum(a, HELPER_L4_CSUM, TCP_CSUM, IP_SRC, 0, CSUM_PSEUDO_HDR | 4);
        csum(a, HELPER_L4_CSUM, TCP_CSUM, IP_DST, 4, CSUM_PSEUDO_HDR | 4);
        csum(a, HELPER_L4_CSUM, TCP_CSUM, PORTS, 8, 4);
        csum(a, HELPER_L3_CSUM, IP_CSUM, IP_SRC, 0, 4);
        csum(a, HELPER_L3_CSUM, IP_CSUM, IP_DST, 4, 4);
        store(a, IP_SRC, R7, 0); // addresses and ports: 12 contiguous bytes in both
        store(a, 0, R7, 12); // destination and source MAC
        // A FIN towards a guest (redirect flags 0): a clone goes; the original, restored, goes on.
        a.load(B, R2, FP, BUF + 47).andImm(R2, 0x01).jeqImm(R2, 0, "redirect");
        a.load(W, R2, R7, 28).jneImm(R2, 0, "redirect");
        a.movReg(R1, R6).load(W, R2, R7, 24).movImm(R3, 0).call(HELPER_CLONE_REDIRECT).jneImm(R0, 0, "fail");
        uncsum(a, HELPER_L4_CSUM, TCP_CSUM, IP_SRC, 0, CSUM_PSEUDO_HDR | 4);
        uncsum(a, HELPER_L4_CSUM, TCP_CSUM, IP_DST, 4, CSUM_PSEUDO_HDR | 4);
        uncsum(a, HELPER_L4_CSUM, TCP_CSUM, PORTS, 8, 4);
        uncsum(a, HELPER_L3_CSUM, IP_CSUM, IP_SRC, 0, 4);
        uncsum(a, HELPER_L3_CSUM, IP_CSUM, IP_DST, 4, 4);
        store(a, IP_SRC, FP, BUF + IP_SRC);
        store(a, 0, FP, BUF);
        a.movImm(R0, TC_ACT_OK).exit();
        a.label("redirect").load(W, R1, R7, 24).load(W, R2, R7, 28).call(HELPER_REDIRECT).exit();
        a.label("fail").movImm(R0, TC_ACT_SHOT).exit();
        a.label("miss").movImm(R0, TC_ACT_UNSPEC).exit();
        return a.assemble();
    }

    /**
     * The capture socket's program: 0 (not for the agent) for a frame the tc program forwards,
     * else {@code classic}'s verdict ({code, jt, jf, k} rows of LD_ABS, ALU AND, JEQ and RET), or
     * the whole frame when {@code classic} is null.
     */
    static byte[] socket(int mapFd, int[][] classic) {
        BpfAssembler a = new BpfAssembler();
        lookup(a, mapFd, "miss");
        a.load(B, R2, FP, BUF + 47).andImm(R2, 0x01).jneImm(R2, 0, "fin");
        a.movImm(R0, 0).exit();
        a.label("fin").movImm(R0, -1).exit(); // forwarded by the kernel too: the agent only counts it
        a.label("miss");
        if (classic == null) {
            a.movImm(R0, -1).exit();
        } else {
            ClassicBpf.translate(classic, a, "c");
        }
        return a.assemble();
    }

    /**
     * r6 = ctx; the headers on the stack; to {@code miss} unless the frame is eligible and its key
     * is in the map, else r0 = the value.
     */
    private static void lookup(BpfAssembler a, int mapFd, String miss) {
        a.movReg(R6, R1);
        a.movImm(R2, 0).movReg(R3, FP).addImm(R3, BUF).movImm(R4, HEADERS).call(HELPER_LOAD_BYTES);
        a.jneImm(R0, 0, miss);
        a.load(H, R2, FP, BUF + 12).jneImm(R2, 0x0008, miss); // ethertype 0x0800, read little-endian
        a.load(B, R2, FP, BUF + 14).jneImm(R2, 0x45, miss); // IPv4, no options
        a.load(B, R2, FP, BUF + 23).jneImm(R2, 6, miss); // TCP
        a.load(H, R2, FP, BUF + 20).andImm(R2, 0xff3f).jneImm(R2, 0, miss); // MF or an offset
        a.load(B, R2, FP, BUF + 47).andImm(R2, 0x04).jneImm(R2, 0, miss); // RST
        a.load(W, R2, R6, SKB_IFINDEX).store(W, FP, KEY, R2);
        a.load(W, R2, FP, BUF + IP_SRC).store(W, FP, KEY + 4, R2);
        a.load(W, R2, FP, BUF + IP_DST).store(W, FP, KEY + 8, R2);
        a.load(W, R2, FP, BUF + PORTS).store(W, FP, KEY + 12, R2);
        a.loadMap(R1, mapFd).movReg(R2, FP).addImm(R2, KEY).call(HELPER_MAP_LOOKUP);
        a.jeqImm(R0, 0, miss);
        // A SYN only as the SYN-ACK towards a guest (redirect flags 0); a guest's SYN is the agent's.
        a.load(B, R2, FP, BUF + 47).andImm(R2, 0x02).jeqImm(R2, 0, "eligible");
        a.load(B, R2, FP, BUF + 47).andImm(R2, 0x12).jneImm(R2, 0x12, miss);
        a.load(W, R2, R0, 28).jneImm(R2, 0, miss);
        a.label("eligible");
    }

    /** helper(skb, at, old word at frame offset {@code field}, value word at {@code valueOffset}, flags); to "fail" on error. */
    private static void csum(BpfAssembler a, int helper, int at, int field, int valueOffset, int flags) {
        a.movReg(R1, R6).movImm(R2, at).load(W, R3, FP, BUF + field).load(W, R4, R7, valueOffset).movImm(R5, flags);
        a.call(helper).jneImm(R0, 0, "fail");
    }

    /** {@link #csum} undone: from the value's word back to the frame's old one (kept on the stack). */
    private static void uncsum(BpfAssembler a, int helper, int at, int field, int valueOffset, int flags) {
        a.movReg(R1, R6).movImm(R2, at).load(W, R3, R7, valueOffset).load(W, R4, FP, BUF + field).movImm(R5, flags);
        a.call(helper).jneImm(R0, 0, "fail");
    }

    /** bpf_skb_store_bytes(skb, at, base + offset, 12, 0), base the value (r7) or the stack; to "fail" on error. */
    private static void store(BpfAssembler a, int at, int base, int offset) {
        a.movReg(R1, R6).movImm(R2, at).movReg(R3, base).addImm(R3, offset).movImm(R4, 12).movImm(R5, 0);
        a.call(HELPER_STORE_BYTES).jneImm(R0, 0, "fail");
    }
}
