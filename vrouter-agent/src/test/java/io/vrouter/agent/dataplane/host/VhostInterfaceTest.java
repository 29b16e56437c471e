package io.vrouter.agent.dataplane.host;

import static io.vrouter.agent.dataplane.TestFrames.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.dataplane.io.CapturePump;
import io.vrouter.agent.dataplane.io.PcapPacketIo;
import io.vrouter.agent.netns.NetnsExtension;
import io.vrouter.agent.netns.NetnsHarness;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(60)
class VhostInterfaceTest {
    @RegisterExtension
    static final NetnsExtension NETNS = NetnsExtension.withPcap();

    @Test
    void shouldRouteLinkLocalTrafficFromTheVhostAddressToTheAgentEnd() throws Exception {
        String name = NetnsHarness.uniqueIfName("v");
        NETNS.harness().deleteLinkOnClose(name);
        Inet4Address vhostIp = (Inet4Address) InetAddress.getByName("198.18.31.7");
        int table = 4000 + (int) (ProcessHandle.current().pid() % 1000);
        try (VhostInterface v = VhostInterface.create(name, vhostIp, 32, table)) {
            assertEquals(name + "-dp", v.agentEnd());
            assertTrue(NetnsHarness.linkExists(v.agentEnd()));
            assertEquals(VhostInterface.readMac(name), v.kernelMac());
            String route = HostCommand.runChecked("ip", "route", "show", "table", Integer.toString(table)).stdout();
            assertTrue(route.contains("169.254.0.0/16 dev " + name), route);
            String features = HostCommand.runChecked("ethtool", "-k", name).stdout();
            assertTrue(features.contains("tcp-segmentation-offload: off"), features);
            if (v.hasMetadata6()) {
                // metadata6: only fe80::a9fe:ffff, no generated link-local address; none on the agent end
                String six = HostCommand.runChecked("ip", "-6", "-o", "addr", "show", "dev", name).stdout();
                assertTrue(six.contains("inet6 fe80::a9fe:ffff/64"), six);
                assertEquals(1, six.lines().count(), six);
                assertEquals("", HostCommand.runChecked("ip", "-6", "-o", "addr", "show", "dev", v.agentEnd()).stdout());
            }

            BlockingQueue<byte[]> rx = new LinkedBlockingQueue<>();
            try (PcapPacketIo io = PcapPacketIo.open(v.agentEnd()); CapturePump pump = CapturePump.start(io, rx::add)) {
                try (Socket s = new Socket()) {
                    s.bind(new InetSocketAddress(vhostIp, 0));
                    s.connect(new InetSocketAddress("169.254.0.5", 80), 300);
                } catch (IOException expectedTimeout) {
                    // nobody answers; the kernel's ARP is what we want
                }
                byte[] arp = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (arp == null && System.nanoTime() < deadline) {
                    byte[] f = rx.poll(100, TimeUnit.MILLISECONDS);
                    if (f != null && isArp(f) && arpTpa(f) == ip("169.254.0.5")) {
                        arp = f;
                    }
                }
                assertNotNull(arp, "the kernel ARPs for 169.254.0.5 on the vhost");
                assertEquals(ip("198.18.31.7"), arpSpa(arp));
                assertEquals(v.kernelMac(), arpSha(arp));
            }
        }
        assertFalse(NetnsHarness.linkExists(name), "closed: both ends gone");
        assertFalse(HostCommand.runChecked("ip", "rule").stdout().contains("198.18.31.7"), "rule removed");
    }

    @Test
    void withTheNapiThreadTheKernelEndShouldReceiveInItsOwnKernelThread() throws Exception {
        String name = NetnsHarness.uniqueIfName("v");
        NETNS.harness().deleteLinkOnClose(name);
        try (VhostInterface v = VhostInterface.create(name, (Inet4Address) InetAddress.getByName("198.18.31.8"), 32, 0,
                true)) {
            java.nio.file.Path threaded = java.nio.file.Path.of("/sys/class/net", name, "threaded");
            Assumptions.assumeTrue(java.nio.file.Files.exists(threaded), "kernel without threaded NAPI (< 5.12)");
            assertEquals("1", java.nio.file.Files.readString(threaded).strip());
            String kernelEnd = HostCommand.runChecked("ethtool", "-k", name).stdout();
            assertTrue(kernelEnd.contains("generic-receive-offload: on"), "veth hands frames to NAPI only with GRO on");
            assertTrue(kernelEnd.contains("tcp-segmentation-offload: off"), "the kernel end still sends whole frames");
            String agentEnd = HostCommand.runChecked("ethtool", "-k", v.agentEnd()).stdout();
            assertTrue(agentEnd.contains("tcp-segmentation-offload: off"), "...and only from a sender without TSO");
        }
    }

    @Test
    void shouldReplaceItsOwnLeftoverButNeverAForeignInterface() throws Exception {
        String name = NetnsHarness.uniqueIfName("v");
        NETNS.harness().deleteLinkOnClose(name);
        Inet4Address ip = (Inet4Address) InetAddress.getByName("198.18.31.8");
        VhostInterface.create(name, ip, 32, 0); // "killed": never closed
        try (VhostInterface again = VhostInterface.create(name, ip, 32, 0)) {
            assertTrue(NetnsHarness.linkExists(again.agentEnd()));
        }
        String dummy = NetnsHarness.uniqueIfName("d");
        NETNS.harness().deleteLinkOnClose(dummy);
        HostCommand.runChecked("ip", "link", "add", dummy, "type", "bridge");
        NotOursException e = assertThrows(NotOursException.class, () -> VhostInterface.create(dummy, ip, 32, 0));
        assertTrue(e.getMessage().contains("not a veth"), e.getMessage());
        assertTrue(NetnsHarness.linkExists(dummy));
    }

    @Test
    void shouldRefuseAddressesThatWouldTakeOverHostRoutes() throws Exception {
        for (String bad : new String[] {"127.0.0.1", "169.254.1.1", "0.0.0.0", "224.0.0.1", "255.255.255.255"}) {
            String name = NetnsHarness.uniqueIfName("v");
            NETNS.harness().deleteLinkOnClose(name);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> VhostInterface.create(name, (Inet4Address) InetAddress.getByName(bad), 8, 0), bad);
            assertTrue(e.getMessage().contains(bad), e.getMessage());
            assertFalse(NetnsHarness.linkExists(name), "nothing created for " + bad);
        }
    }

    @Test
    void shouldRejectNamesLinuxCannotHold() {
        assertThrows(IllegalArgumentException.class,
                () -> VhostInterface.create("averyverylongname", (Inet4Address) InetAddress.getByName("198.18.31.9"), 32, 0));
    }
}
