package io.vrouter.packet;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The per-packet path (parse, count, rewrite, ICMP-error rewrite, TTL, MACs, checksum) must not
 * allocate. Measured with the JVM's per-thread allocation counter, not with timing.
 */
class AllocationFreeTest {
    private static final int FRAMES = 64;
    private static final int ROUNDS = 3_000;
    /** One allocated object per packet would be ~3 MB. */
    private static final long SLACK_BYTES = AllocationMeter.SLACK_BYTES;

    @Test
    void packetPathShouldNotAllocate() {
        AllocationMeter meter = AllocationMeter.assumeAvailable();
        Random r = new Random(42);
        byte[][] frames = new byte[FRAMES][];
        for (int i = 0; i < FRAMES; i++) {
            frames[i] = TestFrames.randomValidFrame(r);
        }
        byte[] work = new byte[PacketParser.DEFAULT_MAX_FRAME_LENGTH];
        PacketParser parser = new PacketParser();
        ParsedPacket p = new ParsedPacket();
        ParseCounters counters = new ParseCounters();
        long[] sink = new long[1];
        byte[] na = new byte[Icmpv6.NA_FRAME_LENGTH];

        run(frames, work, na, parser, p, counters, sink, 500); // warm up (class loading, lambdas, JIT)
        long allocated = meter.bytesAllocatedBy(() -> run(frames, work, na, parser, p, counters, sink, ROUNDS));
        assertTrue(allocated < SLACK_BYTES, "packet path allocated " + allocated + " bytes over "
                + (long) ROUNDS * FRAMES + " packets");
        assertTrue(sink[0] != 0);
    }

    private static void run(byte[][] frames, byte[] work, byte[] na, PacketParser parser, ParsedPacket p,
                            ParseCounters counters, long[] sink, int rounds) {
        for (int round = 0; round < rounds; round++) {
            for (byte[] f : frames) {
                System.arraycopy(f, 0, work, 0, f.length);
                int result = counters.record(parser.parse(work, 0, f.length, p));
                if (result == 0 && p.isIpv6()) {
                    // IPv6: partial checksum, NAT, and the NA builder for solicitations
                    PacketChecksums.completePartialTransportChecksum(work, p);
                    NatRewriter.rewrite6(work, p, NatRewriter.ALL, round, ~round, round & 0xffff, -round, round, 80);
                    sink[0] += p.srcIp6Lo() + Icmpv6.buildAdvertisementTo(p, round, 2L, na, 0);
                    continue;
                }
                if (result != 0 || !p.isIpv4()) {
                    sink[0] += result;
                    continue;
                }
                PacketChecksums.completePartialTransportChecksum(work, p);
                NatRewriter.rewrite(work, p, NatRewriter.ALL, round, round & 0xffff, ~round, 80);
                Ipv4.decrementTtl(work, p.l3Offset());
                Ethernet.setDstMac(work, 0, round);
                sink[0] += p.flowSrcIp() + Checksum.compute(work, p.l3Offset(), p.ipHeaderLength());
            }
        }
    }
}
