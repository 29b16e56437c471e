package io.vrouter.packet;

import static io.vrouter.packet.TestFrames.GUEST_IP;
import static io.vrouter.packet.TestFrames.GUEST_MAC;
import static io.vrouter.packet.TestFrames.METADATA_IP;
import static io.vrouter.packet.TestFrames.ROUTER_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.drop.DropReason;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PacketParserTest {
    private final PacketParser parser = new PacketParser();
    private final ParsedPacket p = new ParsedPacket();

    private static int code(DropReason r) {
        return r.code();
    }

    @Test
    void shouldParseTcpSynToMetadataService() {
        byte[] f = TestFrames.tcp(GUEST_IP, METADATA_IP, 40000, 80, 0);
        assertEquals(0, parser.parse(f, p));
        assertTrue(p.isValid());
        assertTrue(p.isIpv4());
        assertEquals(-1, p.vlanId());
        assertEquals(Ethernet.TYPE_IPV4, p.etherType());
        assertEquals(14, p.l3Offset());
        assertEquals(20, p.ipHeaderLength());
        assertEquals(40, p.ipTotalLength());
        assertEquals(Ipv4.PROTO_TCP, p.ipProtocol());
        assertEquals(64, p.ipTtl());
        assertEquals(GUEST_IP, p.srcIp());
        assertEquals(METADATA_IP, p.dstIp());
        assertEquals(34, p.l4Offset());
        assertEquals(40000, p.srcPort());
        assertEquals(80, p.dstPort());
        assertEquals(Tcp.SYN, p.tcpFlags());
        assertEquals(20, p.l4HeaderLength());
        assertEquals(0, p.payloadLength());
        assertFalse(p.isFirstFragment());
        assertEquals(GUEST_MAC, Ethernet.srcMac(f, 0));
        assertEquals(ROUTER_MAC, Ethernet.dstMac(f, 0));
    }

    @Test
    void shouldParseVlanTaggedFrameWithIpOptionsAndTcpOptions() {
        byte[] seg = TestFrames.tcpSegment(1234, 8775, Tcp.ACK_FLAG | Tcp.PSH, 12, new byte[5]);
        byte[] f = TestFrames.ipv4(0xabc, 8, Ipv4.PROTO_TCP, GUEST_IP, METADATA_IP, seg, 0);
        Bytes.put16(f, Ethernet.VLAN_TCI, (5 << 13) | 0xabc);
        assertEquals(0, parser.parse(f, p));
        assertEquals(0xabc, p.vlanId());
        assertEquals(5, p.vlanPriority());
        assertEquals(18, p.l3Offset());
        assertEquals(28, p.ipHeaderLength());
        assertEquals(18 + 28, p.l4Offset());
        assertEquals(32, p.l4HeaderLength());
        assertEquals(5, p.payloadLength());
        assertEquals(18 + 28 + 32, p.payloadOffset());
        assertEquals(1234, p.srcPort());
        assertEquals(8775, p.dstPort());
    }

    @Test
    void shouldParseFrameAtAnOffsetInsideALargerBuffer() {
        byte[] f = TestFrames.udp(GUEST_IP, METADATA_IP, 5353, 53, 10, true);
        byte[] big = new byte[f.length + 100];
        Arrays.fill(big, (byte) 0xee);
        System.arraycopy(f, 0, big, 37, f.length);
        assertEquals(0, parser.parse(big, 37, f.length, p));
        assertEquals(37, p.frameOffset());
        assertEquals(37 + 14, p.l3Offset());
        assertEquals(5353, p.srcPort());
        assertEquals(53, p.dstPort());
    }

    @Test
    void shouldParseUdpWithEthernetPaddingAfterTheDatagram() {
        byte[] f = TestFrames.udp(GUEST_IP, METADATA_IP, 68, 67, 0, true); // 42 bytes
        byte[] padded = Arrays.copyOf(f, Ethernet.MIN_FRAME_LENGTH);
        assertEquals(0, parser.parse(padded, p));
        assertEquals(28, p.ipTotalLength());
        assertEquals(8, p.l4Length());
    }

    @Test
    void shouldParseIcmpEchoRequestAndReplyIdAsQuerierSidePort() {
        byte[] req = TestFrames.icmp(GUEST_IP, METADATA_IP,
                TestFrames.icmpEcho(Icmp.ECHO_REQUEST, 777, 1, new byte[56]));
        assertEquals(0, parser.parse(req, p));
        assertEquals(Icmp.ECHO_REQUEST, p.icmpType());
        assertEquals(777, p.icmpId());
        assertEquals(777, p.srcPort());
        assertEquals(0, p.dstPort());
        byte[] rep = TestFrames.icmp(METADATA_IP, GUEST_IP,
                TestFrames.icmpEcho(Icmp.ECHO_REPLY, 777, 1, new byte[56]));
        assertEquals(0, parser.parse(rep, p));
        assertEquals(0, p.srcPort());
        assertEquals(777, p.dstPort());
        assertFalse(p.isIcmpError());
    }

    @Test
    void shouldParseIcmpErrorInnerHeaderAndPorts() {
        byte[] offending = TestFrames.udp(GUEST_IP, METADATA_IP, 40001, 53, 20, true);
        byte[] err = TestFrames.icmp(METADATA_IP, GUEST_IP,
                TestFrames.icmpErrorMessage(Icmp.DEST_UNREACHABLE, Icmp.CODE_PORT_UNREACHABLE, offending, 8));
        assertEquals(0, parser.parse(err, p));
        assertTrue(p.isIcmpError());
        assertEquals(Icmp.DEST_UNREACHABLE, p.icmpType());
        assertEquals(Icmp.CODE_PORT_UNREACHABLE, p.icmpCode());
        assertEquals(0, p.srcPort());
        assertEquals(0, p.dstPort());
        assertEquals(14 + 20 + 8, p.innerL3Offset());
        assertEquals(Ipv4.PROTO_UDP, p.innerProtocol());
        assertEquals(GUEST_IP, p.innerSrcIp());
        assertEquals(METADATA_IP, p.innerDstIp());
        assertEquals(40001, p.innerSrcPort());
        assertEquals(53, p.innerDstPort());
        assertEquals(8, p.innerL4Available());
    }

    @Test
    void shouldParseIcmpTimeExceededQuotingAnEchoRequest() {
        byte[] offending = TestFrames.ipv4(-1, 4, Ipv4.PROTO_ICMP, GUEST_IP, METADATA_IP,
                TestFrames.icmpEcho(Icmp.ECHO_REQUEST, 4242, 9, new byte[16]), 0);
        byte[] err = TestFrames.icmp(METADATA_IP, GUEST_IP,
                TestFrames.icmpErrorMessage(Icmp.TIME_EXCEEDED, 0, offending, 8));
        assertEquals(0, parser.parse(err, p));
        assertEquals(Ipv4.PROTO_ICMP, p.innerProtocol());
        assertEquals(24, p.innerIpHeaderLength());
        assertEquals(Icmp.ECHO_REQUEST, p.innerIcmpType());
        assertEquals(4242, p.innerSrcPort());
        assertEquals(0, p.innerDstPort());
    }

    @Test
    void shouldParseArpRequestOnVlan() {
        byte[] f = TestFrames.arp(7, Arp.OP_REQUEST, GUEST_MAC, GUEST_IP, 0, METADATA_IP);
        assertEquals(0, parser.parse(f, p));
        PacketAsserts.assertArp(p, 7, Arp.OP_REQUEST, GUEST_MAC, GUEST_IP, 0, METADATA_IP);
    }

    @Test
    void shouldMarkFirstFragmentAndKeepItsPorts() {
        byte[] f = TestFrames.ipv4(-1, 0, Ipv4.PROTO_UDP, GUEST_IP, METADATA_IP,
                TestFrames.udpDatagram(1000, 2000, true, new byte[8]), Ipv4.FLAG_MF);
        Bytes.put16(f, 34 + Udp.LENGTH, 3000); // whole datagram is bigger than this fragment
        assertEquals(0, parser.parse(f, p));
        assertTrue(p.isFirstFragment());
        assertEquals(1000, p.srcPort());
        assertEquals(2000, p.dstPort());
    }

    @Test
    void shouldDropNonFirstFragment() {
        byte[] f = TestFrames.ipv4(-1, 0, Ipv4.PROTO_UDP, GUEST_IP, METADATA_IP, new byte[16], 185);
        assertEquals(code(DropReason.FRAGMENT), parser.parse(f, p));
        assertFalse(p.isValid());
        byte[] last = TestFrames.ipv4(-1, 0, Ipv4.PROTO_TCP, GUEST_IP, METADATA_IP, new byte[16], 1);
        assertEquals(code(DropReason.FRAGMENT), parser.parse(last, p));
    }

    // ---- malformations ----

    @Test
    void shouldDropEveryTruncationOfAValidFrameWithAReasonAndNeverThrow() {
        byte[] f = TestFrames.tcp(GUEST_IP, METADATA_IP, 40000, 80, 10);
        for (int len = 0; len < f.length; len++) {
            int r = parser.parse(f, 0, len, p);
            assertTrue(r != 0, "length " + len);
            assertFalse(p.isValid());
            if (len < 34) {
                assertEquals(code(DropReason.TRUNCATED), r, "length " + len);
            } else {
                assertEquals(code(DropReason.BAD_IP_TOTAL_LENGTH), r, "length " + len);
            }
        }
    }

    @Test
    void shouldDropBadBufferBoundsAsTruncated() {
        byte[] f = TestFrames.tcp(GUEST_IP, METADATA_IP, 40000, 80, 0);
        int t = code(DropReason.TRUNCATED);
        assertEquals(t, parser.parse(null, 0, 60, p));
        assertEquals(t, parser.parse(f, -1, 10, p));
        assertEquals(t, parser.parse(f, 0, -1, p));
        assertEquals(t, parser.parse(f, 10, f.length, p));
        assertEquals(t, parser.parse(f, Integer.MAX_VALUE, 10, p));
        assertEquals(t, parser.parse(null, p));
    }

    @Test
    void shouldDropOversizedFrame() {
        byte[] big = new byte[PacketParser.DEFAULT_MAX_FRAME_LENGTH + 1];
        assertEquals(code(DropReason.OVERSIZED), parser.parse(big, p));
        PacketParser small = new PacketParser(1518, true);
        byte[] f = TestFrames.tcp(GUEST_IP, METADATA_IP, 1, 2, 1518 - 54);
        assertEquals(0, small.parse(f, p));
        byte[] g = TestFrames.tcp(GUEST_IP, METADATA_IP, 1, 2, 1518 - 53);
        assertEquals(code(DropReason.OVERSIZED), small.parse(g, p));
    }

    @Test
    void shouldRejectMaxFrameLengthOutOfRangeAtConfiguration() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PacketParser(10, true));
        assertTrue(e.getMessage().contains("maxFrameLength"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PacketParser(70000, true));
    }

    @Test
    void shouldDropUnsupportedEthertypesAndDoubleTags() {
        byte[] f = TestFrames.tcp(GUEST_IP, METADATA_IP, 1, 2, 0);
        Bytes.put16(f, Ethernet.ETHERTYPE, 0x88cc); // LLDP
        assertEquals(code(DropReason.UNSUPPORTED_ETHERTYPE), parser.parse(f, p));
        Bytes.put16(f, Ethernet.ETHERTYPE, Ethernet.TYPE_IPV6); // an IPv4 header under the IPv6 type
        assertEquals(code(DropReason.BAD_IP_VERSION), parser.parse(f, p));
        byte[] tagged = TestFrames.ipv4(5, 0, Ipv4.PROTO_TCP, GUEST_IP, METADATA_IP,
                TestFrames.tcpSegment(1, 2, 0, 0, new byte[0]), 0);
        Bytes.put16(tagged, Ethernet.VLAN_ETHERTYPE, Ethernet.TYPE_VLAN);
        assertEquals(code(DropReason.UNSUPPORTED_ETHERTYPE), parser.parse(tagged, p));
        Bytes.put16(tagged, Ethernet.ETHERTYPE, Ethernet.TYPE_QINQ);
        assertEquals(code(DropReason.UNSUPPORTED_ETHERTYPE), parser.parse(tagged, p));
    }

    @Test
    void shouldDropTaggedFrameTooShortForItsTag() {
        byte[] f = new byte[16];
        Bytes.put16(f, Ethernet.ETHERTYPE, Ethernet.TYPE_VLAN);
        assertEquals(code(DropReason.TRUNCATED), parser.parse(f, p));
    }

    @Test
    void shouldDropMalformedArp() {
        byte[] good = TestFrames.arp(-1, Arp.OP_REQUEST, GUEST_MAC, GUEST_IP, 0, METADATA_IP);
        int[][] edits = {{14 + Arp.HTYPE + 1, 6}, {14 + Arp.PTYPE, 0x86}, {14 + Arp.HLEN, 8}, {14 + Arp.PLEN, 16},
                {14 + Arp.OPER + 1, 3}};
        for (int[] e : edits) {
            byte[] f = good.clone();
            f[e[0]] = (byte) e[1];
            assertEquals(code(DropReason.BAD_ARP), parser.parse(f, p), "edit at " + e[0]);
        }
        assertEquals(code(DropReason.TRUNCATED), parser.parse(good, 0, good.length - 1, p));
    }

    @Test
    void shouldDropWrongIpVersion() {
        byte[] f = TestFrames.tcp(GUEST_IP, METADATA_IP, 1, 2, 0);
        f[14] = 0x65;
        assertEquals(code(DropReason.BAD_IP_VERSION), parser.parse(f, p));
    }

    @Test
    void shouldDropBadIpHeaderLength() {
        byte[] f = TestFrames.tcp(GUEST_IP, METADATA_IP, 1, 2, 0);
        f[14] = 0x44;
        assertEquals(code(DropReason.BAD_IP_HEADER_LENGTH), parser.parse(f, p));
        byte[] g = TestFrames.udp(GUEST_IP, METADATA_IP, 1, 2, 0, false); // 28 bytes of IP
        g[14] = 0x4f; // 60-byte header in a 28-byte packet
        assertEquals(code(DropReason.BAD_IP_HEADER_LENGTH), parser.parse(g, p));
    }

    @Test
    void shouldDropInconsistentIpTotalLength() {
        byte[] f = TestFrames.tcp(GUEST_IP, METADATA_IP, 1, 2, 0);
        Bytes.put16(f, 14 + Ipv4.TOTAL_LENGTH, 19);
        Checksum.setIpv4HeaderChecksum(f, 14, 20);
        assertEquals(code(DropReason.BAD_IP_TOTAL_LENGTH), parser.parse(f, p));
        Bytes.put16(f, 14 + Ipv4.TOTAL_LENGTH, 41);
        Checksum.setIpv4HeaderChecksum(f, 14, 20);
        assertEquals(code(DropReason.BAD_IP_TOTAL_LENGTH), parser.parse(f, p));
    }

    @Test
    void shouldDropWrongIpHeaderChecksumUnlessVerificationIsOff() {
        byte[] f = TestFrames.tcp(GUEST_IP, METADATA_IP, 1, 2, 0);
        f[14 + Ipv4.CHECKSUM] ^= 0x40;
        assertEquals(code(DropReason.BAD_CHECKSUM), parser.parse(f, p));
        assertEquals(0, new PacketParser(PacketParser.DEFAULT_MAX_FRAME_LENGTH, false).parse(f, p));
    }

    @Test
    void shouldDropUnsupportedIpProtocol() {
        byte[] f = TestFrames.ipv4(-1, 0, 47, GUEST_IP, METADATA_IP, new byte[24], 0); // GRE
        assertEquals(code(DropReason.UNSUPPORTED_PROTOCOL), parser.parse(f, p));
    }

    @Test
    void shouldDropMalformedTcpHeaders() {
        int bad = code(DropReason.BAD_L4_HEADER);
        byte[] shortSeg = TestFrames.ipv4(-1, 0, Ipv4.PROTO_TCP, GUEST_IP, METADATA_IP, new byte[19], 0);
        assertEquals(bad, parser.parse(shortSeg, p));
        byte[] f = TestFrames.tcp(GUEST_IP, METADATA_IP, 1, 2, 0);
        f[34 + Tcp.DATA_OFFSET] = 0x40; // 16-byte header
        assertEquals(bad, parser.parse(f, p));
        f[34 + Tcp.DATA_OFFSET] = 0x60; // 24-byte header in a 20-byte segment
        assertEquals(bad, parser.parse(f, p));
    }

    @Test
    void shouldDropMalformedUdpHeaders() {
        int bad = code(DropReason.BAD_L4_HEADER);
        byte[] shortSeg = TestFrames.ipv4(-1, 0, Ipv4.PROTO_UDP, GUEST_IP, METADATA_IP, new byte[7], 0);
        assertEquals(bad, parser.parse(shortSeg, p));
        byte[] f = TestFrames.udp(GUEST_IP, METADATA_IP, 1, 2, 4, false);
        Bytes.put16(f, 34 + Udp.LENGTH, 7);
        assertEquals(bad, parser.parse(f, p));
        Bytes.put16(f, 34 + Udp.LENGTH, 13);
        assertEquals(bad, parser.parse(f, p));
        Bytes.put16(f, 34 + Udp.LENGTH, 11);
        assertEquals(0, parser.parse(f, p));
    }

    @Test
    void shouldDropMalformedIcmp() {
        int bad = code(DropReason.BAD_L4_HEADER);
        byte[] shortMsg = TestFrames.icmp(GUEST_IP, METADATA_IP, new byte[7]);
        assertEquals(bad, parser.parse(shortMsg, p));
        byte[] offending = TestFrames.tcp(GUEST_IP, METADATA_IP, 1, 2, 0);
        // quoting only 7 bytes of L4
        byte[] err = TestFrames.icmp(METADATA_IP, GUEST_IP,
                TestFrames.icmpErrorMessage(Icmp.DEST_UNREACHABLE, 3, offending, 7));
        assertEquals(bad, parser.parse(err, p));
        // quoted header is not IPv4
        byte[] err2 = TestFrames.icmpErrorMessage(Icmp.DEST_UNREACHABLE, 3, offending, 8);
        err2[Icmp.ERROR_INNER] = 0x65;
        assertEquals(bad, parser.parse(TestFrames.icmp(METADATA_IP, GUEST_IP, err2), p));
        // quoted IHL beyond the quoted bytes
        err2[Icmp.ERROR_INNER] = 0x4f;
        assertEquals(bad, parser.parse(TestFrames.icmp(METADATA_IP, GUEST_IP, err2), p));
    }

    @Test
    void shouldDropIcmpErrorAboutAnIcmpErrorOrAFragmentOrOtherProtocol() {
        byte[] inner = TestFrames.icmp(GUEST_IP, METADATA_IP,
                TestFrames.icmpErrorMessage(Icmp.DEST_UNREACHABLE, 3, TestFrames.tcp(1, 2, 3, 4, 0), 8));
        byte[] err = TestFrames.icmp(METADATA_IP, GUEST_IP,
                TestFrames.icmpErrorMessage(Icmp.DEST_UNREACHABLE, 3, inner, 8));
        assertEquals(code(DropReason.BAD_L4_HEADER), parser.parse(err, p));

        byte[] frag = TestFrames.ipv4(-1, 0, Ipv4.PROTO_UDP, GUEST_IP, METADATA_IP, new byte[16], 3);
        byte[] err2 = TestFrames.icmp(METADATA_IP, GUEST_IP,
                TestFrames.icmpErrorMessage(Icmp.TIME_EXCEEDED, 1, frag, 8));
        assertEquals(code(DropReason.FRAGMENT), parser.parse(err2, p));

        byte[] gre = TestFrames.ipv4(-1, 0, 47, GUEST_IP, METADATA_IP, new byte[16], 0);
        byte[] err3 = TestFrames.icmp(METADATA_IP, GUEST_IP,
                TestFrames.icmpErrorMessage(Icmp.DEST_UNREACHABLE, 2, gre, 8));
        assertEquals(code(DropReason.UNSUPPORTED_PROTOCOL), parser.parse(err3, p));
    }

    @Test
    void shouldResetFieldsOfThePreviousFrame() {
        assertEquals(0, parser.parse(TestFrames.tcp(GUEST_IP, METADATA_IP, 40000, 80, 0), p));
        assertEquals(0, parser.parse(TestFrames.arp(-1, Arp.OP_REPLY, GUEST_MAC, GUEST_IP, ROUTER_MAC, 1), p));
        assertEquals(-1, p.ipProtocol());
        assertEquals(0, p.srcPort());
        assertEquals(-1, p.l4Offset());
        assertTrue(parser.parse(new byte[3], p) != 0);
        assertFalse(p.isArp());
        assertEquals(0, p.arpSenderIp());
    }

    @Test
    void shouldCountEveryResultExactlyOnce() {
        ParseCounters c = new ParseCounters();
        c.record(parser.parse(TestFrames.tcp(GUEST_IP, METADATA_IP, 1, 2, 0), p));
        c.record(parser.parse(new byte[5], p));
        c.record(parser.parse(new byte[5], p));
        c.record(parser.parse(new byte[PacketParser.DEFAULT_MAX_FRAME_LENGTH + 1], p));
        c.record(99);
        assertEquals(1, c.parsed());
        assertEquals(2, c.dropped(DropReason.TRUNCATED));
        assertEquals(1, c.dropped(DropReason.OVERSIZED));
        assertEquals(3, c.dropped());
        assertEquals(1, c.unknown());
        assertEquals(5, c.total());
        c.clear();
        assertEquals(0, c.total());
    }

    @Test
    void shouldDescribeParsedPacketForLogs() {
        parser.parse(TestFrames.tcp(GUEST_IP, METADATA_IP, 40000, 80, 0), p);
        assertEquals("ParsedPacket{ethertype=0x800 proto=6 10.0.0.3:40000 -> 169.254.169.254:80}", p.toString());
    }

    @Test
    void copyFromShouldCopyEveryField() throws Exception {
        byte[] offending = TestFrames.udp(GUEST_IP, METADATA_IP, 40001, 53, 20, true);
        byte[] err = TestFrames.ipv4(3, 4, Ipv4.PROTO_ICMP, METADATA_IP, GUEST_IP,
                TestFrames.icmpErrorMessage(Icmp.DEST_UNREACHABLE, Icmp.CODE_PORT_UNREACHABLE, offending, 8), 0);
        assertEquals(0, parser.parse(err, p));
        ParsedPacket copy = new ParsedPacket();
        copy.copyFrom(p);
        for (java.lang.reflect.Field f : ParsedPacket.class.getDeclaredFields()) {
            if (!java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                f.setAccessible(true);
                assertEquals(f.get(p), f.get(copy), f.getName());
            }
        }
        assertEquals(p.toString(), copy.toString());
    }

    @Test
    void flowKeyShouldBeTheOwnTupleOrTheQuotedTupleReversedForIcmpErrors() {
        assertEquals(0, parser.parse(TestFrames.tcp(GUEST_IP, METADATA_IP, 40000, 80, 0), p));
        assertEquals(Ipv4.PROTO_TCP, p.flowProtocol());
        assertEquals(GUEST_IP, p.flowSrcIp());
        assertEquals(METADATA_IP, p.flowDstIp());
        assertEquals(40000, p.flowSrcPort());
        assertEquals(80, p.flowDstPort());

        byte[] offending = TestFrames.udp(GUEST_IP, METADATA_IP, 40001, 53, 4, true);
        byte[] err = TestFrames.icmp(METADATA_IP, GUEST_IP,
                TestFrames.icmpErrorMessage(Icmp.DEST_UNREACHABLE, Icmp.CODE_PORT_UNREACHABLE, offending, 8));
        assertEquals(0, parser.parse(err, p));
        // The error travels like a reply to the UDP packet: key = (metadata:53 -> guest:40001, UDP).
        assertEquals(Ipv4.PROTO_UDP, p.flowProtocol());
        assertEquals(METADATA_IP, p.flowSrcIp());
        assertEquals(GUEST_IP, p.flowDstIp());
        assertEquals(53, p.flowSrcPort());
        assertEquals(40001, p.flowDstPort());
    }
}
