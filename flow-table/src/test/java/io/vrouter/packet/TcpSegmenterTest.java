package io.vrouter.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TcpSegmenterTest {
    static final int MAX_FRAME = 1514;
    final PacketParser parser = new PacketParser(PacketParser.MAX_MAX_FRAME_LENGTH, true);

    /** A TSO super-frame as a guest with offloads on hands it over: TCP checksum = pseudo-header sum only. */
    static byte[] superFrame(byte[] payload, int flags, int tcpOptions) {
        byte[] f = TestFrames.ipv4(-1, 0, Ipv4.PROTO_TCP, TestFrames.GUEST_IP, TestFrames.METADATA_IP,
                TestFrames.tcpSegment(40000, 80, flags, tcpOptions, payload), Ipv4.FLAG_DF);
        int l4 = Ethernet.HEADER_LENGTH + Ipv4.MIN_HEADER_LENGTH;
        int l4Len = f.length - l4;
        Bytes.put16(f, l4 + Tcp.CHECKSUM, Checksum.fold(Checksum.pseudoHeaderSum(TestFrames.GUEST_IP,
                TestFrames.METADATA_IP, Ipv4.PROTO_TCP, l4Len)));
        return f;
    }

    @Test
    void sevenKilobyteSegmentShouldBecomeMtuSizedSegmentsThatReassembleToThePayload() {
        byte[] payload = new byte[7000];
        new Random(7).nextBytes(payload);
        byte[] f = superFrame(payload, Tcp.ACK_FLAG | Tcp.PSH | Tcp.FIN | Tcp.CWR, 12);
        ParsedPacket p = new ParsedPacket();
        assertEquals(0, parser.parse(f, 0, f.length, p));
        int mss = TcpSegmenter.segmentSize(p, MAX_FRAME);
        assertEquals(MAX_FRAME - 14 - 20 - 32, mss);
        int n = TcpSegmenter.segmentCount(p, mss);
        assertEquals((7000 + mss - 1) / mss, n);

        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        byte[] out = new byte[MAX_FRAME];
        ParsedPacket s = new ParsedPacket();
        for (int i = 0; i < n; i++) {
            int len = TcpSegmenter.writeSegment(f, p, mss, i, out);
            assertTrue(len <= MAX_FRAME, "segment " + i + " fits: " + len);
            assertEquals(0, parser.parse(out, 0, len, s), "segment " + i + " parses (IP checksum right)");
            assertEquals(0x01020304 + i * mss, Bytes.i32(out, s.l4Offset() + Tcp.SEQ));
            assertEquals(0x1234 + i, Bytes.u16(out, s.l3Offset() + Ipv4.IDENTIFICATION));
            int l4Len = s.l4Length();
            assertEquals(Checksum.computeTransport(out, s.l4Offset(), l4Len, Ipv4.PROTO_TCP, s.srcIp(), s.dstIp()),
                    Bytes.u16(out, s.l4Offset() + Tcp.CHECKSUM), "segment " + i + " TCP checksum complete");
            int flags = s.tcpFlags();
            boolean last = i == n - 1;
            assertEquals(last, (flags & Tcp.FIN) != 0, "FIN on the last only");
            assertEquals(last, (flags & Tcp.PSH) != 0, "PSH on the last only");
            assertEquals(i == 0, (flags & Tcp.CWR) != 0, "CWR on the first only");
            assertTrue((flags & Tcp.ACK_FLAG) != 0);
            assertEquals(12, s.l4HeaderLength() - Tcp.MIN_HEADER_LENGTH, "options copied");
            joined.write(out, s.payloadOffset(), s.payloadLength());
        }
        assertArrayEquals(payload, joined.toByteArray());
    }

    @Test
    void payloadOfExactlyOneSegmentShouldGiveOneSegment() {
        ParsedPacket p = new ParsedPacket();
        byte[] f = superFrame(new byte[1460], Tcp.ACK_FLAG, 0);
        parser.parse(f, 0, f.length, p);
        int mss = TcpSegmenter.segmentSize(p, MAX_FRAME);
        assertEquals(1460, mss);
        assertEquals(1, TcpSegmenter.segmentCount(p, mss));
        assertEquals(MAX_FRAME, TcpSegmenter.writeSegment(f, p, mss, 0, new byte[MAX_FRAME]));
    }

    @Test
    void udpFragmentsAndHeadersTooLongForTheLinkShouldNotBeSegmented() {
        ParsedPacket p = new ParsedPacket();
        byte[] udp = TestFrames.udp(TestFrames.GUEST_IP, TestFrames.METADATA_IP, 5000, 53, 3000, true);
        parser.parse(udp, 0, udp.length, p);
        assertEquals(0, TcpSegmenter.segmentSize(p, MAX_FRAME));
        byte[] tcp = superFrame(new byte[3000], Tcp.ACK_FLAG, 40);
        parser.parse(tcp, 0, tcp.length, p);
        assertEquals(0, TcpSegmenter.segmentSize(p, 14 + 20 + 60));
    }

    @Test
    void segmentingShouldNotAllocate() {
        byte[] f = superFrame(new byte[20000], Tcp.ACK_FLAG, 0);
        ParsedPacket p = new ParsedPacket();
        parser.parse(f, 0, f.length, p);
        byte[] out = new byte[MAX_FRAME];
        int mss = TcpSegmenter.segmentSize(p, MAX_FRAME);
        int n = TcpSegmenter.segmentCount(p, mss);
        for (int i = 0; i < n; i++) {
            TcpSegmenter.writeSegment(f, p, mss, i, out); // warm up
        }
        long allocated = AllocationMeter.assumeAvailable().bytesAllocatedBy(() -> {
            for (int r = 0; r < 1000; r++) {
                for (int i = 0; i < n; i++) {
                    TcpSegmenter.writeSegment(f, p, mss, i, out);
                }
            }
        });
        assertTrue(allocated < AllocationMeter.SLACK_BYTES, "segmenting allocated " + allocated + " bytes over " + 1000 * n + " segments");
    }
}
