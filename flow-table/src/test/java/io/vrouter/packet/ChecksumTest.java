package io.vrouter.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ChecksumTest {
    private static byte[] hex(String s) {
        s = s.replace(" ", "");
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    @Test
    void shouldMatchRfc1071Example() {
        byte[] b = hex("0001 f203 f4f5 f6f7");
        assertEquals(0xddf2, Checksum.add(0, b, 0, b.length));
        assertEquals(0x220d, Checksum.compute(b, 0, b.length));
    }

    @Test
    void shouldComputeKnownIpv4HeaderChecksum() {
        byte[] h = hex("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7");
        assertEquals(0xb861, Checksum.setIpv4HeaderChecksum(h, 0, 20));
        assertTrue(Checksum.verify(h, 0, 20));
        h[3] ^= 1;
        assertFalse(Checksum.verify(h, 0, 20));
    }

    @Test
    void shouldPadOddLengthWithZero() {
        byte[] b = hex("0102 03");
        assertEquals(0x0102 + 0x0300, Checksum.add(0, b, 0, 3));
    }

    @Test
    void shouldGiveZeroNotFfffInRfc1624Section4Example() {
        // Sum of the other words 0xCD7A, m = 0x5555 -> HC = 0xDD2F; m' = 0x3285 -> HC' must be 0x0000.
        assertEquals(0xdd2f, ~Checksum.fold(0xcd7a + 0x5555) & 0xffff);
        assertEquals(0x0000, Checksum.update16(0xdd2f, 0x5555, 0x3285));
        assertEquals(0x0000, Checksum.applyDelta(0xdd2f, Checksum.delta16(0, 0x5555, 0x3285)));
    }

    @Test
    void incrementalUpdateShouldEqualFullRecomputeOnRandomData() {
        Random r = new Random(1624);
        for (int iter = 0; iter < 20_000; iter++) {
            int len = 2 * (2 + r.nextInt(40));
            byte[] b = TestFrames.randomBytes(r, len);
            if (r.nextInt(8) == 0) {
                java.util.Arrays.fill(b, (byte) (r.nextBoolean() ? 0 : 0xff));
            }
            int csumAt = 2 * r.nextInt(len / 2);
            Bytes.put16(b, csumAt, 0);
            Bytes.put16(b, csumAt, Checksum.compute(b, 0, len));
            // a 32-bit field [word, word+4) not overlapping the checksum word
            int word = 2 * r.nextInt(len / 2 - 1);
            if (csumAt == word || csumAt == word + 2) {
                continue;
            }
            int old32 = Bytes.i32(b, word);
            int new32 = r.nextInt(4) == 0 ? old32 ^ (1 << r.nextInt(32)) : r.nextInt();
            int c = Checksum.update32(Bytes.u16(b, csumAt), old32, new32);
            Bytes.put32(b, word, new32);
            Bytes.put16(b, csumAt, 0);
            int full = Checksum.compute(b, 0, len);
            assertEquals(full, c, "iteration " + iter);
            Bytes.put16(b, csumAt, c);
            assertTrue(Checksum.verify(b, 0, len));
            int old16 = Bytes.u16(b, word);
            int new16 = r.nextInt(65536);
            c = Checksum.update16(c, old16, new16);
            Bytes.put16(b, word, new16);
            Bytes.put16(b, csumAt, 0);
            assertEquals(Checksum.compute(b, 0, len), c, "iteration " + iter);
        }
    }

    @Test
    void shouldComputePseudoHeaderSum() {
        int s = Checksum.pseudoHeaderSum(0x0a000003, 0xa9fea9fe, 6, 20);
        assertEquals(0x0a00 + 0x0003 + 0xa9fe + 0xa9fe + 6 + 20, s);
    }

    @Test
    void wideSumShouldEqualSixteenBitSumAtAnyOffsetAndLength() {
        Random r = new Random(8);
        for (int iter = 0; iter < 20_000; iter++) {
            byte[] b = TestFrames.randomBytes(r, 1 + r.nextInt(3000));
            if (r.nextInt(10) == 0) {
                java.util.Arrays.fill(b, (byte) 0xff);
            }
            int off = r.nextInt(b.length);
            int len = r.nextInt(b.length - off + 1);
            int initial = r.nextInt(4) == 0 ? 0 : r.nextInt(1 << 20);
            assertEquals(Checksum.addSimple(initial, b, off, len), Checksum.add(initial, b, off, len),
                    "off " + off + " len " + len);
        }
        byte[] ones = new byte[65536];
        java.util.Arrays.fill(ones, (byte) 0xff);
        assertEquals(Checksum.addSimple(0, ones, 0, ones.length), Checksum.add(0, ones, 0, ones.length));
        assertEquals(0xffff, Checksum.add(0, ones, 0, ones.length));
        assertEquals(0, Checksum.add(0, new byte[100], 0, 100));
    }
}
