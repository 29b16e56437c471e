package io.vrouter.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vrouter.drop.DropReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Feeds well over a million hostile frames (every truncation of valid frames, mutations of
 * valid frames, pure random bytes) to the parser and, for what parses, the rewriter and the
 * frame builders. Nothing may throw, nothing may be written outside the frame, every frame
 * is counted exactly once, and a rewritten packet must still parse.
 */
class ParserFuzzTest {
    private static final int MIN_FRAMES = 1_000_000;
    private static final int CORPUS = 2_500;
    private static final int MUTATIONS = 450_000;
    private static final int RANDOM = 200_000;
    private static final int GUARD = 16;
    private static final byte GUARD_BYTE = (byte) 0xa5;

    private final PacketParser parser = new PacketParser();
    private final ParsedPacket p = new ParsedPacket();
    private final ParsedPacket q = new ParsedPacket();
    private final ParseCounters counters = new ParseCounters();
    private final long[] tally = new long[128];
    private final byte[] work = new byte[PacketParser.DEFAULT_MAX_FRAME_LENGTH + 2 * GUARD + 64];
    private final byte[] scratch = new byte[Icmp.MAX_ERROR_FRAME_LENGTH];
    private final Random r = new Random(20261122);
    private long frames;
    private long rewritten;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void parserAndRewriterShouldSurviveAMillionHostileFramesWithConsistentCounters() {
        List<byte[]> corpus = new ArrayList<>(CORPUS);
        for (int i = 0; i < CORPUS; i++) {
            corpus.add(TestFrames.randomValidFrame(r));
        }
        // 1. every truncation length of every valid frame (and the whole frame)
        for (byte[] f : corpus) {
            for (int len = 0; len <= f.length; len++) {
                feed(f, 0, len);
            }
        }
        // 2. mutations of valid frames
        for (int i = 0; i < MUTATIONS; i++) {
            byte[] f = corpus.get(r.nextInt(CORPUS));
            int len = f.length;
            int off = place(f, len);
            int n = 1 + r.nextInt(4);
            for (int m = 0; m < n; m++) {
                mutate(off, len);
            }
            if (r.nextInt(8) == 0) {
                len = r.nextInt(len + 1); // and truncate
            } else if (r.nextInt(16) == 0) {
                int extra = r.nextInt(32); // or extend with junk
                for (int k = 0; k < extra; k++) {
                    work[off + len + k] = (byte) r.nextInt();
                }
                len += extra;
            }
            feedPlaced(off, len);
        }
        // 3. pure random frames, half of them steered past the Ethernet header
        for (int i = 0; i < RANDOM; i++) {
            int len = r.nextInt(50) == 0 ? r.nextInt(PacketParser.DEFAULT_MAX_FRAME_LENGTH + 40) : r.nextInt(200);
            int off = GUARD + r.nextInt(8);
            for (int k = 0; k < len; k++) {
                work[off + k] = (byte) r.nextInt();
            }
            if (r.nextBoolean() && len > 18) {
                int type = new int[] {Ethernet.TYPE_IPV4, Ethernet.TYPE_ARP, Ethernet.TYPE_VLAN,
                    Ethernet.TYPE_IPV6}[r.nextInt(4)];
                Bytes.put16(work, off + Ethernet.ETHERTYPE, type);
                if (type == Ethernet.TYPE_VLAN) {
                    Bytes.put16(work, off + Ethernet.VLAN_ETHERTYPE, Ethernet.TYPE_IPV4);
                }
                int l3 = off + (type == Ethernet.TYPE_VLAN ? 18 : 14);
                if (type == Ethernet.TYPE_IPV6) {
                    // version 6, a small payload length and a next header the parser walks
                    work[l3] = 0x60;
                    if (len > l3 - off + 8) {
                        Bytes.put16(work, l3 + Ipv6.PAYLOAD_LENGTH, r.nextInt(Math.max(1, off + len - l3 - 39)));
                        work[l3 + Ipv6.NEXT_HEADER] = (byte) new int[] {0, 6, 17, 43, 44, 58, 60}[r.nextInt(7)];
                    }
                    feedPlaced(off, len);
                    continue;
                }
                work[l3] = (byte) (0x45 + r.nextInt(3));
                if (len > l3 - off + 20) {
                    Checksum.setIpv4HeaderChecksum(work, l3, 20); // let some reach L4
                }
            }
            feedPlaced(off, len);
        }

        System.out.println("frames: " + frames + ", rewritten: " + rewritten + ", parsed: " + counters.parsed());
        for (DropReason reason : DropReason.values()) {
            if (counters.dropped(reason) > 0) {
                System.out.println("  " + reason + ": " + counters.dropped(reason));
            }
        }
        assertTrue(frames >= MIN_FRAMES, "fed " + frames);
        assertEquals(frames, counters.total());
        assertEquals(0, counters.unknown());
        long sum = 0;
        for (int code = 0; code < tally.length; code++) {
            sum += tally[code];
            if (code == 0) {
                assertEquals(tally[0], counters.parsed());
            } else if (tally[code] > 0) {
                DropReason reason = DropReason.ofCode(code);
                assertNotNull(reason, "code " + code);
                assertEquals(tally[code], counters.dropped(reason), reason.name());
            }
        }
        assertEquals(frames, sum);
        assertEquals(frames, counters.parsed() + counters.dropped());
        assertTrue(counters.parsed() > 50_000, "the fuzz must also reach the rewriter");
        assertTrue(rewritten > 50_000);
    }

    /** Copies a frame into the work buffer at a random offset (guards go around it when fed). */
    private int place(byte[] f, int len) {
        int off = GUARD + r.nextInt(8);
        System.arraycopy(f, 0, work, off, len);
        return off;
    }

    private void fillGuards(int off, int len) {
        for (int k = off - GUARD; k < off; k++) {
            work[k] = GUARD_BYTE;
        }
        for (int k = off + len; k < off + len + GUARD; k++) {
            work[k] = GUARD_BYTE;
        }
    }

    private void mutate(int off, int len) {
        if (len == 0) {
            return;
        }
        // Headers are where the parser's decisions are: aim there most of the time.
        int at = off + (r.nextInt(4) != 0 ? r.nextInt(Math.min(len, 80)) : r.nextInt(len));
        switch (r.nextInt(4)) {
            case 0:
                work[at] ^= (byte) (1 << r.nextInt(8));
                break;
            case 1:
                work[at] = (byte) r.nextInt();
                break;
            case 2:
                work[at] = (byte) (r.nextBoolean() ? 0 : 0xff);
                break;
            default:
                if (at + 1 < off + len) {
                    Bytes.put16(work, at, r.nextInt(65536));
                }
                break;
        }
    }

    private void feed(byte[] f, int from, int len) {
        int off = place(f, len);
        feedPlaced(off, len);
    }

    private void feedPlaced(int off, int len) {
        frames++;
        fillGuards(off, len); // outside [off, off+len): nothing may write there
        int result;
        try {
            result = parser.parse(work, off, len, p);
        } catch (RuntimeException e) {
            throw new AssertionError("parser threw on frame " + frames + " length " + len, e);
        }
        counters.record(result);
        if (result < 0 || result >= tally.length) {
            fail("result out of range: " + result);
        }
        tally[result]++;
        assertEquals(result == 0, p.isValid());
        if (result != 0) {
            return;
        }
        try {
            exercise(off, len);
        } catch (RuntimeException e) {
            throw new AssertionError("rewrite/builders threw on frame " + frames + ": " + p, e);
        }
        checkGuards(off, len);
    }

    private void exercise(int off, int len) {
        if (p.isIpv6()) {
            exercise6(off, len);
            return;
        }
        if (p.isArp()) {
            if (p.arpOperation() == Arp.OP_REQUEST) {
                int n = Arp.buildReplyTo(p, 0x020000000001L, scratch, 0);
                assertEquals(0, parser.parse(scratch, 0, n, q));
            }
            return;
        }
        int n = Icmp.buildError(scratch, 0, 1L, 2L, p.vlanId(), 0x0a000001, Icmp.DEST_UNREACHABLE,
                Icmp.CODE_PORT_UNREACHABLE, 0, work, p);
        if (p.isIcmpError()) {
            assertEquals(-1, n);
        } else {
            assertEquals(0, parser.parse(scratch, 0, n, q), "ICMP error about " + p);
            assertTrue(q.isIcmpError());
        }
        int flags = r.nextInt(16);
        assertEquals(0, NatRewriter.rewrite(work, p, flags, r.nextInt(), r.nextInt(65536), r.nextInt(), r.nextInt(65536)));
        rewritten++;
        if (r.nextInt(4) == 0) {
            Ipv4.decrementTtl(work, p.l3Offset());
        }
        // Rewriting changes no length or type, and keeps the IPv4 checksum right: it still parses.
        PacketAsserts.assertReparsesAs(work, off, len, p, "after rewrite: " + p);
    }

    /** IPv6: the NA builder for solicitations, the rewrite, and a re-parse that agrees. */
    private void exercise6(int off, int len) {
        if (p.icmpType() == Icmpv6.NEIGHBOR_SOLICITATION) {
            int n = Icmpv6.buildAdvertisementTo(p, 0x020000000002L, 0x020000000001L, scratch, 0);
            assertEquals(0, parser.parse(scratch, 0, n, q), "NA for " + p);
            assertTrue(Icmpv6.checksumValid(scratch, q));
            return;
        }
        assertEquals(0, NatRewriter.rewrite6(work, p, r.nextInt(16), r.nextLong(), r.nextLong(), r.nextInt(65536),
                r.nextLong(), r.nextLong(), r.nextInt(65536)));
        rewritten++;
        PacketAsserts.assertReparsesAs(work, off, len, p, "after rewrite: " + p);
    }

    private void checkGuards(int off, int len) {
        for (int k = off - GUARD; k < off; k++) {
            if (work[k] != GUARD_BYTE) {
                fail("wrote before the frame at " + (k - off));
            }
        }
        for (int k = off + len; k < off + len + GUARD; k++) {
            if (work[k] != GUARD_BYTE) {
                fail("wrote after the frame at +" + (k - off - len));
            }
        }
    }
}
