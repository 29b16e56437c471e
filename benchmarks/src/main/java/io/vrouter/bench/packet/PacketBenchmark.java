package io.vrouter.bench.packet;

import io.vrouter.packet.Bytes;
import io.vrouter.packet.Checksum;
import io.vrouter.packet.Ethernet;
import io.vrouter.packet.Ipv4;
import io.vrouter.packet.NatRewriter;
import io.vrouter.packet.PacketChecksums;
import io.vrouter.packet.PacketParser;
import io.vrouter.packet.ParsedPacket;
import io.vrouter.packet.Tcp;
import io.vrouter.packet.Udp;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-packet cost of parsing and of the link-local NAT rewrite (SNAT to the metadata IP,
 * DNAT to the local proxy), against baselines measured in the same run.
 *
 * <p>Every rewriting benchmark first copies the pristine packet into a work buffer (and the
 * pristine parse into a work holder): rewriting in place without the copy would, from the
 * second call on, measure a packet that is already rewritten (JMH sample 38).
 * {@link #copy} is that copy alone; {@link #natFullRecompute} is the naive rewrite (write the
 * fields, recompute the IPv4 and TCP/UDP checksums over the whole packet), the baseline the
 * incremental {@link #natIncremental} is compared with. Run with {@code -prof gc} to show
 * that none of them allocates.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class PacketBenchmark {
    private static final long GUEST_MAC = 0x02_00_00_00_00_01L;
    private static final long ROUTER_MAC = 0x00_00_5e_00_01_00L;
    private static final int GUEST_IP = Bytes.ip(10, 0, 0, 3);
    private static final int METADATA_IP = Bytes.ip(169, 254, 169, 254);
    private static final int LINK_LOCAL_IP = Bytes.ip(169, 254, 0, 5);
    private static final int VHOST_IP = Bytes.ip(192, 168, 1, 10);
    private static final int PROXY_PORT = 8097;

    /** Packet shape: a bare TCP SYN (54 B), a full-size TCP segment (1514 B), a UDP datagram (554 B). */
    @Param({"TCP_SYN", "TCP_1460", "UDP_512"})
    public String shape;

    private final PacketParser parser = new PacketParser();
    private final ParsedPacket pristine = new ParsedPacket();
    private final ParsedPacket work = new ParsedPacket();
    private byte[] template;
    private byte[] buf;

    @Setup
    public void setUp() {
        switch (shape) {
            case "TCP_SYN":
                template = frame(Ipv4.PROTO_TCP, 0);
                break;
            case "TCP_1460":
                template = frame(Ipv4.PROTO_TCP, 1460);
                break;
            case "UDP_512":
                template = frame(Ipv4.PROTO_UDP, 512);
                break;
            default:
                throw new IllegalArgumentException("unknown shape " + shape);
        }
        buf = new byte[template.length];
        int r = parser.parse(template, pristine);
        if (r != 0) {
            throw new IllegalStateException("benchmark frame does not parse: drop code " + r);
        }
        // The two rewrites must produce the same packet, or the comparison is meaningless.
        byte[] a = natIncremental().clone();
        byte[] b = natFullRecompute().clone();
        if (java.util.Arrays.equals(a, template) || !java.util.Arrays.equals(a, b)) {
            throw new IllegalStateException("incremental and full-recompute rewrites differ");
        }
    }

    /** Ethernet + IPv4 + TCP/UDP from the guest to 169.254.169.254:80 with valid checksums. */
    private static byte[] frame(int proto, int payloadLength) {
        int l4Header = proto == Ipv4.PROTO_TCP ? Tcp.MIN_HEADER_LENGTH : Udp.HEADER_LENGTH;
        int l4Length = l4Header + payloadLength;
        byte[] f = new byte[Ethernet.HEADER_LENGTH + Ipv4.MIN_HEADER_LENGTH + l4Length];
        int l3 = Ethernet.writeHeader(f, 0, ROUTER_MAC, GUEST_MAC, -1, Ethernet.TYPE_IPV4);
        int l4 = Ipv4.writeHeader(f, l3, Ipv4.MIN_HEADER_LENGTH + l4Length, 1, 64, proto, GUEST_IP, METADATA_IP);
        for (int i = l4 + l4Header; i < f.length; i++) {
            f[i] = (byte) (i * 31);
        }
        Bytes.put16(f, l4, 40000);
        Bytes.put16(f, l4 + 2, 80);
        if (proto == Ipv4.PROTO_TCP) {
            Bytes.put8(f, l4 + Tcp.DATA_OFFSET, 5 << 4);
            Bytes.put8(f, l4 + Tcp.FLAGS, payloadLength == 0 ? Tcp.SYN : Tcp.ACK_FLAG | Tcp.PSH);
            Bytes.put16(f, l4 + Tcp.WINDOW, 64240);
            Bytes.put16(f, l4 + Tcp.CHECKSUM, Checksum.computeTransport(f, l4, l4Length, proto, GUEST_IP, METADATA_IP));
        } else {
            Bytes.put16(f, l4 + Udp.LENGTH, l4Length);
            Bytes.put16(f, l4 + Udp.CHECKSUM, Checksum.computeTransport(f, l4, l4Length, proto, GUEST_IP, METADATA_IP));
        }
        return f;
    }

    @Benchmark
    public int parse() {
        return parser.parse(template, 0, template.length, work) + work.dstPort();
    }

    /** Baseline: the copy every rewriting benchmark starts with. */
    @Benchmark
    public byte[] copy() {
        System.arraycopy(template, 0, buf, 0, template.length);
        work.copyFrom(pristine);
        return buf;
    }

    /** Copy, then SNAT + DNAT with RFC 1624 incremental checksum updates. */
    @Benchmark
    public byte[] natIncremental() {
        System.arraycopy(template, 0, buf, 0, template.length);
        work.copyFrom(pristine);
        NatRewriter.rewrite(buf, work, NatRewriter.SRC_IP | NatRewriter.DST_IP | NatRewriter.DST_PORT,
                LINK_LOCAL_IP, 0, VHOST_IP, PROXY_PORT);
        return buf;
    }

    /** Baseline: copy, write the same fields, recompute the IPv4 and L4 checksums in full. */
    @Benchmark
    public byte[] natFullRecompute() {
        System.arraycopy(template, 0, buf, 0, template.length);
        work.copyFrom(pristine);
        int l3 = work.l3Offset();
        Bytes.put32(buf, l3 + Ipv4.SRC_ADDR, LINK_LOCAL_IP);
        Bytes.put32(buf, l3 + Ipv4.DST_ADDR, VHOST_IP);
        Bytes.put16(buf, work.l4Offset() + Tcp.DST_PORT, PROXY_PORT);
        PacketChecksums.recomputeAll(buf, work);
        return buf;
    }

    /** The dataplane's real per-packet work: copy in, parse, rewrite. */
    @Benchmark
    public byte[] parseAndNatIncremental() {
        System.arraycopy(template, 0, buf, 0, template.length);
        parser.parse(buf, 0, template.length, work);
        NatRewriter.rewrite(buf, work, NatRewriter.SRC_IP | NatRewriter.DST_IP | NatRewriter.DST_PORT,
                LINK_LOCAL_IP, 0, VHOST_IP, PROXY_PORT);
        return buf;
    }
}
