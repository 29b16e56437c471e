package io.vrouter.packet;

import static io.vrouter.packet.NatRewriter.ALL;
import static io.vrouter.packet.NatRewriter.DST_IP;
import static io.vrouter.packet.NatRewriter.DST_PORT;
import static io.vrouter.packet.NatRewriter.SRC_IP;
import static io.vrouter.packet.NatRewriter.SRC_PORT;
import static io.vrouter.packet.TestFrames.GUEST_IP;
import static io.vrouter.packet.TestFrames.GUEST_MAC;
import static io.vrouter.packet.TestFrames.LINK_LOCAL_IP;
import static io.vrouter.packet.TestFrames.METADATA_IP;
import static io.vrouter.packet.TestFrames.ROUTER_MAC;
import static io.vrouter.packet.TestFrames.VHOST_IP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.drop.DropReason;
import io.vrouter.packet.TestFrames.Kind;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NatRewriterTest {
    private static final int PROXY_PORT = 8097;
    private final PacketParser parser = new PacketParser();
    private final ParsedPacket p = new ParsedPacket();
    private final byte[] http = "GET /latest/meta-data/ HTTP/1.1\r\nHost: 169.254.169.254\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private void parseOk(byte[] f) {
        assertEquals(0, parser.parse(f, p), () -> "parse of " + p);
    }

    @Test
    void shouldSnatAndDnatMetadataRequestToLocalProxy() {
        byte[] f = TestFrames.build(Kind.TCP, -1, 0, GUEST_IP, 40000, METADATA_IP, 80, http);
        parseOk(f);
        assertEquals(0, NatRewriter.rewrite(f, p, SRC_IP | DST_IP | DST_PORT, LINK_LOCAL_IP, 0, VHOST_IP, PROXY_PORT));
        assertArrayEquals(TestFrames.build(Kind.TCP, -1, 0, LINK_LOCAL_IP, 40000, VHOST_IP, PROXY_PORT, http), f);
        assertEquals(LINK_LOCAL_IP, p.srcIp());
        assertEquals(VHOST_IP, p.dstIp());
        assertEquals(40000, p.srcPort());
        assertEquals(PROXY_PORT, p.dstPort());
        parseOk(f);
        assertEquals(PROXY_PORT, p.dstPort());
    }

    @Test
    void shouldReverseNatProxyReplyBackToGuest() {
        byte[] f = TestFrames.build(Kind.TCP, -1, 0, VHOST_IP, PROXY_PORT, LINK_LOCAL_IP, 40000, http);
        parseOk(f);
        NatRewriter.rewrite(f, p, ALL, METADATA_IP, 80, GUEST_IP, 40000);
        assertArrayEquals(TestFrames.build(Kind.TCP, -1, 0, METADATA_IP, 80, GUEST_IP, 40000, http), f);
    }

    @Test
    void shouldRewriteUdpOnVlanWithIpOptions() {
        byte[] f = TestFrames.build(Kind.UDP, 42, 12, GUEST_IP, 5000, METADATA_IP, 53, http);
        parseOk(f);
        NatRewriter.rewrite(f, p, SRC_IP | SRC_PORT, VHOST_IP, 61000, 0, 0);
        assertArrayEquals(TestFrames.build(Kind.UDP, 42, 12, VHOST_IP, 61000, METADATA_IP, 53, http), f);
    }

    @Test
    void shouldKeepZeroUdpChecksumZero() {
        byte[] f = TestFrames.build(Kind.UDP_NO_CHECKSUM, -1, 0, GUEST_IP, 5000, METADATA_IP, 53, http);
        parseOk(f);
        NatRewriter.rewrite(f, p, ALL, VHOST_IP, 1, LINK_LOCAL_IP, 2);
        assertEquals(0, Bytes.u16(f, p.l4Offset() + Udp.CHECKSUM));
        assertArrayEquals(TestFrames.build(Kind.UDP_NO_CHECKSUM, -1, 0, VHOST_IP, 1, LINK_LOCAL_IP, 2, http), f);
    }

    @Test
    void shouldWriteFfffWhenTheUpdatedUdpChecksumComesOutZero() {
        // Choose the payload so that the datagram after NAT sums to 0xFFFF: its checksum is 0 -> 0xFFFF.
        byte[] payload = new byte[2];
        byte[] target = TestFrames.build(Kind.UDP, -1, 0, VHOST_IP, 61000, METADATA_IP, 53, payload);
        int l4 = 14 + 20;
        int sum = Checksum.pseudoHeaderSum(VHOST_IP, METADATA_IP, Ipv4.PROTO_UDP, 10);
        sum = Checksum.fold(Checksum.add(sum, target, l4, 6) + Checksum.add(0, target, l4 + 8, 2));
        Bytes.put16(payload, 0, 0xffff - sum);
        target = TestFrames.build(Kind.UDP, -1, 0, VHOST_IP, 61000, METADATA_IP, 53, payload);
        assertEquals(0xffff, Bytes.u16(target, l4 + Udp.CHECKSUM), "oracle: computed 0 is sent as 0xFFFF");

        byte[] f = TestFrames.build(Kind.UDP, -1, 0, GUEST_IP, 5000, METADATA_IP, 53, payload);
        parseOk(f);
        NatRewriter.rewrite(f, p, SRC_IP | SRC_PORT, VHOST_IP, 61000, 0, 0);
        assertEquals(0xffff, Bytes.u16(f, l4 + Udp.CHECKSUM));
        assertArrayEquals(target, f);
    }

    @Test
    void shouldRewriteEchoRequestIdOnSourcePortAndReplyIdOnDestinationPort() {
        byte[] req = TestFrames.build(Kind.ECHO_REQUEST, -1, 0, GUEST_IP, 1111, METADATA_IP, 0, http);
        parseOk(req);
        NatRewriter.rewrite(req, p, SRC_IP | SRC_PORT, LINK_LOCAL_IP, 2222, 0, 0);
        assertArrayEquals(TestFrames.build(Kind.ECHO_REQUEST, -1, 0, LINK_LOCAL_IP, 2222, METADATA_IP, 0, http), req);
        assertEquals(2222, p.icmpId());
        assertEquals(2222, p.srcPort());

        byte[] rep = TestFrames.build(Kind.ECHO_REPLY, -1, 0, METADATA_IP, 0, LINK_LOCAL_IP, 2222, http);
        parseOk(rep);
        NatRewriter.rewrite(rep, p, DST_IP | DST_PORT | SRC_PORT, GUEST_IP, 5, GUEST_IP, 1111);
        assertArrayEquals(TestFrames.build(Kind.ECHO_REPLY, -1, 0, METADATA_IP, 0, GUEST_IP, 1111, http), rep);
        assertEquals(1111, p.dstPort());
        assertEquals(0, p.srcPort());
    }

    @Test
    void shouldLeaveIcmpChecksumAloneWhenOnlyAddressesChange() {
        byte[] f = TestFrames.build(Kind.ECHO_REQUEST, -1, 0, GUEST_IP, 1111, METADATA_IP, 0, http);
        parseOk(f);
        int icmpCsum = Bytes.u16(f, p.l4Offset() + Icmp.CHECKSUM);
        NatRewriter.rewrite(f, p, SRC_IP | DST_IP, LINK_LOCAL_IP, 0, VHOST_IP, 0);
        assertEquals(icmpCsum, Bytes.u16(f, p.l4Offset() + Icmp.CHECKSUM));
        assertArrayEquals(TestFrames.build(Kind.ECHO_REQUEST, -1, 0, LINK_LOCAL_IP, 1111, VHOST_IP, 0, http), f);
    }

    @Test
    void shouldKeepAWrongTcpChecksumExactlyAsWrong() {
        byte[] f = TestFrames.build(Kind.TCP, -1, 0, GUEST_IP, 40000, METADATA_IP, 80, http);
        int csumOff = 14 + 20 + Tcp.CHECKSUM;
        Bytes.put16(f, csumOff, Bytes.u16(f, csumOff) ^ 0x0100);
        int expectedBadSum = tcpVerifySum(f);
        assertTrue(expectedBadSum != 0xffff);
        parseOk(f);
        NatRewriter.rewrite(f, p, ALL, LINK_LOCAL_IP, 40001, VHOST_IP, PROXY_PORT);
        byte[] good = TestFrames.build(Kind.TCP, -1, 0, LINK_LOCAL_IP, 40001, VHOST_IP, PROXY_PORT, http);
        assertFalse(Arrays.equals(good, f), "a corrupt segment must stay corrupt");
        // The receiver's verification sum is off from 0xFFFF by exactly the same amount as before.
        assertEquals(expectedBadSum, tcpVerifySum(f));
    }

    private static int tcpVerifySum(byte[] f) {
        int sum = Checksum.pseudoHeaderSum(Bytes.i32(f, 14 + Ipv4.SRC_ADDR), Bytes.i32(f, 14 + Ipv4.DST_ADDR),
                Ipv4.PROTO_TCP, f.length - 34);
        return Checksum.fold(Checksum.add(sum, f, 34, f.length - 34));
    }

    @Test
    void shouldUpdateFirstFragmentL4ChecksumAsForTheWholeDatagram() {
        byte[] whole = TestFrames.build(Kind.UDP, -1, 0, GUEST_IP, 5000, METADATA_IP, 53, new byte[200]);
        byte[] frag = Arrays.copyOf(whole, 14 + 20 + 8 + 96); // first 104 bytes of IP payload
        Bytes.put16(frag, 14 + Ipv4.TOTAL_LENGTH, 20 + 104);
        Bytes.put16(frag, 14 + Ipv4.FLAGS_FRAGMENT, Ipv4.FLAG_MF);
        Checksum.setIpv4HeaderChecksum(frag, 14, 20);
        parseOk(frag);
        assertTrue(p.isFirstFragment());
        NatRewriter.rewrite(frag, p, SRC_IP | SRC_PORT, VHOST_IP, 61000, 0, 0);
        byte[] wholeNat = TestFrames.build(Kind.UDP, -1, 0, VHOST_IP, 61000, METADATA_IP, 53, new byte[200]);
        assertEquals(Bytes.u16(wholeNat, 34 + Udp.CHECKSUM), Bytes.u16(frag, 34 + Udp.CHECKSUM));
        assertTrue(Checksum.verify(frag, 14, 20));
    }

    @Test
    void shouldNotWriteWhenValuesAreUnchangedOrFlagsAreEmpty() {
        byte[] f = TestFrames.build(Kind.TCP, -1, 0, GUEST_IP, 40000, METADATA_IP, 80, http);
        byte[] before = f.clone();
        parseOk(f);
        NatRewriter.rewrite(f, p, ALL, GUEST_IP, 40000, METADATA_IP, 80);
        NatRewriter.rewrite(f, p, 0, 1, 2, 3, 4);
        assertArrayEquals(before, f);
    }

    @Test
    void shouldRefuseToRewriteWhatWasNotParsedAsIpv4() {
        int code = DropReason.UNSUPPORTED_ETHERTYPE.code();
        byte[] arp = TestFrames.arp(-1, Arp.OP_REQUEST, GUEST_MAC, GUEST_IP, 0, METADATA_IP);
        byte[] before = arp.clone();
        parseOk(arp);
        assertEquals(code, NatRewriter.rewrite(arp, p, ALL, 1, 2, 3, 4));
        assertArrayEquals(before, arp);
        byte[] bad = TestFrames.tcp(GUEST_IP, METADATA_IP, 1, 2, 0);
        bad[14] = 0x35;
        assertTrue(parser.parse(bad, p) != 0);
        assertEquals(code, NatRewriter.rewrite(bad, p, ALL, 1, 2, 3, 4));
        parseOk(TestFrames.tcp(GUEST_IP, METADATA_IP, 1, 2, 0));
        assertEquals(code, NatRewriter.rewriteIcmpError(bad, p, ALL, 1, 2, ALL, 3, 4, 5, 6));
    }

    // ---- ICMP errors carrying a NAT'd packet ----

    /**
     * The guest sent {@code original}; after SNAT/DNAT the host saw {@code natted} and answered
     * with an ICMP error about it. After the reverse-flow NAT the guest must receive exactly the
     * error it would have got about its own packet.
     */
    private void assertIcmpErrorTranslated(byte[] original, byte[] natted, int quotedL4) {
        byte[] seen = TestFrames.icmp(VHOST_IP, LINK_LOCAL_IP,
                TestFrames.icmpErrorMessage(Icmp.DEST_UNREACHABLE, Icmp.CODE_PORT_UNREACHABLE, natted, quotedL4));
        byte[] expected = TestFrames.icmp(METADATA_IP, GUEST_IP,
                TestFrames.icmpErrorMessage(Icmp.DEST_UNREACHABLE, Icmp.CODE_PORT_UNREACHABLE, original, quotedL4));
        parseOk(seen);
        assertTrue(p.isIcmpError());
        // The reverse flow's NAT: source vhost:8097 -> 169.254.169.254:80, destination 169.254.0.5 -> guest.
        assertEquals(0, NatRewriter.rewrite(seen, p, ALL, METADATA_IP, 80, GUEST_IP, 40000));
        assertArrayEquals(expected, seen);
        assertEquals(GUEST_IP, p.innerSrcIp());
        assertEquals(METADATA_IP, p.innerDstIp());
        assertEquals(METADATA_IP, p.srcIp());
        assertEquals(GUEST_IP, p.dstIp());
        parseOk(seen);
        assertEquals(GUEST_IP, p.innerSrcIp());
    }

    /** UDP, UDP without a checksum (kept zero) and an echo request (its id NAT'd like a port). */
    @ParameterizedTest
    @EnumSource(value = Kind.class, names = {"UDP", "UDP_NO_CHECKSUM", "ECHO_REQUEST"})
    void shouldRewriteIcmpErrorAboutANattedPacketSoGuestSeesItsOwnPacket(Kind kind) {
        boolean echo = kind == Kind.ECHO_REQUEST;
        assertIcmpErrorTranslated(
                TestFrames.build(kind, -1, 0, GUEST_IP, 40000, METADATA_IP, echo ? 0 : 80, http),
                TestFrames.build(kind, -1, 0, LINK_LOCAL_IP, echo ? 3333 : 40000, VHOST_IP, echo ? 0 : PROXY_PORT, http),
                8);
    }

    @Test
    void shouldRewriteIcmpErrorAboutNattedTcpIncludingQuotedTcpChecksum() {
        byte[] original = TestFrames.build(Kind.TCP, -1, 4, GUEST_IP, 40000, METADATA_IP, 80, http);
        byte[] natted = TestFrames.build(Kind.TCP, -1, 4, LINK_LOCAL_IP, 40000, VHOST_IP, PROXY_PORT, http);
        assertIcmpErrorTranslated(original, natted, 8);
        assertIcmpErrorTranslated(original, natted, 20);
    }

    @Test
    void shouldKeepIcmpChecksumValidWhenTheQuotedTcpChecksumIsCutInHalf() {
        // 17 quoted bytes hold only the high byte of the TCP checksum: it cannot be updated
        // (the carry depends on the missing byte) and is left alone, but the ICMP checksum,
        // quoted IPv4 header and ports must all be right.
        byte[] original = TestFrames.build(Kind.TCP, -1, 0, GUEST_IP, 40000, METADATA_IP, 80, http);
        byte[] natted = TestFrames.build(Kind.TCP, -1, 0, LINK_LOCAL_IP, 40000, VHOST_IP, PROXY_PORT, http);
        byte[] seen = TestFrames.icmp(VHOST_IP, LINK_LOCAL_IP,
                TestFrames.icmpErrorMessage(Icmp.DEST_UNREACHABLE, Icmp.CODE_PORT_UNREACHABLE, natted, 17));
        parseOk(seen);
        assertEquals(17, p.innerL4Available());
        NatRewriter.rewrite(seen, p, ALL, METADATA_IP, 80, GUEST_IP, 40000);
        int icmp = 14 + 20;
        assertTrue(Checksum.verify(seen, icmp, seen.length - icmp), "ICMP checksum");
        int inner = icmp + Icmp.ERROR_INNER;
        assertArrayEquals(Arrays.copyOfRange(original, 14, 14 + 20 + 16), Arrays.copyOfRange(seen, inner, inner + 36));
        assertTrue(Checksum.verify(seen, 14, 20), "outer IPv4 checksum");
    }

    @Test
    void shouldRewriteOnlyTheInnerHeaderWithIndependentTargets() {
        byte[] natted = TestFrames.build(Kind.UDP, -1, 0, LINK_LOCAL_IP, 40000, VHOST_IP, PROXY_PORT, http);
        byte[] original = TestFrames.build(Kind.UDP, -1, 0, GUEST_IP, 40000, METADATA_IP, 80, http);
        int router = Bytes.ip(192, 168, 1, 1);
        byte[] seen = TestFrames.icmp(router, LINK_LOCAL_IP,
                TestFrames.icmpErrorMessage(Icmp.TIME_EXCEEDED, 0, natted, 8));
        byte[] expected = TestFrames.icmp(router, GUEST_IP,
                TestFrames.icmpErrorMessage(Icmp.TIME_EXCEEDED, 0, original, 8));
        parseOk(seen);
        assertEquals(0, NatRewriter.rewriteIcmpError(seen, p, DST_IP, 0, GUEST_IP,
                ALL, GUEST_IP, 40000, METADATA_IP, 80));
        assertArrayEquals(expected, seen);
    }

    @Test
    void shouldRefuseIcmpErrorRewriteOfAPacketThatIsNoIcmpError() {
        byte[] f = TestFrames.build(Kind.UDP, -1, 0, GUEST_IP, 40000, METADATA_IP, 80, http);
        byte[] before = f.clone();
        parseOk(f);
        assertEquals(DropReason.UNSUPPORTED_ETHERTYPE.code(),
                NatRewriter.rewriteIcmpError(f, p, ALL, 1, 2, ALL, 3, 4, 5, 6));
        assertArrayEquals(before, f);
    }

    // ---- dataplane helpers ----

    @Test
    void shouldDecrementTtlWithIncrementalChecksum() {
        byte[] f = TestFrames.build(Kind.TCP, -1, 0, GUEST_IP, 40000, METADATA_IP, 80, http);
        assertEquals(63, Ipv4.decrementTtl(f, 14));
        assertEquals(63, f[14 + Ipv4.TTL]);
        assertTrue(Checksum.verify(f, 14, 20));
        f[14 + Ipv4.TTL] = 1;
        Checksum.setIpv4HeaderChecksum(f, 14, 20);
        byte[] before = f.clone();
        assertEquals(0, Ipv4.decrementTtl(f, 14));
        assertArrayEquals(before, f);
    }

    @Test
    void shouldSetMacs() {
        byte[] f = TestFrames.build(Kind.TCP, -1, 0, GUEST_IP, 40000, METADATA_IP, 80, http);
        long mac = Ethernet.parseMac("02:aa:bb:cc:dd:ee");
        Ethernet.setDstMac(f, 0, mac);
        Ethernet.setSrcMac(f, 0, ROUTER_MAC);
        assertEquals(mac, Ethernet.dstMac(f, 0));
        assertEquals(ROUTER_MAC, Ethernet.srcMac(f, 0));
        assertEquals("02:aa:bb:cc:dd:ee", Bytes.macToString(mac));
    }

    @Test
    void shouldRejectMalformedMacText() {
        for (String s : new String[] {null, "", "02:aa:bb:cc:dd", "02:aa:bb:cc:dd:zz", "02:aa:bb:cc:dd:ee:ff", "02.aa.bb.cc.dd.ee"}) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> Ethernet.parseMac(s));
            assertTrue(e.getMessage().contains("MAC"));
        }
    }

    @Test
    void shouldBuildArpReplyToRequestOnItsVlan() {
        byte[] req = TestFrames.arp(9, Arp.OP_REQUEST, GUEST_MAC, GUEST_IP, 0, METADATA_IP);
        parseOk(req);
        byte[] out = new byte[64];
        int len = Arp.buildReplyTo(p, ROUTER_MAC, out, 3);
        assertEquals(46, len);
        ParsedPacket r = new ParsedPacket();
        assertEquals(0, parser.parse(out, 3, len, r));
        PacketAsserts.assertArp(r, 9, Arp.OP_REPLY, ROUTER_MAC, METADATA_IP, GUEST_MAC, GUEST_IP);
        assertEquals(GUEST_MAC, Ethernet.dstMac(out, 3));
        assertEquals(ROUTER_MAC, Ethernet.srcMac(out, 3));
        assertEquals(-1, Arp.buildReplyTo(p, ROUTER_MAC, new byte[45], 0));
        parseOk(TestFrames.arp(-1, Arp.OP_REPLY, GUEST_MAC, GUEST_IP, ROUTER_MAC, METADATA_IP));
        assertEquals(-1, Arp.buildReplyTo(p, ROUTER_MAC, out, 0));
    }

    @Test
    void shouldBuildPortUnreachableAboutAParsedPacket() {
        byte[] udp = TestFrames.build(Kind.UDP, -1, 0, GUEST_IP, 40000, METADATA_IP, 53, http);
        parseOk(udp);
        byte[] out = new byte[Icmp.MAX_ERROR_FRAME_LENGTH];
        int len = Icmp.buildError(out, 0, GUEST_MAC, ROUTER_MAC, -1, METADATA_IP,
                Icmp.DEST_UNREACHABLE, Icmp.CODE_PORT_UNREACHABLE, 0, udp, p);
        byte[] expected = TestFrames.icmp(METADATA_IP, GUEST_IP,
                TestFrames.icmpErrorMessage(Icmp.DEST_UNREACHABLE, Icmp.CODE_PORT_UNREACHABLE, udp, 8));
        Bytes.put16(expected, Ipv4.IDENTIFICATION + 14, 0);
        Ethernet.writeHeader(expected, 0, GUEST_MAC, ROUTER_MAC, -1, Ethernet.TYPE_IPV4);
        Checksum.setIpv4HeaderChecksum(expected, 14, 20);
        assertArrayEquals(expected, Arrays.copyOf(out, len));
        ParsedPacket e = new ParsedPacket();
        assertEquals(0, parser.parse(out, 0, len, e));
        assertTrue(e.isIcmpError());
        assertEquals(40000, e.innerSrcPort());

        assertEquals(-1, Icmp.buildError(new byte[50], 0, GUEST_MAC, ROUTER_MAC, -1, METADATA_IP,
                Icmp.DEST_UNREACHABLE, 3, 0, udp, p), "no room");
        assertEquals(-1, Icmp.buildError(out, 0, GUEST_MAC, ROUTER_MAC, -1, METADATA_IP,
                Icmp.DEST_UNREACHABLE, 3, 0, out, e), "never an error about an error");
    }

    @Test
    void shouldCompleteAChecksumLeftPartialByOffloadBeforeNat() {
        for (Kind kind : new Kind[] {Kind.TCP, Kind.UDP}) {
            byte[] good = TestFrames.build(kind, -1, 0, GUEST_IP, 40000, METADATA_IP, 80, http);
            byte[] partial = good.clone();
            int proto = kind == Kind.TCP ? Ipv4.PROTO_TCP : Ipv4.PROTO_UDP;
            int csumOff = 34 + (kind == Kind.TCP ? Tcp.CHECKSUM : Udp.CHECKSUM);
            // What Linux leaves for the NIC: the folded pseudo-header sum, not complemented.
            Bytes.put16(partial, csumOff,
                    Checksum.fold(Checksum.pseudoHeaderSum(GUEST_IP, METADATA_IP, proto, good.length - 34)));
            parseOk(partial);
            assertTrue(PacketChecksums.completePartialTransportChecksum(partial, p), kind.name());
            assertArrayEquals(good, partial, kind.name());
            parseOk(good);
            assertFalse(PacketChecksums.completePartialTransportChecksum(good, p), kind.name());
        }
        byte[] none = TestFrames.build(Kind.UDP_NO_CHECKSUM, -1, 0, GUEST_IP, 40000, METADATA_IP, 80, http);
        byte[] before = none.clone();
        parseOk(none);
        assertFalse(PacketChecksums.completePartialTransportChecksum(none, p));
        assertArrayEquals(before, none);
        byte[] echo = TestFrames.build(Kind.ECHO_REQUEST, -1, 0, GUEST_IP, 1, METADATA_IP, 0, http);
        parseOk(echo);
        assertFalse(PacketChecksums.completePartialTransportChecksum(echo, p));
    }
}
