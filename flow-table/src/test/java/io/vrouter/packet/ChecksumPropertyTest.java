package io.vrouter.packet;

import static io.vrouter.packet.NatRewriter.DST_IP;
import static io.vrouter.packet.NatRewriter.DST_PORT;
import static io.vrouter.packet.NatRewriter.SRC_IP;
import static io.vrouter.packet.NatRewriter.SRC_PORT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.packet.TestFrames.Kind;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property: an incremental NAT rewrite yields byte for byte the packet built from scratch with
 * the new tuple and every checksum fully recomputed (the oracle), on random packets and
 * random NAT targets, including the UDP zero-checksum rules and ICMP errors.
 */
class ChecksumPropertyTest {
    private static final int ITERATIONS = 30_000;
    private static final Kind[] KINDS = Kind.values();
    private final PacketParser parser = new PacketParser();
    private final ParsedPacket p = new ParsedPacket();

    /** Mostly random values, sometimes the edge values (zero, all ones) that break naive one's complement code. */
    private static long edgeOrRandom(Random r, long allOnes, java.util.function.LongSupplier random) {
        return switch (r.nextInt(8)) {
            case 0 -> 0;
            case 1 -> allOnes;
            default -> random.getAsLong();
        };
    }

    private static int randomIp(Random r) {
        return (int) edgeOrRandom(r, 0xffffffffL, r::nextInt);
    }

    private static int randomPort(Random r) {
        return (int) edgeOrRandom(r, 0xffff, () -> r.nextInt(65536));
    }

    /** Half an IPv6 address. */
    private static long randomHalf(Random r) {
        return edgeOrRandom(r, -1L, r::nextLong);
    }

    private static byte[] randomPayload(Random r) {
        byte[] b = TestFrames.randomBytes(r, r.nextInt(4) == 0 ? r.nextInt(1500) : r.nextInt(40));
        if (r.nextInt(10) == 0) {
            java.util.Arrays.fill(b, (byte) (r.nextBoolean() ? 0 : 0xff));
        }
        return b;
    }

    @Test
    void incrementalRewriteShouldEqualFullRecomputeOnRandomPackets() {
        Random r = new Random(768);
        int udpFfff = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            Kind kind = KINDS[r.nextInt(KINDS.length)];
            int vlan = r.nextInt(4) == 0 ? r.nextInt(4096) : -1;
            int opts = r.nextInt(4) == 0 ? 4 * r.nextInt(11) : 0;
            int s = randomIp(r);
            int d = randomIp(r);
            int sp = randomPort(r);
            int dp = randomPort(r);
            byte[] payload = randomPayload(r);
            byte[] f = TestFrames.build(kind, vlan, opts, s, sp, d, dp, payload);
            int flags = r.nextInt(16);
            int ns = randomIp(r);
            int nd = randomIp(r);
            int nsp = randomPort(r);
            int ndp = randomPort(r);
            String ctx = "iteration " + i + " " + kind + " flags " + flags;

            assertEquals(0, parser.parse(f, p), ctx);
            assertEquals(0, NatRewriter.rewrite(f, p, flags, ns, nsp, nd, ndp), ctx);
            byte[] expected = TestFrames.build(kind, vlan, opts,
                    (flags & SRC_IP) != 0 ? ns : s, (flags & SRC_PORT) != 0 ? nsp : sp,
                    (flags & DST_IP) != 0 ? nd : d, (flags & DST_PORT) != 0 ? ndp : dp, payload);
            assertArrayEquals(expected, f, ctx);

            PacketAsserts.assertReparsesAs(f, 0, f.length, p, ctx);
            if (kind == Kind.UDP_NO_CHECKSUM) {
                assertEquals(0, Bytes.u16(f, p.l4Offset() + Udp.CHECKSUM), ctx);
            } else if (kind == Kind.UDP) {
                int c = Bytes.u16(f, p.l4Offset() + Udp.CHECKSUM);
                assertTrue(c != 0, ctx + ": a computed UDP checksum of 0 must be sent as 0xFFFF");
                udpFfff += c == 0xffff ? 1 : 0;
            }
        }
        System.out.println("UDP checksums that came out 0xFFFF: " + udpFfff);
    }

    /**
     * The same property for IPv6: TCP, UDP and ICMPv6 echo behind random extension headers, the
     * 128-bit addresses rewritten with {@link NatRewriter#rewrite6}, against a packet built from
     * scratch with the pseudo-header checksum computed in full.
     */
    @Test
    void incrementalIpv6RewriteShouldEqualFullRecomputeOnRandomPackets() {
        Random r = new Random(8200);
        TestFrames.Kind6[] kinds = TestFrames.Kind6.values();
        for (int i = 0; i < ITERATIONS; i++) {
            TestFrames.Kind6 kind = kinds[r.nextInt(kinds.length)];
            int proto = kind == TestFrames.Kind6.TCP ? Ipv4.PROTO_TCP
                    : kind == TestFrames.Kind6.UDP ? Ipv4.PROTO_UDP : Ipv6.NH_ICMPV6;
            byte[][] ext = TestFrames.randomExtensions(r, proto);
            int vlan = r.nextInt(4) == 0 ? r.nextInt(4096) : -1;
            long[] a = new long[8];
            for (int k = 0; k < a.length; k++) {
                a[k] = randomHalf(r);
            }
            int sp = randomPort(r);
            int dp = randomPort(r);
            int nsp = randomPort(r);
            int ndp = randomPort(r);
            byte[] payload = randomPayload(r);
            int first = ext[1][0] & 0xff;
            byte[] f = TestFrames.build6(kind, vlan, a[0], a[1], sp, a[2], a[3], dp, ext[0], first, payload);
            int flags = r.nextInt(16);
            String ctx = "iteration " + i + " " + kind + " flags " + flags + " ext " + ext[0].length;

            assertEquals(0, parser.parse(f, p), ctx);
            assertEquals(0, NatRewriter.rewrite6(f, p, flags, a[4], a[5], nsp, a[6], a[7], ndp), ctx);
            boolean src = (flags & SRC_IP) != 0;
            boolean dst = (flags & DST_IP) != 0;
            byte[] expected = TestFrames.build6(kind, vlan, src ? a[4] : a[0], src ? a[5] : a[1],
                    (flags & SRC_PORT) != 0 ? nsp : sp, dst ? a[6] : a[2], dst ? a[7] : a[3],
                    (flags & DST_PORT) != 0 ? ndp : dp, ext[0], first, payload);
            assertArrayEquals(expected, f, ctx);
            PacketAsserts.assertReparsesAs(f, 0, f.length, p, ctx);
        }
    }

    /**
     * A guest packet O (s:sp -> d:dp) is NAT'd by its flow to O' (s':sp' -> d':dp'); a host or
     * router answers O' with an ICMP error E' to s'. The reverse flow's NAT (d':dp' -> d:dp,
     * s':sp' -> s:sp) applied to E' must give exactly the error E about O, addressed to s,
     * with every checksum as a full recompute would make it.
     */
    @Test
    void icmpErrorRewriteShouldEqualTheErrorAboutTheOriginalPacket() {
        Random r = new Random(792);
        Kind[] inner = {Kind.TCP, Kind.UDP, Kind.UDP_NO_CHECKSUM, Kind.ECHO_REQUEST, Kind.ECHO_REPLY};
        int[] types = {Icmp.DEST_UNREACHABLE, Icmp.TIME_EXCEEDED, Icmp.PARAMETER_PROBLEM, Icmp.SOURCE_QUENCH};
        for (int i = 0; i < ITERATIONS / 3; i++) {
            Kind kind = inner[r.nextInt(inner.length)];
            int opts = r.nextInt(3) == 0 ? 4 * r.nextInt(11) : 0;
            int s = randomIp(r);
            int d = randomIp(r);
            int sp = randomPort(r);
            int dp = randomPort(r);
            int fwd = r.nextInt(16);
            int s2 = (fwd & SRC_IP) != 0 ? randomIp(r) : s;
            int sp2 = (fwd & SRC_PORT) != 0 ? randomPort(r) : sp;
            int d2 = (fwd & DST_IP) != 0 ? randomIp(r) : d;
            int dp2 = (fwd & DST_PORT) != 0 ? randomPort(r) : dp;
            byte[] payload = randomPayload(r);
            byte[] original = TestFrames.build(kind, -1, opts, s, sp, d, dp, payload);
            byte[] natted = TestFrames.build(kind, -1, opts, s2, sp2, d2, dp2, payload);
            int type = types[r.nextInt(types.length)];
            int code = r.nextInt(16);
            int quoted = r.nextBoolean() ? 8 : 18 + r.nextInt(60);
            boolean fromRouter = r.nextInt(3) == 0;
            int errorSrc = fromRouter ? randomIp(r) : d2;
            int vlan = r.nextInt(4) == 0 ? r.nextInt(4096) : -1;
            int outerOpts = r.nextInt(4) == 0 ? 4 * r.nextInt(11) : 0;
            byte[] seen = TestFrames.ipv4(vlan, outerOpts, Ipv4.PROTO_ICMP, errorSrc, s2,
                    TestFrames.icmpErrorMessage(type, code, natted, quoted), 0);
            // Reverse flow NAT: what the forward flow translated, translated back.
            int rev = ((fwd & DST_IP) != 0 ? SRC_IP : 0) | ((fwd & DST_PORT) != 0 ? SRC_PORT : 0)
                    | ((fwd & SRC_IP) != 0 ? DST_IP : 0) | ((fwd & SRC_PORT) != 0 ? DST_PORT : 0);
            byte[] expected = TestFrames.ipv4(vlan, outerOpts, Ipv4.PROTO_ICMP,
                    (rev & SRC_IP) != 0 ? d : errorSrc, s,
                    TestFrames.icmpErrorMessage(type, code, original, quoted), 0);
            String ctx = "iteration " + i + " inner " + kind + " fwd flags " + fwd + " quoted " + quoted;

            assertEquals(0, parser.parse(seen, p), ctx);
            assertTrue(p.isIcmpError(), ctx);
            // The error is found under the reverse flow's key: the quoted tuple reversed.
            assertEquals(d2, p.flowSrcIp(), ctx);
            assertEquals(s2, p.flowDstIp(), ctx);
            if (kind == Kind.TCP || kind == Kind.UDP || kind == Kind.UDP_NO_CHECKSUM) {
                assertEquals(dp2, p.flowSrcPort(), ctx);
                assertEquals(sp2, p.flowDstPort(), ctx);
            }
            assertEquals(0, NatRewriter.rewrite(seen, p, rev, d, dp, s, sp), ctx);
            assertArrayEquals(expected, seen, ctx);
            PacketAsserts.assertReparsesAs(seen, 0, seen.length, p, ctx);
        }
    }

    @Test
    void recomputeAllShouldReproduceBuiltChecksums() {
        Random r = new Random(1071);
        for (int i = 0; i < 5_000; i++) {
            byte[] f = TestFrames.randomValidFrame(r);
            assertEquals(0, parser.parse(f, p));
            if (p.isIpv6()) {
                byte[] copy = f.clone();
                int off = p.l4Offset() + Checksum.checksumOffset(p.ipProtocol());
                if (Bytes.u16(f, off) != 0) {
                    Bytes.put16(copy, off, 0x4321);
                }
                PacketChecksums.recomputeAll(copy, p);
                assertArrayEquals(f, copy, "iteration " + i + " " + p);
                continue;
            }
            if (!p.isIpv4() || p.isFirstFragment()) {
                continue;
            }
            byte[] copy = f.clone();
            // scramble the checksums, then recompute
            Bytes.put16(copy, p.l3Offset() + Ipv4.CHECKSUM, 0x1234);
            int csumOff = p.ipProtocol() == Ipv4.PROTO_TCP ? Tcp.CHECKSUM
                    : p.ipProtocol() == Ipv4.PROTO_UDP ? Udp.CHECKSUM : Icmp.CHECKSUM;
            boolean udpNone = p.ipProtocol() == Ipv4.PROTO_UDP && Bytes.u16(f, p.l4Offset() + csumOff) == 0;
            if (!udpNone) {
                Bytes.put16(copy, p.l4Offset() + csumOff, 0x4321);
            }
            PacketChecksums.recomputeAll(copy, p);
            assertArrayEquals(f, copy, "iteration " + i + " " + p);
        }
    }
}
