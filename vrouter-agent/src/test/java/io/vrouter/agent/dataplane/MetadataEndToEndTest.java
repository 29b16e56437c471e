package io.vrouter.agent.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.dataplane.io.CapturePump;
import io.vrouter.agent.dataplane.io.PcapPacketIo;
import io.vrouter.drop.DropReason;
import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * End to end on real namespaces and pcap (root only): guests curl 169.254.169.254 and get their
 * own metadata from the nova stand-in through the dataplane's NAT and the metadata proxy.
 */
@Timeout(120)
class MetadataEndToEndTest {
    private static ComputeNodeFixture node;

    @BeforeAll
    static void startNode() throws Exception {
        node = ComputeNodeFixture.startOrSkip();
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    /** Nova's EC2-style instance id, as the stand-in derives it from the UUID. */
    static String ec2Id(ComputeNodeFixture.Vm vm) {
        return String.format("i-%08x", vm.instance().uuid().hashCode());
    }

    @Test
    void aResponseTheProxyClosesOnShouldCarryTheFinSoTheGuestNeverClosesFirst() throws Exception {
        ComputeNodeFixture.Vm a = node.addGuest("10.0.9.3");
        node.awaitAttached();
        BlockingQueue<byte[]> fromProxy = new LinkedBlockingQueue<>();
        // The proxy's FIN, as it sent it, reaches the vhost's agent end also with the fast path on.
        try (PcapPacketIo io = PcapPacketIo.open(node.vhostName + "-dp");
             CapturePump pump = CapturePump.start(io, f -> {
                 if (TestFrames.isIpv4(f) && TestFrames.ipProto(f) == 6
                         && TestFrames.srcPort(f) == ComputeNodeFixture.PROXY_PORT && (tcpFlags(f) & 0x01) != 0) {
                     fromProxy.add(f);
                 }
             })) {
            var r = a.guest().exec(Duration.ofSeconds(20), "curl", "-s", "-m", "10", "-H", "Connection: close",
                    "http://169.254.169.254/latest/meta-data/instance-id");
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals(ec2Id(a), r.stdout());
            byte[] fin = fromProxy.poll(5, TimeUnit.SECONDS);
            assertTrue(fin != null, "the proxy's FIN");
            assertTrue(tcpPayload(fin) > 0, "the FIN rides on the response's last segment, not after it");
        }
        var tw = a.guest().exec(Duration.ofSeconds(5), "ss", "-tanH", "state", "time-wait");
        assertEquals("", tw.stdout().strip(), "the guest closed second: no port held in TIME_WAIT");
    }

    private static int tcpFlags(byte[] f) {
        return f[14 + (f[14] & 0x0f) * 4 + 13] & 0xff;
    }

    private static int tcpPayload(byte[] f) {
        int ipLen = (f[16] & 0xff) << 8 | (f[17] & 0xff);
        int ihl = (f[14] & 0x0f) * 4;
        return ipLen - ihl - ((f[14 + ihl + 12] & 0xf0) >> 2);
    }

    @Test
    void guestsWithTheSameIpOnDifferentNetworksEachGetTheirOwnMetadata() throws Exception {
        ComputeNodeFixture.Vm a = node.addGuest("10.0.0.3");
        ComputeNodeFixture.Vm b = node.addGuest("10.0.0.3");
        node.awaitAttached();

        ComputeNodeFixture.HostResult ra = a.curl("/latest/meta-data/instance-id");
        assertEquals(0, ra.exitCode(), "curl in guest a: " + ra);
        assertEquals("200", ra.status(), ra.toString());
        assertEquals(ec2Id(a), ra.body());

        ComputeNodeFixture.HostResult rb = b.curl("/latest/meta-data/instance-id");
        assertEquals("200", rb.status(), rb.toString());
        assertEquals(ec2Id(b), rb.body());

        ComputeNodeFixture.HostResult ja = a.curl("/openstack/latest/meta_data.json");
        assertEquals("200", ja.status(), ja.toString());
        assertTrue(ja.body().contains("\"uuid\": \"" + a.instance().uuid() + "\"")
                || ja.body().contains("\"uuid\":\"" + a.instance().uuid() + "\""), ja.body());

        ComputeNodeFixture.HostResult ua = a.curl("/latest/user-data");
        assertEquals("200", ua.status(), ua.toString());
        assertEquals(a.instance().userData(), ua.body());
        ComputeNodeFixture.HostResult ub = b.curl("/latest/user-data");
        assertEquals(b.instance().userData(), ub.body());

        ComputeNodeFixture.HostResult ip = a.curl("/latest/meta-data/local-ipv4");
        assertEquals("10.0.0.3", ip.body());
    }

    @Test
    void forgedIdentityHeadersFromAGuestHaveNoEffect() throws Exception {
        ComputeNodeFixture.Vm a = node.addGuest("10.1.0.3");
        ComputeNodeFixture.Vm victim = node.addGuest("10.1.0.4");
        node.awaitAttached();
        var r = a.guest().exec(Duration.ofSeconds(20), "curl", "-s", "-m", "10",
                "-H", "X-Instance-ID: " + victim.instance().uuid(),
                "-H", "X-Tenant-ID: " + victim.instance().projectId(),
                "-H", "X-Forwarded-For: 10.1.0.4",
                "-H", "X-Instance-ID-Signature: " + node.nova.expectedSignature(victim.instance().uuid()),
                "http://169.254.169.254/latest/meta-data/instance-id");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(ec2Id(a), r.stdout(), "the guest gets its own identity, never the one it claims");
    }

    @Test
    void spoofedSourceAddressIsDroppedAndCounted() throws Exception {
        ComputeNodeFixture.Vm a = node.addGuest("10.2.0.3");
        node.awaitAttached();
        a.guest().exec(Duration.ofSeconds(5), "ip", "addr", "add", "10.2.0.99/24", "dev", "eth0").check();
        long before = node.dataplane.stats().drops(DropReason.SPOOFED_SOURCE);
        var r = a.guest().exec(Duration.ofSeconds(20), "curl", "-s", "-m", "3", "--interface", "10.2.0.99",
                "http://169.254.169.254/latest/meta-data/instance-id");
        assertTrue(r.exitCode() != 0, "a request from a forged source gets no answer: " + r);
        assertTrue(node.dataplane.stats().drops(DropReason.SPOOFED_SOURCE) > before, "counted as SPOOFED_SOURCE");
        // The guest's ARP from the forged address was refused too: forget it and use the real one.
        a.guest().exec(Duration.ofSeconds(5), "ip", "addr", "del", "10.2.0.99/24", "dev", "eth0").check();
        a.guest().exec(Duration.ofSeconds(5), "ip", "neigh", "flush", "dev", "eth0").check();
        assertEquals("200", a.curl("/latest/meta-data/instance-id").status(), "its real address still works");
    }

    @Test
    void guestCannotReachHostPortsExceptThroughLinkLocalFlows() throws Exception {
        ComputeNodeFixture.Vm a = node.addGuest("10.3.0.3");
        node.awaitAttached();
        try (EchoServers loopback = new EchoServers(InetAddress.getLoopbackAddress(), "lo");
             EchoServers onVhost = new EchoServers(node.vhostIp, "vhost")) {
            long before = node.dataplane.stats().drops(DropReason.NO_SERVICE);
            for (String target : new String[] {
                "127.0.0.1:" + loopback.port(), node.vhostIp.getHostAddress() + ":" + onVhost.port(),
                node.vhostIp.getHostAddress() + ":" + ComputeNodeFixture.PROXY_PORT,
                "127.0.0.1:" + node.nova.address().getPort()}) {
                var r = a.guest().exec(Duration.ofSeconds(20), "curl", "-s", "-m", "2", "http://" + target + "/");
                assertTrue(r.exitCode() != 0, "guest reached " + target + ": " + r);
            }
            assertEquals(0, loopback.tcpConnections.get());
            assertEquals(0, onVhost.tcpConnections.get());
            assertTrue(node.dataplane.stats().drops(DropReason.NO_SERVICE) > before, "vhost-bound attempts: NO_SERVICE");
            assertEquals("200", a.curl("/latest/meta-data/instance-id").status(), "link-local flows still work");
        }
    }

    private static String flows() {
        StringBuilder sb = new StringBuilder();
        var t = node.dataplane.dataplane().flowTable();
        var snap = new io.vrouter.flow.FlowSnapshot();
        for (int i = 0; i < t.capacity(); i++) {
            if (t.read(i, snap)) {
                sb.append("\n  ").append(snap);
            }
        }
        return sb.toString();
    }

    /** bash's /dev/tcp: send a line, read the first line back. */
    private static String tcpExchange(ComputeNodeFixture.Vm vm, String ip, int port, String line) {
        return tcpExchange(vm, ip, port, line, 8);
    }

    private static String tcpExchange(ComputeNodeFixture.Vm vm, String ip, int port, String line, int timeoutSeconds) {
        var r = vm.guest().exec(Duration.ofSeconds(15), "timeout", Integer.toString(timeoutSeconds), "bash", "-c",
                "exec 3<>/dev/tcp/" + ip + "/" + port + " && echo " + line + " >&3 && read -t 5 -r reply <&3 && echo \"$reply\"");
        return r.ok() ? r.stdout().strip() : "FAILED(" + r.exitCode() + ")";
    }

    /**
     * bash's /dev/udp: send a datagram, read the answer with one read(2) (dd count=1; bash's own
     * read takes a byte at a time, which on a datagram socket discards the rest of the datagram).
     */
    private static String udpExchange(ComputeNodeFixture.Vm vm, String ip, int port, String line) {
        var r = vm.guest().exec(Duration.ofSeconds(15), "timeout", "5", "bash", "-c",
                "exec 3<>/dev/udp/" + ip + "/" + port + " && echo " + line + " >&3 && dd bs=2048 count=1 <&3 2>/dev/null");
        return r.ok() ? r.stdout().strip() : "FAILED(" + r.exitCode() + ")";
    }

    @Test
    void tcpAndUdpServicesAreRelayedAndFollowLiveAddAndRemove() throws Exception {
        ComputeNodeFixture.Vm a = node.addGuest("10.4.0.3");
        node.awaitAttached();
        // On this node but not on loopback (refused as a fabric target): the vhost address.
        try (EchoServers echo = new EchoServers(node.vhostIp, "echo")) {
            assertTrue(tcpExchange(a, "169.254.10.10", 7, "early", 2).startsWith("FAILED"), "no service yet");

            node.setExtraServices(List.of(new LinkLocalServiceEntry("echo", "169.254.10.10", 7, null, echo.port(),
                    List.of(node.vhostIp.getHostAddress()))));
            assertEquals("echo:hello", tcpExchange(a, "169.254.10.10", 7, "hello"), "TCP relayed once added");
            String udp = udpExchange(a, "169.254.10.10", 7, "ping");
            assertEquals("echo:ping", udp, () -> "UDP relayed; echo saw " + echo.udpDatagrams.get() + " datagrams; "
                    + node.dataplane.stats() + " flows " + flows());
            assertTrue(echo.tcpConnections.get() >= 1 && echo.udpDatagrams.get() >= 1);

            node.setExtraServices(List.of());
            assertTrue(tcpExchange(a, "169.254.10.10", 7, "late", 2).startsWith("FAILED"), "removed service unreachable");
            assertTrue(node.dataplane.relays().services().isEmpty(), "its relays stopped");
            assertEquals("200", a.curl("/latest/meta-data/instance-id").status(), "metadata unaffected");
        }
    }

    @Test
    void aGuestUsingChecksumOffloadIsStillServed() throws Exception {
        ComputeNodeFixture.Vm a = node.addGuest("10.5.0.3");
        node.awaitAttached();
        // veth's default: the guest hands frames over with only the pseudo-header checksum
        a.guest().exec(Duration.ofSeconds(5), "ethtool", "-K", "eth0", "tx", "on", "tso", "on", "gso", "on").check();
        ComputeNodeFixture.HostResult r = a.curl("/latest/meta-data/instance-id");
        assertEquals("200", r.status(), r.toString());
        assertEquals(ec2Id(a), r.body());
        assertEquals(a.instance().userData(), a.curl("/latest/user-data").body());
    }
}
