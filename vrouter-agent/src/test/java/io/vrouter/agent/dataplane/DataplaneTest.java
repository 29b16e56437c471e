package io.vrouter.agent.dataplane;

import static io.vrouter.agent.dataplane.TestFrames.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.dataplane.io.MemoryPacketIo;
import io.vrouter.agent.dataplane.io.PacketIo;
import io.vrouter.agent.dataplane.relay.RelayDirectory;
import io.vrouter.agent.port.VmPort;
import io.vrouter.drop.DropReason;
import io.vrouter.flow.FlowTableConfig;
import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.LinkLocalServices;
import io.vrouter.linklocal.registry.LinkLocalRegistry;
import io.vrouter.linklocal.registry.RegistrySnapshot;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The whole pipeline on in-memory packet I/O, driven cycle by cycle with a fake clock. */
@Timeout(30)
class DataplaneTest {
    static final int VHOST_IP = ip("198.18.0.5");
    static final long KERNEL_MAC = mac("02:aa:00:00:00:01");
    static final int MD_SERVICE = ip("169.254.169.254");
    static final long GUEST_MAC_A = mac("02:00:00:00:00:0a");
    static final long GUEST_MAC_B = mac("02:00:00:00:00:0b");
    static final int GUEST_IP = ip("10.0.0.3");
    static final int GATEWAY = ip("10.0.0.1");
    static final byte[] GET = "GET /latest/meta-data/ HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private LinkLocalRegistry registry;
    private MemoryPacketIo vhostIo;
    private Dataplane dp;

    @BeforeEach
    void setUp() throws Exception {
        registry = LinkLocalRegistry.builder().build();
        start(FlowTableConfig.builder().capacity(1024).build(), DataplaneConfig.DEFAULT_RX_BATCH);
    }

    private void start(FlowTableConfig flows, int rxBatch) throws Exception {
        if (dp != null) {
            dp.close();
        }
        vhostIo = new MemoryPacketIo("vh-dp");
        DataplaneConfig cfg = DataplaneConfig.builder((Inet4Address) InetAddress.getByName("198.18.0.5"), KERNEL_MAC)
                .flowTable(flows).rxBatch(rxBatch).build();
        dp = new Dataplane(cfg, vhostIo, clock::get);
        services(List.of(metadataEntry()), new long[0]);
    }

    @AfterEach
    void tearDown() {
        dp.close();
        registry.close();
    }

    static LinkLocalServiceEntry metadataEntry() {
        return new LinkLocalServiceEntry("metadata", "169.254.169.254", 80, null, 8775, List.of("127.0.0.1"));
    }

    static LinkLocalServiceEntry ntpEntry() {
        return new LinkLocalServiceEntry("ntp", "169.254.1.1", 123, null, 123, List.of("192.0.2.10"));
    }

    private RegistrySnapshot services(List<LinkLocalServiceEntry> entries, long[] affected) throws Exception {
        return services(entries, RelayDirectory.none(), affected);
    }

    private RegistrySnapshot services(List<LinkLocalServiceEntry> entries, RelayDirectory relays, long[] affected)
            throws Exception {
        registry.apply(new LinkLocalServices(entries), "test").get(5, TimeUnit.SECONDS);
        RegistrySnapshot snap = registry.snapshot();
        var done = dp.updateServices(snap, relays, affected);
        dp.doWork();
        done.get(1, TimeUnit.SECONDS);
        return snap;
    }

    static VmPort port(String id, int index, long mac, int ip) throws Exception {
        return new VmPort(id, "inst-" + id, "vn-" + id, "proj-" + id, "vm " + id,
                (Inet4Address) InetAddress.getByAddress(java.nio.ByteBuffer.allocate(4).putInt(ip).array()), null, 0,
                "tap" + id, TestFrames.macText(mac), -1, -1, index,
                (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) 169, (byte) 254, (byte) (index >> 8), (byte) index}));
    }

    private MemoryPacketIo attach(VmPort p) throws Exception {
        return attach(dp, p);
    }

    /** Attaches {@code p} on in-memory I/O, running the cycle that does it. */
    static MemoryPacketIo attach(Dataplane dp, VmPort p) throws Exception {
        MemoryPacketIo io = new MemoryPacketIo(p.systemName());
        var done = dp.addPort(p, io);
        dp.doWork();
        done.get(1, TimeUnit.SECONDS);
        return io;
    }

    private static int md(int index) {
        return ip("169.254.0.0") + index;
    }

    private byte[] guestSyn(long mac, int sport) {
        return tcp(mac, VMAC, GUEST_IP, MD_SERVICE, sport, 80, 0x02, new byte[0]);
    }

    /** The guest's SYN sets up the flow (only a SYN can); what it put on the vhost is discarded. */
    private void connect(MemoryPacketIo io, long mac, int sport) {
        io.receive(guestSyn(mac, sport));
        dp.doWork();
        assertNotNull(vhostIo.pollSent(), "SYN forwarded");
    }

    // ------------------------------------------------------------------ ARP

    /** The guest's gateway and the link-local service address are both the agent's to answer. */
    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "169.254.169.254"})
    void shouldAnswerGuestArpForItsGatewayOrALinkLocalAddressWithTheAgentMac(String target) throws Exception {
        int targetIp = ip(target);
        MemoryPacketIo a = attach(port("a", 1, GUEST_MAC_A, GUEST_IP));
        a.receive(arp(1, GUEST_MAC_A, BROADCAST, GUEST_MAC_A, GUEST_IP, 0, targetIp));
        dp.doWork();
        byte[] reply = a.pollSent();
        assertNotNull(reply);
        assertEquals(2, arpOp(reply));
        assertEquals(VMAC, arpSha(reply));
        assertEquals(targetIp, arpSpa(reply));
        assertEquals(GUEST_MAC_A, dstMac(reply));
        assertEquals(GUEST_IP, arpTpa(reply));
        assertEquals(1, dp.stats().total("arp_replies"));
    }

    @Test
    void shouldNotAnswerAddressProbesOrGratuitousArp() throws Exception {
        MemoryPacketIo a = attach(port("a", 1, GUEST_MAC_A, GUEST_IP));
        a.receive(arp(1, GUEST_MAC_A, BROADCAST, GUEST_MAC_A, 0, 0, GUEST_IP)); // DAD probe
        a.receive(arp(1, GUEST_MAC_A, BROADCAST, GUEST_MAC_A, GUEST_IP, 0, GUEST_IP)); // gratuitous
        dp.doWork();
        assertNull(a.pollSent());
        assertEquals(2, dp.stats().drops(DropReason.POLICY));
    }

    @Test
    void shouldAnswerKernelArpForMetadataAddressesOnTheVhost() throws Exception {
        vhostIo.receive(arp(1, KERNEL_MAC, BROADCAST, KERNEL_MAC, VHOST_IP, 0, md(7)));
        vhostIo.receive(arp(1, KERNEL_MAC, BROADCAST, KERNEL_MAC, VHOST_IP, 0, ip("192.0.2.1")));
        dp.doWork();
        byte[] reply = vhostIo.pollSent();
        assertNotNull(reply);
        assertEquals(VMAC, arpSha(reply));
        assertEquals(md(7), arpSpa(reply));
        assertEquals(KERNEL_MAC, dstMac(reply));
        assertNull(vhostIo.pollSent(), "no answer outside 169.254.0.0/16");
    }

    // ------------------------------------------------------------------ source enforcement

    @Test
    void shouldDropAndCountSpoofedSourceIpMacAndArpSender() throws Exception {
        MemoryPacketIo a = attach(port("a", 1, GUEST_MAC_A, GUEST_IP));
        a.receive(tcp(GUEST_MAC_A, VMAC, ip("10.0.0.99"), MD_SERVICE, 40000, 80, 0x02, new byte[0]));
        a.receive(tcp(GUEST_MAC_B, VMAC, GUEST_IP, MD_SERVICE, 40000, 80, 0x02, new byte[0]));
        a.receive(arp(1, GUEST_MAC_A, BROADCAST, GUEST_MAC_A, ip("10.0.0.99"), 0, GATEWAY));
        a.receive(arp(1, GUEST_MAC_A, BROADCAST, GUEST_MAC_B, GUEST_IP, 0, GATEWAY));
        dp.doWork();
        assertNull(a.pollSent());
        assertNull(vhostIo.pollSent());
        DataplaneStats s = dp.stats();
        assertEquals(4, s.drops(DropReason.SPOOFED_SOURCE));
        assertEquals(0, s.flows());
        assertEquals(4, s.ports().get(0).drops());
    }

    @Test
    void shouldDropMalformedFramesWithTheParsersReason() throws Exception {
        MemoryPacketIo a = attach(port("a", 1, GUEST_MAC_A, GUEST_IP));
        a.receive(new byte[] {1, 2, 3});
        byte[] bad = guestSyn(GUEST_MAC_A, 40000);
        bad[14] = 0x65; // IP version 6 in an IPv4 ethertype
        a.receive(bad);
        dp.doWork();
        DataplaneStats s = dp.stats();
        assertEquals(1, s.drops(DropReason.TRUNCATED));
        assertEquals(1, s.drops(DropReason.BAD_IP_VERSION));
    }

    // ------------------------------------------------------------------ metadata NAT both ways

    @Test
    void shouldNatMetadataRequestToTheProxyAndTheReplyBackToTheGuest() throws Exception {
        MemoryPacketIo a = attach(port("a", 5, GUEST_MAC_A, GUEST_IP));
        connect(a, GUEST_MAC_A, 40000);
        a.receive(tcp(GUEST_MAC_A, VMAC, GUEST_IP, MD_SERVICE, 40000, 80, 0x18, GET));
        dp.doWork();
        byte[] out = vhostIo.pollSent();
        assertNotNull(out, "request injected into the vhost");
        assertEquals(KERNEL_MAC, dstMac(out));
        assertEquals(VMAC, srcMac(out));
        assertEquals(md(5), ipSrc(out));
        assertEquals(40000, srcPort(out));
        assertEquals(VHOST_IP, ipDst(out));
        assertEquals(8097, dstPort(out));
        assertTrue(checksumsValid(out), "checksums updated");
        assertArrayEquals(GET, payload(out));

        byte[] body = "HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        vhostIo.receive(tcp(KERNEL_MAC, VMAC, VHOST_IP, md(5), 8097, 40000, 0x18, body));
        dp.doWork();
        byte[] back = a.pollSent();
        assertNotNull(back, "reply delivered to the guest");
        assertEquals(GUEST_MAC_A, dstMac(back));
        assertEquals(VMAC, srcMac(back));
        assertEquals(MD_SERVICE, ipSrc(back));
        assertEquals(80, srcPort(back));
        assertEquals(GUEST_IP, ipDst(back));
        assertEquals(40000, dstPort(back));
        assertTrue(checksumsValid(back));
        assertArrayEquals(body, payload(back));

        DataplaneStats s = dp.stats();
        assertEquals(2, s.flows(), "forward + reverse");
        assertEquals(1, s.linkLocalFlows());
        assertEquals(2, s.ports().get(0).rxFrames());
        assertEquals(1, s.ports().get(0).txFrames());
    }

    /** What a guest with TX checksum offload hands over: only the pseudo-header sum, not complemented. */
    private static byte[] withPartialChecksum(byte[] f) {
        int l4Len = f.length - 34;
        int sip = ipSrc(f);
        int dip = ipDst(f);
        long sum = (sip >>> 16) + (sip & 0xffff) + (dip >>> 16) + (dip & 0xffff) + 6 + l4Len;
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        f[34 + 16] = (byte) (sum >>> 8);
        f[34 + 17] = (byte) sum;
        return f;
    }

    @Test
    void shouldCompleteThePartialChecksumOfAGuestUsingChecksumOffload() throws Exception {
        MemoryPacketIo a = attach(port("a", 1, GUEST_MAC_A, GUEST_IP));
        connect(a, GUEST_MAC_A, 40000);
        byte[] partial = withPartialChecksum(tcp(GUEST_MAC_A, VMAC, GUEST_IP, MD_SERVICE, 40000, 80, 0x18, GET));
        assertTrue(!checksumsValid(partial));
        a.receive(partial);
        dp.doWork();
        byte[] out = vhostIo.pollSent();
        assertNotNull(out);
        assertTrue(checksumsValid(out), "the host kernel gets a complete checksum");
    }

    @Test
    void shouldKeepAGoodChecksumGoodAndACorruptOneCorrupt() throws Exception {
        MemoryPacketIo a = attach(port("a", 1, GUEST_MAC_A, GUEST_IP));
        connect(a, GUEST_MAC_A, 40000);
        byte[] good = tcp(GUEST_MAC_A, VMAC, GUEST_IP, MD_SERVICE, 40000, 80, 0x18, GET);
        byte[] bad = good.clone();
        bad[bad.length - 1] ^= 0x55; // payload corrupted after the checksum was computed
        a.receive(good);
        a.receive(bad);
        dp.doWork();
        assertTrue(checksumsValid(vhostIo.pollSent()), "incremental update keeps a good checksum good");
        assertTrue(!checksumsValid(vhostIo.pollSent()), "and a bad one bad: only partial checksums are completed");
    }

    @Test
    void shouldKeepGuestsWithTheSameIpOnDifferentNetworksApart() throws Exception {
        MemoryPacketIo a = attach(port("a", 1, GUEST_MAC_A, GUEST_IP));
        MemoryPacketIo b = attach(port("b", 2, GUEST_MAC_B, GUEST_IP));
        a.receive(guestSyn(GUEST_MAC_A, 40000));
        b.receive(guestSyn(GUEST_MAC_B, 40000));
        dp.doWork();
        byte[] fromA = vhostIo.pollSent();
        byte[] fromB = vhostIo.pollSent();
        assertEquals(md(1), ipSrc(fromA));
        assertEquals(md(2), ipSrc(fromB));

        vhostIo.receive(tcp(KERNEL_MAC, VMAC, VHOST_IP, md(2), 8097, 40000, 0x12, new byte[0]));
        dp.doWork();
        assertNull(a.pollSent(), "B's reply never reaches A");
        byte[] toB = b.pollSent();
        assertNotNull(toB);
        assertEquals(GUEST_MAC_B, dstMac(toB));
        assertEquals(0x12, tcpFlags(toB));
    }

    /** Guest A attached, {@code n} packets of one connection to the metadata service received: a SYN, then ACKs; payload i. */
    private void guestAPacketsToMetadata(int n) throws Exception {
        MemoryPacketIo a = attach(port("a", 1, GUEST_MAC_A, GUEST_IP));
        for (int i = 0; i < n; i++) {
            a.receive(tcp(GUEST_MAC_A, VMAC, GUEST_IP, MD_SERVICE, 40000, 80, i == 0 ? 0x02 : 0x10, new byte[] {(byte) i}));
        }
    }

    @Test
    void shouldQueuePacketsInHoldUntilSetUpAndReleaseThemInOrder() throws Exception {
        guestAPacketsToMetadata(3);
        dp.doWork();
        for (int i = 0; i < 3; i++) {
            byte[] out = vhostIo.pollSent();
            assertNotNull(out, "held packet " + i + " released");
            assertArrayEquals(new byte[] {(byte) i}, payload(out));
        }
        assertNull(vhostIo.pollSent());
    }

    @Test
    void shouldDropPacketWhenHoldQueueIsFull() throws Exception {
        guestAPacketsToMetadata(5);
        dp.doWork();
        assertEquals(FlowTableConfig.DEFAULT_HOLD_QUEUE_LENGTH, vhostIo.sentCount());
        assertEquals(5 - FlowTableConfig.DEFAULT_HOLD_QUEUE_LENGTH, dp.stats().drops(DropReason.HOLD_QUEUE_FULL));
    }

    @Test
    void shouldRefuseNewFlowsBeyondTheHoldLimit() throws Exception {
        start(FlowTableConfig.builder().capacity(1024).maxHoldFlows(2).build(), DataplaneConfig.DEFAULT_RX_BATCH);
        MemoryPacketIo a = attach(port("a", 1, GUEST_MAC_A, GUEST_IP));
        for (int i = 0; i < 3; i++) {
            a.receive(guestSyn(GUEST_MAC_A, 40000 + i));
        }
        dp.doWork();
        assertEquals(2, vhostIo.sentCount());
        assertEquals(1, dp.stats().drops(DropReason.HOLD_LIMIT));
    }

    @Test
    void shouldDropOverTheLinkLocalFlowLimitAndCountIt() throws Exception {
        start(FlowTableConfig.builder().capacity(1024).maxVmLinkLocalFlows(1).build(), DataplaneConfig.DEFAULT_RX_BATCH);
        MemoryPacketIo a = attach(port("a", 1, GUEST_MAC_A, GUEST_IP));
        a.receive(guestSyn(GUEST_MAC_A, 40000));
        a.receive(guestSyn(GUEST_MAC_A, 40001));
        dp.doWork();
        assertEquals(1, vhostIo.sentCount());
        long refused = dp.stats().drops(DropReason.LINKLOCAL_FLOW_LIMIT);
        assertTrue(refused >= 1, "the refusal (and its held packet) counted");
        a.receive(guestSyn(GUEST_MAC_A, 40001)); // retry hits the DROP flow in the fast path
        dp.doWork();
        assertEquals(1, vhostIo.sentCount());
        assertEquals(refused + 1, dp.stats().drops(DropReason.LINKLOCAL_FLOW_LIMIT));
    }

    @Test
    void shouldCountFramesTheCaptureDroppedPerPortAndInTotal() throws Exception {
        MemoryPacketIo a = new MemoryPacketIo("tapa", 2);
        var done = dp.addPort(port("a", 1, GUEST_MAC_A, GUEST_IP), a);
        dp.doWork();
        done.get(1, TimeUnit.SECONDS);
        for (int i = 0; i < 5; i++) {
            a.receive(arp(1, GUEST_MAC_A, BROADCAST, GUEST_MAC_A, GUEST_IP, 0, GATEWAY));
        }
        dp.doWork();
        assertEquals(2, a.sentCount());
        assertEquals(3, dp.stats().total("guest_capture_drops"));
        assertEquals(3, dp.stats().ports().get(0).rxErrors());
    }

    @Test
    void shouldTakeAtMostABatchFromOnePortPerCycleSoOthersAreServed() throws Exception {
        start(FlowTableConfig.builder().capacity(1024).build(), 2);
        MemoryPacketIo a = attach(port("a", 1, GUEST_MAC_A, GUEST_IP));
        MemoryPacketIo b = attach(port("b", 2, GUEST_MAC_B, ip("10.0.0.4")));
        for (int i = 0; i < 5; i++) {
            a.receive(arp(1, GUEST_MAC_A, BROADCAST, GUEST_MAC_A, GUEST_IP, 0, GATEWAY));
        }
        b.receive(arp(1, GUEST_MAC_B, BROADCAST, GUEST_MAC_B, ip("10.0.0.4"), 0, GATEWAY));
        dp.doWork();
        assertEquals(2, a.sentCount(), "a batch of 2 from the busy port");
        assertEquals(1, b.sentCount(), "the other port served in the same cycle");
        dp.doWork();
        dp.doWork();
        assertEquals(5, a.sentCount(), "the rest on the next cycles, none lost");
    }

    // ------------------------------------------------------------------ policy

    @Test
    void shouldInstallDropFlowForAddressThatIsNoService() throws Exception {
        MemoryPacketIo a = attach(port("a", 1, GUEST_MAC_A, GUEST_IP));
        a.receive(tcp(GUEST_MAC_A, VMAC, GUEST_IP, VHOST_IP, 40000, 8097, 0x02, new byte[0]));
        a.receive(tcp(GUEST_MAC_A, VMAC, GUEST_IP, ip("127.0.0.1"), 40001, 22, 0x02, new byte[0]));
        dp.doWork();
        assertNull(vhostIo.pollSent(), "the guest cannot reach the vhost address or host ports directly");
        assertEquals(2, dp.stats().drops(DropReason.NO_SERVICE));
        a.receive(tcp(GUEST_MAC_A, VMAC, GUEST_IP, VHOST_IP, 40000, 8097, 0x02, new byte[0]));
        dp.doWork();
        assertEquals(3, dp.stats().drops(DropReason.NO_SERVICE), "retransmission dropped by the DROP flow");
        assertNull(vhostIo.pollSent());
    }

    @Test
    void shouldDropUnsolicitedVhostTraffic() throws Exception {
        attach(port("a", 1, GUEST_MAC_A, GUEST_IP));
        vhostIo.receive(tcp(KERNEL_MAC, VMAC, VHOST_IP, md(1), 8097, 40000, 0x12, new byte[0]));
        vhostIo.receive(icmpEcho(KERNEL_MAC, VMAC, VHOST_IP, md(1)));
        dp.doWork();
        assertEquals(2, dp.stats().drops(DropReason.POLICY));
    }

    @Test
    void shouldDropGuestIcmpToLinkLocalAddresses() throws Exception {
        MemoryPacketIo a = attach(port("a", 1, GUEST_MAC_A, GUEST_IP));
        a.receive(icmpEcho(GUEST_MAC_A, VMAC, GUEST_IP, MD_SERVICE));
        dp.doWork();
        assertNull(vhostIo.pollSent());
        assertNull(a.pollSent());
        assertEquals(1, dp.stats().drops(DropReason.POLICY));
        assertEquals(0, dp.stats().flows());
    }

    // ------------------------------------------------------------------ services

    @Test
    void shouldSendNonMetadataServiceToItsRelayOverTcpAndUdp() throws Exception {
        RelayDirectory relays = (name, proto) -> name.equals("ntp") ? (proto == 17 ? 41000 : 42000) : 0;
        services(List.of(metadataEntry(), ntpEntry()), relays, new long[0]);
        MemoryPacketIo a = attach(port("a", 3, GUEST_MAC_A, GUEST_IP));
        a.receive(udp(GUEST_MAC_A, VMAC, GUEST_IP, ip("169.254.1.1"), 5555, 123, new byte[] {1, 2, 3}));
        a.receive(tcp(GUEST_MAC_A, VMAC, GUEST_IP, ip("169.254.1.1"), 5556, 123, 0x02, new byte[0]));
        dp.doWork();
        byte[] u = vhostIo.pollSent();
        assertEquals(17, ipProto(u));
        assertEquals(md(3), ipSrc(u));
        assertEquals(VHOST_IP, ipDst(u));
        assertEquals(41000, dstPort(u));
        assertTrue(checksumsValid(u));
        byte[] t = vhostIo.pollSent();
        assertEquals(42000, dstPort(t));

        vhostIo.receive(udp(KERNEL_MAC, VMAC, VHOST_IP, md(3), 41000, 5555, new byte[] {9}));
        dp.doWork();
        byte[] back = a.pollSent();
        assertEquals(ip("169.254.1.1"), ipSrc(back));
        assertEquals(123, srcPort(back));
        assertEquals(5555, dstPort(back));
        assertTrue(checksumsValid(back));
    }

    @Test
    void udpToTheMetadataAddressShouldBeDroppedWhileOtherServicesKeepUdp() throws Exception {
        RelayDirectory relays = (name, proto) -> name.equals("ntp") ? (proto == 17 ? 41000 : 42000) : 0;
        services(List.of(metadataEntry(), ntpEntry()), relays, new long[0]);
        MemoryPacketIo a = attach(port("a", 3, GUEST_MAC_A, GUEST_IP));
        a.receive(udp(GUEST_MAC_A, VMAC, GUEST_IP, MD_SERVICE, 5555, 80, new byte[] {1}));
        a.receive(udp(GUEST_MAC_A, VMAC, GUEST_IP, MD_SERVICE, 5555, 80, new byte[] {2})); // hits the drop flow
        a.receive(udp(GUEST_MAC_A, VMAC, GUEST_IP, ip("169.254.1.1"), 5555, 123, new byte[] {3}));
        dp.doWork();
        byte[] out = vhostIo.pollSent();
        assertNotNull(out);
        assertEquals(41000, dstPort(out), "NTP over UDP relayed");
        assertNull(vhostIo.pollSent(), "nothing of the metadata address reaches the host over UDP");
        assertEquals(2, dp.stats().drops(DropReason.NO_SERVICE));
    }

    @Test
    void tcpPacketsThatCannotStartAConnectionShouldCreateNoFlowAndBeCounted() throws Exception {
        MemoryPacketIo a = attach(port("a", 1, GUEST_MAC_A, GUEST_IP));
        int[] flags = {0x03, 0x29, 0xFF, 0x00, 0x04, 0x10, 0x14, 0x12};  // SYN+FIN, XMAS, all, NULL, RST, ACK, RST+ACK, SYN+ACK
        for (int i = 0; i < flags.length; i++) {
            a.receive(tcp(GUEST_MAC_A, VMAC, GUEST_IP, MD_SERVICE, 40000 + i, 80, flags[i], new byte[0]));
        }
        dp.doWork();
        assertNull(vhostIo.pollSent());
        DataplaneStats s = dp.stats();
        assertEquals(flags.length, s.drops(DropReason.TCP_NOT_SYN));
        assertEquals(0, s.flows());
        assertEquals(flags.length, s.ports().get(0).drops());
    }

    @Test
    void aGuestStartingFlowsTooFastShouldBeThrottledWhileAnotherGuestIsServed() throws Exception {
        start(FlowTableConfig.builder().capacity(1024).newFlowsPerSecond(10).newFlowBurst(5).build(), DataplaneConfig.DEFAULT_RX_BATCH);
        MemoryPacketIo a = attach(port("a", 1, GUEST_MAC_A, GUEST_IP));
        MemoryPacketIo b = attach(port("b", 2, GUEST_MAC_B, GUEST_IP));
        for (int i = 0; i < 50; i++) {
            a.receive(guestSyn(GUEST_MAC_A, 20000 + i));
        }
        b.receive(guestSyn(GUEST_MAC_B, 40000));
        dp.doWork();
        dp.doWork();
        assertEquals(45, dp.stats().drops(DropReason.NEW_FLOW_RATE_LIMIT));
        assertEquals(6, vhostIo.sentCount(), "a's burst of 5 and b's SYN");
        assertEquals(2, dp.flowTable().interfaceFlowCount(2));
    }

    @Test
    void aTsoSuperFrameShouldReachTheVhostAsSegmentsThatFitItsMtu() throws Exception {
        MemoryPacketIo a = attach(port("a", 5, GUEST_MAC_A, GUEST_IP));
        connect(a, GUEST_MAC_A, 40000);
        byte[] body = new byte[7000];
        new java.util.Random(5).nextBytes(body);
        a.receive(withPartialChecksum(tcp(GUEST_MAC_A, VMAC, GUEST_IP, MD_SERVICE, 40000, 80, 0x18, body)));
        dp.doWork();
        java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
        int segments = 0;
        for (byte[] out = vhostIo.pollSent(); out != null; out = vhostIo.pollSent()) {
            segments++;
            assertTrue(out.length <= DataplaneConfig.DEFAULT_VHOST_MTU + 14, "segment of " + out.length + " bytes");
            assertTrue(checksumsValid(out), "segment " + segments + " checksums complete");
            assertEquals(md(5), ipSrc(out));
            assertEquals(8097, dstPort(out));
            joined.writeBytes(payload(out));
        }
        assertEquals(5, segments);
        assertArrayEquals(body, joined.toByteArray());
        assertEquals(1, dp.stats().total("guest_super_frames"));
    }

    @Test
    void anOversizedUdpDatagramShouldBeDroppedAsOversized() throws Exception {
        RelayDirectory relays = (name, proto) -> name.equals("ntp") ? 41000 : 0;
        services(List.of(metadataEntry(), ntpEntry()), relays, new long[0]);
        MemoryPacketIo a = attach(port("a", 3, GUEST_MAC_A, GUEST_IP));
        a.receive(udp(GUEST_MAC_A, VMAC, GUEST_IP, ip("169.254.1.1"), 5555, 123, new byte[3000]));
        dp.doWork();
        assertNull(vhostIo.pollSent());
        assertEquals(1, dp.stats().drops(DropReason.OVERSIZED));
    }

    @Test
    void shouldDropWhenAServiceHasNoRelay() throws Exception {
        services(List.of(metadataEntry(), ntpEntry()), RelayDirectory.none(), new long[0]);
        MemoryPacketIo a = attach(port("a", 3, GUEST_MAC_A, GUEST_IP));
        a.receive(udp(GUEST_MAC_A, VMAC, GUEST_IP, ip("169.254.1.1"), 5555, 123, new byte[] {1}));
        dp.doWork();
        assertNull(vhostIo.pollSent());
        assertEquals(1, dp.stats().drops(DropReason.SERVICE_UNAVAILABLE));
    }

    @Test
    void shouldDeleteFlowsOfARemovedServiceAndServeAnAddedOneAtOnce() throws Exception {
        services(List.of(), new long[] {Dataplane.serviceKey(MD_SERVICE, 80)});
        MemoryPacketIo a = attach(port("a", 1, GUEST_MAC_A, GUEST_IP));
        a.receive(guestSyn(GUEST_MAC_A, 40000));
        dp.doWork();
        assertEquals(1, dp.stats().drops(DropReason.NO_SERVICE), "no service yet");

        services(List.of(metadataEntry()), new long[] {Dataplane.serviceKey(MD_SERVICE, 80)});
        assertEquals(0, dp.stats().flows(), "the NO_SERVICE drop flow is gone with the new service");
        a.receive(guestSyn(GUEST_MAC_A, 40000)); // the guest's SYN retransmission
        dp.doWork();
        assertNotNull(vhostIo.pollSent(), "served as soon as the service exists");
        assertEquals(2, dp.stats().flows());

        services(List.of(), new long[] {Dataplane.serviceKey(MD_SERVICE, 80)});
        assertEquals(0, dp.stats().flows(), "flows of the removed service deleted");
        a.receive(tcp(GUEST_MAC_A, VMAC, GUEST_IP, MD_SERVICE, 40000, 80, 0x10, new byte[0]));
        a.receive(guestSyn(GUEST_MAC_A, 40001));
        dp.doWork();
        assertNull(vhostIo.pollSent());
        assertEquals(1, dp.stats().drops(DropReason.TCP_NOT_SYN), "an ACK without a flow creates nothing");
        assertEquals(2, dp.stats().drops(DropReason.NO_SERVICE));
    }

    // ------------------------------------------------------------------ aging and ports

    @Test
    void shouldAgeIdleFlowsAndDropLateReplies() throws Exception {
        MemoryPacketIo a = attach(port("a", 1, GUEST_MAC_A, GUEST_IP));
        a.receive(guestSyn(GUEST_MAC_A, 40000));
        dp.doWork();
        assertEquals(2, dp.stats().flows());
        clock.addAndGet(FlowTableConfig.DEFAULT_IDLE_TIMEOUT_NS + TimeUnit.SECONDS.toNanos(2));
        dp.doWork();
        dp.doWork();
        assertEquals(0, dp.stats().flows());
        vhostIo.receive(tcp(KERNEL_MAC, VMAC, VHOST_IP, md(1), 8097, 40000, 0x12, new byte[0]));
        dp.doWork();
        assertNull(a.pollSent());
        assertEquals(1, dp.stats().drops(DropReason.POLICY));
    }

    @Test
    void shouldDeleteAPortsFlowsWhenItIsRemovedAndHandBackItsIo() throws Exception {
        VmPort pa = port("a", 1, GUEST_MAC_A, GUEST_IP);
        MemoryPacketIo a = attach(pa);
        a.receive(guestSyn(GUEST_MAC_A, 40000));
        dp.doWork();
        assertEquals(2, dp.stats().flows());
        var removed = dp.removePort("a");
        dp.doWork();
        PacketIo io = removed.get(1, TimeUnit.SECONDS);
        assertSame(a, io);
        assertEquals(0, dp.stats().flows());
        assertTrue(dp.stats().ports().isEmpty());
        vhostIo.receive(tcp(KERNEL_MAC, VMAC, VHOST_IP, md(1), 8097, 40000, 0x12, new byte[0]));
        dp.doWork();
        assertNull(a.pollSent());
        var again = dp.removePort("a");
        dp.doWork();
        assertNull(again.get(1, TimeUnit.SECONDS), "unknown port: nothing to hand back");
    }

    @Test
    void shouldRejectPortsWithBadMacOrAnIndexInUse() throws Exception {
        attach(port("a", 1, GUEST_MAC_A, GUEST_IP));
        var taken = dp.addPort(port("b", 1, GUEST_MAC_B, GUEST_IP), new MemoryPacketIo("tapb"));
        VmPort bad = new VmPort("c", "i", "v", "p", "d", (Inet4Address) InetAddress.getByName("10.0.0.4"), null, 0,
                "tapc", "not-a-mac", -1, -1, 3, (Inet4Address) InetAddress.getByName("169.254.0.3"));
        var badMac = dp.addPort(bad, new MemoryPacketIo("tapc"));
        VmPort wrongMd = new VmPort("d", "i", "v", "p", "d", (Inet4Address) InetAddress.getByName("10.0.0.4"), null, 0,
                "tapd", "02:00:00:00:00:0d", -1, -1, 4, (Inet4Address) InetAddress.getByName("169.254.0.9"));
        var badMd = dp.addPort(wrongMd, new MemoryPacketIo("tapd"));
        dp.doWork();
        ExecutionException e1 = assertThrows(ExecutionException.class, () -> taken.get(1, TimeUnit.SECONDS));
        assertTrue(e1.getCause().getMessage().contains("already used by port a"), e1.getCause().getMessage());
        ExecutionException e2 = assertThrows(ExecutionException.class, () -> badMac.get(1, TimeUnit.SECONDS));
        assertTrue(e2.getCause().getMessage().contains("mac-address"), e2.getCause().getMessage());
        ExecutionException e3 = assertThrows(ExecutionException.class, () -> badMd.get(1, TimeUnit.SECONDS));
        assertTrue(e3.getCause().getMessage().contains("metadataIp"), e3.getCause().getMessage());
        assertEquals(1, dp.stats().ports().size());
    }

    @Test
    void shouldDropTrafficOfAPortWithoutAMetadataIp() throws Exception {
        VmPort p = new VmPort("n", "i", "v", "p", "d", (Inet4Address) InetAddress.getByName("10.0.0.3"), null, 0,
                "tapn", "02:00:00:00:00:0a", -1, -1, 9, null);
        MemoryPacketIo a = attach(p);
        a.receive(guestSyn(GUEST_MAC_A, 40000));
        dp.doWork();
        assertNull(vhostIo.pollSent());
        assertEquals(1, dp.stats().drops(DropReason.NO_METADATA_IP));
    }

    @Test
    void shouldRunOnItsOwnThreadAndFailCommandsAfterClose() throws Exception {
        dp.start();
        MemoryPacketIo a = new MemoryPacketIo("tapa");
        dp.addPort(port("a", 1, GUEST_MAC_A, GUEST_IP), a).get(5, TimeUnit.SECONDS);
        a.receive(guestSyn(GUEST_MAC_A, 40000));
        byte[] out = vhostIo.pollSent(5000);
        assertNotNull(out, "the dataplane thread woke up and forwarded");
        dp.close();
        assertTrue(a.isClosed(), "ports' I/O closed with the dataplane");
        assertThrows(ExecutionException.class, () -> dp.removePort("a").get(1, TimeUnit.SECONDS));
    }

    /**
     * The wake-up protocol ({@link DataplaneIdleStrategy}): with a 1 s park, every frame offered
     * while the dataplane thread is parked must be handled at once, not when the park times out.
     */
    @Test
    void aParkedDataplaneThreadShouldWakeForEveryFrame() throws Exception {
        dp.close();
        vhostIo = new MemoryPacketIo("vh-dp");
        dp = new Dataplane(DataplaneConfig.builder((Inet4Address) InetAddress.getByName("198.18.0.5"), KERNEL_MAC)
                .idleParkNs(1_000_000_000L).busyPollNs(0).build(), vhostIo, System::nanoTime);
        dp.start();
        MemoryPacketIo a = new MemoryPacketIo("tapa");
        dp.addPort(port("a", 1, GUEST_MAC_A, GUEST_IP), a).get(5, TimeUnit.SECONDS);
        Thread thread = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(Dataplane.ROLE_NAME)).findFirst().orElseThrow();
        for (int i = 0; i < 20; i++) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!sleepsInTheSelector(thread)) {
                assertTrue(System.nanoTime() < deadline, "the dataplane thread never went to sleep");
                Thread.sleep(1);
            }
            long t0 = System.nanoTime();
            a.receive(arp(1, GUEST_MAC_A, BROADCAST, GUEST_MAC_A, GUEST_IP, 0, GATEWAY));
            assertNotNull(a.pollSent(2000), "ARP answered");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(ms < 500, "frame " + i + " waited " + ms + " ms: the parked thread was not woken");
        }
    }

    /** Asleep in {@code epoll_wait} (a native call: the thread's state stays RUNNABLE). */
    private static boolean sleepsInTheSelector(Thread t) {
        StackTraceElement[] st = t.getStackTrace();
        return st.length > 0 && st[0].getMethodName().equals("epoll_wait");
    }
}
