package io.vrouter.packet;

import static io.vrouter.packet.TestFrames.METADATA6_HI;
import static io.vrouter.packet.TestFrames.METADATA6_LO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.drop.DropReason;
import org.junit.jupiter.api.Test;

/** IPv6, its extension headers and neighbour discovery, as the parser takes and refuses them. */
class Ipv6ParserTest {
    private static final long GUEST_HI = Ipv6.LINK_LOCAL_HI;
    private static final long GUEST_LO = 0x0200_00ff_fe00_0001L;
    private static final long GUEST_MAC = TestFrames.GUEST_MAC;
    private final PacketParser parser = new PacketParser();
    private final ParsedPacket p = new ParsedPacket();

    private static int code(DropReason r) {
        return r.code();
    }

    private static byte[] tcp(byte[] ext, int firstNext) {
        return TestFrames.build6(TestFrames.Kind6.TCP, -1, GUEST_HI, GUEST_LO, 40000, METADATA6_HI, METADATA6_LO, 80,
                ext, firstNext, new byte[5]);
    }

    private byte[] ns(int hopLimit, long sHi, long sLo, long sll) {
        return TestFrames.neighborSolicitation(hopLimit, sHi, sLo, METADATA6_HI, METADATA6_LO, sll);
    }

    @Test
    void shouldParseTcpOverIpv6WithItsAddressesAndPorts() {
        byte[] f = tcp(new byte[0], 0);
        assertEquals(0, parser.parse(f, p));
        assertTrue(p.isIpv6());
        assertFalse(p.isIpv4());
        assertEquals(Ipv4.PROTO_TCP, p.ipProtocol());
        assertEquals(GUEST_HI, p.srcIp6Hi());
        assertEquals(GUEST_LO, p.srcIp6Lo());
        assertEquals(METADATA6_HI, p.dstIp6Hi());
        assertEquals(METADATA6_LO, p.dstIp6Lo());
        assertEquals(40000, p.srcPort());
        assertEquals(80, p.dstPort());
        assertEquals(64, p.ipTtl());
        assertEquals(Ethernet.HEADER_LENGTH + Ipv6.HEADER_LENGTH, p.l4Offset());
        assertEquals(5, p.payloadLength());
    }

    @Test
    void shouldSkipHopByHopRoutingAndDestinationOptionsHeaders() {
        byte[] ext = TestFrames.concat(TestFrames.extension(Ipv6.NH_ROUTING, 1),
                TestFrames.extension(Ipv6.NH_DEST_OPTIONS, 2), TestFrames.extension(Ipv4.PROTO_TCP, 3));
        byte[] f = tcp(ext, Ipv6.NH_HOP_BY_HOP);
        assertEquals(0, parser.parse(f, p));
        assertEquals(Ipv4.PROTO_TCP, p.ipProtocol());
        assertEquals(Ipv6.HEADER_LENGTH + 48, p.ipHeaderLength());
        assertEquals(80, p.dstPort());
    }

    @Test
    void shouldDropHopByHopThatIsNotFirst() {
        byte[] ext = TestFrames.concat(TestFrames.extension(Ipv6.NH_HOP_BY_HOP, 1),
                TestFrames.extension(Ipv4.PROTO_TCP, 1));
        assertEquals(code(DropReason.BAD_IPV6_EXTENSION), parser.parse(tcp(ext, Ipv6.NH_DEST_OPTIONS), p));
    }

    @Test
    void shouldDropMoreThanEightExtensionHeaders() {
        byte[] ext = new byte[0];
        for (int i = 0; i < 9; i++) {
            ext = TestFrames.concat(ext, TestFrames.extension(i == 8 ? Ipv4.PROTO_TCP : Ipv6.NH_DEST_OPTIONS, 1));
        }
        assertEquals(code(DropReason.BAD_IPV6_EXTENSION), parser.parse(tcp(ext, Ipv6.NH_DEST_OPTIONS), p));
        byte[] eight = java.util.Arrays.copyOfRange(ext, 8, ext.length);
        assertEquals(0, parser.parse(tcp(eight, Ipv6.NH_DEST_OPTIONS), p));
    }

    @Test
    void shouldDropExtensionHeaderRunningPastThePayload() {
        byte[] ext = TestFrames.extension(Ipv4.PROTO_TCP, 1);
        ext[1] = (byte) 200; // claims 1608 bytes
        assertEquals(code(DropReason.BAD_IPV6_EXTENSION), parser.parse(tcp(ext, Ipv6.NH_ROUTING), p));
    }

    @Test
    void shouldTakeFirstFragmentAndDropLaterOnes() {
        byte[] first = tcp(TestFrames.fragmentHeader(Ipv4.PROTO_TCP, 0, true), Ipv6.NH_FRAGMENT);
        assertEquals(0, parser.parse(first, p));
        assertTrue(p.isFirstFragment());
        byte[] later = tcp(TestFrames.fragmentHeader(Ipv4.PROTO_TCP, 185, false), Ipv6.NH_FRAGMENT);
        assertEquals(code(DropReason.FRAGMENT), parser.parse(later, p));
    }

    @Test
    void shouldDropPayloadLengthBeyondTheFrameAndTruncatedHeader() {
        byte[] f = tcp(new byte[0], 0);
        Bytes.put16(f, Ethernet.HEADER_LENGTH + Ipv6.PAYLOAD_LENGTH, 500);
        assertEquals(code(DropReason.BAD_IP_TOTAL_LENGTH), parser.parse(f, p));
        assertEquals(code(DropReason.TRUNCATED), parser.parse(f, 0, Ethernet.HEADER_LENGTH + 39, p));
    }

    @Test
    void shouldDropUnsupportedUpperLayer() {
        byte[] f = TestFrames.ipv6(-1, 64, 50, GUEST_HI, GUEST_LO, METADATA6_HI, METADATA6_LO, new byte[0], 0,
                new byte[16]); // ESP
        assertEquals(code(DropReason.UNSUPPORTED_PROTOCOL), parser.parse(f, p));
    }

    @Test
    void shouldParseNeighborSolicitationWithTargetAndSourceLinkLayerOption() {
        assertEquals(0, parser.parse(ns(255, GUEST_HI, GUEST_LO, GUEST_MAC), p));
        assertEquals(Icmpv6.NEIGHBOR_SOLICITATION, p.icmpType());
        assertEquals(METADATA6_HI, p.ndTargetHi());
        assertEquals(METADATA6_LO, p.ndTargetLo());
        assertEquals(GUEST_MAC, p.ndSourceLinkAddr());
        assertEquals(-1, p.ndTargetLinkAddr());
        assertTrue(Icmpv6.checksumValid(ns(255, GUEST_HI, GUEST_LO, GUEST_MAC), p));
    }

    @Test
    void shouldDropNeighborSolicitationWithAHopLimitOtherThan255() {
        assertEquals(code(DropReason.NDP_HOP_LIMIT), parser.parse(ns(254, GUEST_HI, GUEST_LO, GUEST_MAC), p));
        assertEquals(code(DropReason.NDP_HOP_LIMIT), parser.parse(ns(64, GUEST_HI, GUEST_LO, -1), p));
    }

    @Test
    void shouldDropMalformedNeighborDiscovery() {
        byte[] zeroLengthOption = ns(255, GUEST_HI, GUEST_LO, GUEST_MAC);
        int opt = Ethernet.HEADER_LENGTH + Ipv6.HEADER_LENGTH + Icmpv6.ND_OPTIONS;
        zeroLengthOption[opt + 1] = 0;
        assertEquals(code(DropReason.BAD_NDP), parser.parse(zeroLengthOption, p));
        byte[] longOption = ns(255, GUEST_HI, GUEST_LO, GUEST_MAC);
        longOption[opt + 1] = 2;
        assertEquals(code(DropReason.BAD_NDP), parser.parse(longOption, p));
        byte[] code1 = ns(255, GUEST_HI, GUEST_LO, -1);
        code1[Ethernet.HEADER_LENGTH + Ipv6.HEADER_LENGTH + Icmp.CODE] = 1;
        assertEquals(code(DropReason.BAD_NDP), parser.parse(code1, p));
        // from the unspecified address (DAD) a source link-layer option is forbidden (RFC 4861 7.1.1)
        assertEquals(code(DropReason.BAD_NDP), parser.parse(ns(255, 0, 0, GUEST_MAC), p));
        assertEquals(0, parser.parse(ns(255, 0, 0, -1), p));
        byte[] multicastTarget = TestFrames.neighborSolicitation(255, GUEST_HI, GUEST_LO, Ipv6.ALL_NODES_HI, 1, -1);
        assertEquals(code(DropReason.BAD_NDP), parser.parse(multicastTarget, p));
        byte[] shortNs = TestFrames.ipv6(-1, 255, Ipv6.NH_ICMPV6, GUEST_HI, GUEST_LO, METADATA6_HI, METADATA6_LO,
                new byte[0], 0, new byte[] {(byte) Icmpv6.NEIGHBOR_SOLICITATION, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4});
        assertEquals(code(DropReason.BAD_NDP), parser.parse(shortNs, p));
    }

    @Test
    void advertisementShouldAnswerTheSolicitorWithFlagsTargetOptionHopLimitAndChecksum() {
        long agentMac = 0x0200_0000_00aaL;
        assertEquals(0, parser.parse(ns(255, GUEST_HI, GUEST_LO, GUEST_MAC), p));
        byte[] out = new byte[Icmpv6.NA_FRAME_LENGTH];
        int n = Icmpv6.buildAdvertisementTo(p, 0x0200_0000_0bbbL, agentMac, out, 0);
        assertEquals(Icmpv6.NA_FRAME_LENGTH, n);
        ParsedPacket na = new ParsedPacket();
        assertEquals(0, parser.parse(out, 0, n, na));
        assertEquals(GUEST_MAC, Ethernet.dstMac(out, 0), "to the source link-layer option's MAC");
        assertEquals(agentMac, Ethernet.srcMac(out, 0));
        assertEquals(Icmpv6.NEIGHBOR_ADVERTISEMENT, na.icmpType());
        assertEquals(255, na.ipTtl());
        assertEquals(METADATA6_LO, na.srcIp6Lo());
        assertEquals(GUEST_LO, na.dstIp6Lo());
        assertEquals(METADATA6_LO, na.ndTargetLo());
        assertEquals(agentMac, na.ndTargetLinkAddr());
        int flags = Bytes.i32(out, na.l4Offset() + Icmpv6.FLAGS);
        assertEquals(Icmpv6.NA_SOLICITED | Icmpv6.NA_OVERRIDE, flags, "solicited and override, not router");
        assertTrue(Icmpv6.checksumValid(out, na));
        out[n - 1] ^= 1;
        assertFalse(Icmpv6.checksumValid(out, na));

        // Without the option: back to the frame's source MAC.
        assertEquals(0, parser.parse(ns(255, GUEST_HI, GUEST_LO, -1), p));
        Icmpv6.buildAdvertisementTo(p, 0x0200_0000_0bbbL, agentMac, out, 0);
        assertEquals(0x0200_0000_0bbbL, Ethernet.dstMac(out, 0));

        // DAD (from ::): to all nodes, not solicited.
        assertEquals(0, parser.parse(ns(255, 0, 0, -1), p));
        Icmpv6.buildAdvertisementTo(p, 0x0200_0000_0bbbL, agentMac, out, 0);
        assertEquals(0, parser.parse(out, na));
        assertEquals(Ipv6.ALL_NODES_HI, na.dstIp6Hi());
        assertEquals(0x3333_0000_0001L, Ethernet.dstMac(out, 0));
        assertEquals(Icmpv6.NA_OVERRIDE, Bytes.i32(out, na.l4Offset() + Icmpv6.FLAGS));
        assertTrue(Icmpv6.checksumValid(out, na));
    }

    @Test
    void partialChecksumOfIpv6SegmentShouldBeCompleted() {
        byte[] f = tcp(new byte[0], 0);
        byte[] good = f.clone();
        assertEquals(0, parser.parse(f, p));
        int off = p.l4Offset() + Tcp.CHECKSUM;
        int partial = Checksum.fold(Checksum.pseudoHeaderSum6(GUEST_HI, GUEST_LO, METADATA6_HI, METADATA6_LO,
                Ipv4.PROTO_TCP, p.l4Length()));
        Bytes.put16(f, off, partial);
        assertTrue(PacketChecksums.completePartialTransportChecksum(f, p));
        assertEquals(Bytes.u16(good, off), Bytes.u16(f, off));
        assertFalse(PacketChecksums.completePartialTransportChecksum(f, p), "a complete one is left alone");
    }
}
