package io.vrouter.agent.dataplane;

import static io.vrouter.agent.dataplane.Ipv6Frames.addr;
import static io.vrouter.agent.dataplane.TestFrames.VMAC;
import static io.vrouter.agent.dataplane.TestFrames.dstMac;
import static io.vrouter.agent.dataplane.TestFrames.srcMac;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.dataplane.io.MemoryPacketIo;
import io.vrouter.agent.dataplane.relay.RelayDirectory;
import io.vrouter.agent.port.VmPort;
import io.vrouter.drop.DropReason;
import io.vrouter.flow.FlowTableConfig;
import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.LinkLocalServices;
import io.vrouter.linklocal.registry.LinkLocalRegistry;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * IPv6 metadata (metadata6, fe80::a9fe:a9fe port 80) through the whole pipeline on in-memory
 * packet I/O: neighbour discovery both ways, the NAT to the proxy's IPv6 address on the vhost
 * from the port's IPv6 metadata source, and the reply back; the test plays the proxy's kernel.
 */
@Timeout(30)
class DataplaneIpv6Test {
    static final long KERNEL_MAC = DataplaneTest.KERNEL_MAC;
    static final long MAC_A = DataplaneTest.GUEST_MAC_A;
    static final long MAC_B = DataplaneTest.GUEST_MAC_B;
    static final byte[] SERVICE = addr("fe80::a9fe:a9fe");
    static final byte[] PROXY = addr("fe80::a9fe:ffff");
    /** The same link-local address in both guests: overlapping, as the issue asks. */
    static final byte[] GUEST_LL = addr("fe80::3");
    static final byte[] GET = "GET /openstack HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final LinkLocalRegistry registry = LinkLocalRegistry.builder().build();
    private final MemoryPacketIo vhostIo = new MemoryPacketIo("vh-dp");
    private Dataplane dp;

    @BeforeEach
    void setUp() throws Exception {
        DataplaneConfig cfg = DataplaneConfig.builder((Inet4Address) InetAddress.getByName("198.18.0.5"), KERNEL_MAC)
                .flowTable(FlowTableConfig.builder().capacity(1024).build()).build();
        dp = new Dataplane(cfg, vhostIo, clock::get);
        services(List.of(DataplaneTest.metadataEntry(), metadata6Entry()));
    }

    @AfterEach
    void tearDown() {
        dp.close();
        registry.close();
    }

    static LinkLocalServiceEntry metadata6Entry() {
        return new LinkLocalServiceEntry("metadata6", "fe80::a9fe:a9fe", 80, null, 8775, List.of("127.0.0.1"));
    }

    private void services(List<LinkLocalServiceEntry> entries) throws Exception {
        registry.apply(new LinkLocalServices(entries), "test").get(5, TimeUnit.SECONDS);
        var done = dp.updateServices(registry.snapshot(), RelayDirectory.none(), new long[0]);
        dp.doWork();
        done.get(1, TimeUnit.SECONDS);
    }

    /** A port with the same fixed IPv4 10.0.0.3 as any other, and {@code ip6} ("None": null). */
    static VmPort port(String id, int index, long mac, String ip6) throws Exception {
        return new VmPort(id, "inst-" + id, "vn-" + id, "proj-" + id, "vm " + id,
                (Inet4Address) InetAddress.getByName("10.0.0.3"), ip6, 0, "tap" + id, TestFrames.macText(mac), -1, -1,
                index, (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) 169, (byte) 254, 0, (byte) index}));
    }

    private MemoryPacketIo attach(VmPort p) throws Exception {
        return DataplaneTest.attach(dp, p);
    }

    private static byte[] metadataSource(int index) {
        return addr("fe80::a9fe:" + Integer.toHexString(index));
    }

    // ------------------------------------------------------------------ NDP

    @Test
    void shouldAnswerGuestSolicitationForTheMetadata6AddressWithTheAgentMac() throws Exception {
        MemoryPacketIo a = attach(port("a", 1, MAC_A, null));
        a.receive(Ipv6Frames.solicitation(MAC_A, 255, GUEST_LL, SERVICE, MAC_A));
        dp.doWork();
        byte[] na = a.pollSent();
        assertNotNull(na, "advertisement sent back");
        assertEquals(MAC_A, dstMac(na));
        assertEquals(VMAC, srcMac(na));
        assertEquals(Ipv6Frames.ICMPV6, Ipv6Frames.nextHeader(na));
        assertEquals(136, Ipv6Frames.icmpType(na));
        assertEquals(255, Ipv6Frames.hopLimit(na));
        assertArrayEquals(SERVICE, Ipv6Frames.src(na));
        assertArrayEquals(GUEST_LL, Ipv6Frames.dst(na));
        assertEquals(0x60, na[54 + 4] & 0xff, "solicited and override, not router");
        assertArrayEquals(SERVICE, java.util.Arrays.copyOfRange(na, 54 + 8, 54 + 24), "target");
        assertEquals(2, na[54 + 24], "target link-layer address option");
        assertEquals(VMAC, TestFrames.mac(TestFrames.macText(java.nio.ByteBuffer.wrap(new byte[] {0, 0,
                na[54 + 26], na[54 + 27], na[54 + 28], na[54 + 29], na[54 + 30], na[54 + 31]}).getLong())));
        assertTrue(Ipv6Frames.checksumValid(na), "ICMPv6 checksum");
        assertEquals(1, dp.stats().total("ndp_advertisements"));
    }

    @Test
    void shouldDropSolicitationWithAHopLimitOtherThan255Counted() throws Exception {
        MemoryPacketIo a = attach(port("a", 1, MAC_A, null));
        a.receive(Ipv6Frames.solicitation(MAC_A, 64, GUEST_LL, SERVICE, MAC_A));
        dp.doWork();
        assertNull(a.pollSent());
        assertEquals(1, dp.stats().drops(DropReason.NDP_HOP_LIMIT));
    }

    @Test
    void shouldNotAnswerSolicitationsForOtherTargetsOrWithForeignLinkLayerAddress() throws Exception {
        MemoryPacketIo a = attach(port("a", 1, MAC_A, null));
        a.receive(Ipv6Frames.solicitation(MAC_A, 255, addr("::"), GUEST_LL, -1)); // its own DAD
        a.receive(Ipv6Frames.solicitation(MAC_A, 255, GUEST_LL, addr("fe80::1"), MAC_A));
        a.receive(Ipv6Frames.solicitation(MAC_A, 255, GUEST_LL, SERVICE, MAC_B)); // option not its MAC
        dp.doWork();
        assertNull(a.pollSent());
        assertEquals(2, dp.stats().drops(DropReason.POLICY));
        assertEquals(1, dp.stats().drops(DropReason.SPOOFED_SOURCE));
    }

    @Test
    void solicitationWithAWrongChecksumShouldBeDropped() throws Exception {
        MemoryPacketIo a = attach(port("a", 1, MAC_A, null));
        byte[] ns = Ipv6Frames.solicitation(MAC_A, 255, GUEST_LL, SERVICE, MAC_A);
        ns[56] ^= 1;
        a.receive(ns);
        dp.doWork();
        assertNull(a.pollSent());
        assertEquals(1, dp.stats().drops(DropReason.BAD_NDP));
    }

    @Test
    void shouldAnswerKernelSolicitationForAPortsIpv6MetadataSource() throws Exception {
        attach(port("a", 7, MAC_A, null));
        vhostIo.receive(Ipv6Frames.solicitation(KERNEL_MAC, 255, PROXY, metadataSource(7), KERNEL_MAC));
        dp.doWork();
        byte[] na = vhostIo.pollSent();
        assertNotNull(na);
        assertEquals(KERNEL_MAC, dstMac(na));
        assertArrayEquals(metadataSource(7), Ipv6Frames.src(na));
        assertTrue(Ipv6Frames.checksumValid(na));
        vhostIo.receive(Ipv6Frames.solicitation(KERNEL_MAC, 255, PROXY, addr("fe80::1"), KERNEL_MAC));
        dp.doWork();
        assertNull(vhostIo.pollSent(), "only the ports' metadata sources are the agent's");
    }

    // ------------------------------------------------------------------ metadata6 through the proxy

    /** The guest's request, as the proxy's kernel sees it; then the proxy's answer, as the guest sees it. */
    private byte[] roundTrip(MemoryPacketIo guest, long mac, int index, byte[] body) {
        guest.receive(Ipv6Frames.tcp(mac, VMAC, GUEST_LL, SERVICE, 40000, 80, 0x02, new byte[0]));
        dp.doWork();
        assertNotNull(vhostIo.pollSent(), "SYN forwarded");
        guest.receive(Ipv6Frames.tcp(mac, VMAC, GUEST_LL, SERVICE, 40000, 80, 0x18, GET));
        dp.doWork();
        byte[] out = vhostIo.pollSent();
        assertNotNull(out, "request injected into the vhost");
        assertEquals(KERNEL_MAC, dstMac(out));
        assertEquals(VMAC, srcMac(out));
        assertArrayEquals(metadataSource(index), Ipv6Frames.src(out), "the port's IPv6 metadata source");
        assertEquals(40000, Ipv6Frames.sport(out));
        assertArrayEquals(PROXY, Ipv6Frames.dst(out));
        assertEquals(8097, Ipv6Frames.dport(out));
        assertTrue(Ipv6Frames.checksumValid(out), "TCP checksum over the new pseudo-header");
        assertArrayEquals(GET, Ipv6Frames.payload(out));

        vhostIo.receive(Ipv6Frames.tcp(KERNEL_MAC, VMAC, PROXY, metadataSource(index), 8097, 40000, 0x18, body));
        dp.doWork();
        byte[] back = guest.pollSent();
        assertNotNull(back, "reply delivered to the guest");
        assertEquals(mac, dstMac(back));
        assertArrayEquals(SERVICE, Ipv6Frames.src(back));
        assertEquals(80, Ipv6Frames.sport(back));
        assertArrayEquals(GUEST_LL, Ipv6Frames.dst(back));
        assertEquals(40000, Ipv6Frames.dport(back));
        assertTrue(Ipv6Frames.checksumValid(back));
        return Ipv6Frames.payload(back);
    }

    @Test
    void shouldNatIpv6MetadataRequestToTheProxyAndTheReplyBackToTheGuest() throws Exception {
        MemoryPacketIo a = attach(port("a", 5, MAC_A, "fd00::3"));
        byte[] body = "HTTP/1.1 200 OK\r\n\r\nA".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(body, roundTrip(a, MAC_A, 5, body));
        DataplaneStats s = dp.stats();
        assertEquals(2, s.flows(), "forward + reverse");
        assertEquals(1, s.linkLocalFlows());
    }

    @Test
    void guestsWithTheSameAddressesShouldEachGetTheirOwnReply() throws Exception {
        MemoryPacketIo a = attach(port("a", 5, MAC_A, "fd00::3"));
        MemoryPacketIo b = attach(port("b", 6, MAC_B, "fd00::3"));
        byte[] forA = "HTTP/1.1 200 OK\r\n\r\nA".getBytes(StandardCharsets.US_ASCII);
        byte[] forB = "HTTP/1.1 200 OK\r\n\r\nB".getBytes(StandardCharsets.US_ASCII);
        assertArrayEquals(forA, roundTrip(a, MAC_A, 5, forA));
        assertArrayEquals(forB, roundTrip(b, MAC_B, 6, forB));
        assertNull(a.pollSent(), "nothing of B's reached A");
        assertEquals(4, dp.stats().flows());
    }

    @Test
    void guestsGlobalAddressShouldBeAcceptedAndAnyOtherDroppedAsSpoofed() throws Exception {
        MemoryPacketIo a = attach(port("a", 5, MAC_A, "fd00::3"));
        a.receive(Ipv6Frames.tcp(MAC_A, VMAC, addr("fd00::3"), SERVICE, 40000, 80, 0x02, new byte[0]));
        a.receive(Ipv6Frames.tcp(MAC_A, VMAC, addr("fd00::4"), SERVICE, 40001, 80, 0x02, new byte[0]));
        a.receive(Ipv6Frames.tcp(MAC_A, VMAC, SERVICE, SERVICE, 40002, 80, 0x02, new byte[0]));
        dp.doWork();
        assertNotNull(vhostIo.pollSent());
        assertNull(vhostIo.pollSent());
        assertEquals(2, dp.stats().drops(DropReason.SPOOFED_SOURCE));
    }

    @Test
    void withoutMetadata6TheFlowShouldDropAndAddingItShouldServeTheRetry() throws Exception {
        services(List.of(DataplaneTest.metadataEntry()));
        MemoryPacketIo a = attach(port("a", 5, MAC_A, null));
        a.receive(Ipv6Frames.tcp(MAC_A, VMAC, GUEST_LL, SERVICE, 40000, 80, 0x02, new byte[0]));
        dp.doWork();
        assertNull(vhostIo.pollSent());
        assertEquals(1, dp.stats().drops(DropReason.NO_SERVICE));
        services(List.of(DataplaneTest.metadataEntry(), metadata6Entry()));
        assertEquals(0, dp.stats().flows(), "the drop flow went with the change");
        a.receive(Ipv6Frames.tcp(MAC_A, VMAC, GUEST_LL, SERVICE, 40000, 80, 0x02, new byte[0]));
        dp.doWork();
        assertNotNull(vhostIo.pollSent());
    }

    @Test
    void removingThePortShouldDeleteItsIpv6Flows() throws Exception {
        MemoryPacketIo a = attach(port("a", 5, MAC_A, null));
        a.receive(Ipv6Frames.tcp(MAC_A, VMAC, GUEST_LL, SERVICE, 40000, 80, 0x02, new byte[0]));
        dp.doWork();
        assertEquals(2, dp.stats().flows());
        var gone = dp.removePort("a");
        dp.doWork();
        gone.get(1, TimeUnit.SECONDS);
        assertEquals(0, dp.stats().flows());
        assertEquals(0, dp.flowTable().size());
    }
}
