package io.vrouter.agent.dataplane;

import static io.vrouter.agent.dataplane.TestFrames.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.dataplane.host.HostCommand;
import io.vrouter.agent.dataplane.host.PortMode;
import io.vrouter.agent.dataplane.io.CapturePump;
import io.vrouter.agent.dataplane.io.MemoryPacketIo;
import io.vrouter.agent.dataplane.io.NodeScaleVeths;
import io.vrouter.agent.dataplane.io.PacketIo;
import io.vrouter.agent.dataplane.io.HostPacketIoFactory;
import io.vrouter.agent.dataplane.io.PcapPacketIo;
import io.vrouter.agent.netns.NetnsExtension;
import io.vrouter.agent.port.PortRequest;
import io.vrouter.agent.port.VmPort;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 11 item 3 on real interfaces (root only), with the agent's packet I/O: threads do not grow
 * with ports, a port maps no capture ring (its packet socket queues frames in the kernel only while
 * they wait), a port plugged among a hundred is served, a guest's
 * first ARP sent the moment its port is added is answered, and plugging and unplugging many
 * ports through the agent's port path leaves no thread, descriptor, ring, epoll registration,
 * flow or host isolation state behind.
 */
@Timeout(180)
class NodeScaleTest {
    @RegisterExtension
    static final NetnsExtension NETNS = NetnsExtension.withPcap();

    private static final HostPacketIoFactory IO = new HostPacketIoFactory();

    private static long guestMac(int i) {
        return 0x02_00_00_00_00_00L | i;
    }

    private static int guestIp(int i) {
        return ip("10.0.0.0") + i;
    }

    private static void plug(Dataplane dp, String[] pair, int index) throws Exception {
        dp.addPort(DataplaneTest.port("p" + index, index, guestMac(index), guestIp(index)),
                IO.open(pair[0])).get(10, TimeUnit.SECONDS);
    }

    private static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    private static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** Descriptors watched by this process's epoll instances (the {@code tfd:} lines of their fdinfo). */
    private static long epollRegistrations() throws IOException {
        long n = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals("anon_inode:[eventpoll]")) {
                        n += Files.readAllLines(Path.of("/proc/self/fdinfo", fd.getFileName().toString())).stream()
                                .filter(l -> l.startsWith("tfd:")).count();
                    }
                } catch (IOException closedMeanwhile) {
                    // a descriptor closed while listing: not an epoll instance of ours
                }
            }
        }
        return n;
    }

    /** Resident bytes of the packet rings mapped into this process ({@code socket:[...]} mappings). */
    static long ringBytes() throws IOException {
        long kb = 0;
        boolean ring = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (Character.isDigit(line.charAt(0)) || (line.charAt(0) >= 'a' && line.charAt(0) <= 'f'
                    && line.contains("-") && line.split("\\s+").length >= 5)) {
                ring = line.trim().endsWith("]") && line.contains("socket:[");
            } else if (ring && line.startsWith("Rss:")) {
                kb += Long.parseLong(line.replaceAll("\\D+", ""));
            }
        }
        return kb << 10;
    }

    @Test
    void threadsShouldNotGrowWithPortsAndAPortShouldMapNoRing() throws Exception {
        Dataplane dp = new Dataplane(DataplaneConfig.builder((Inet4Address) InetAddress.getByName("198.18.0.5"),
                DataplaneTest.KERNEL_MAC).build(), new MemoryPacketIo("vh-dp"), System::nanoTime);
        dp.start();
        try {
            String[][] pairs = NodeScaleVeths.create(NETNS.harness(), 110);
            long ringsBefore = ringBytes();
            for (int i = 0; i < 10; i++) {
                plug(dp, pairs[i], i + 1);
            }
            int threadsAt10 = threads();
            for (int i = 10; i < 110; i++) {
                plug(dp, pairs[i], i + 1);
            }
            int threadsAt110 = threads();
            assertTrue(threadsAt110 - threadsAt10 <= 2, "threads at 10 ports " + threadsAt10 + ", at 110 " + threadsAt110);
            long rings = ringBytes() - ringsBefore;
            System.out.printf("node scale: %d ports, threads %d -> %d, rings mapped %d bytes%n", 110, threadsAt10,
                    threadsAt110, rings);
            assertTrue(rings <= 0, "110 ports mapped " + rings + " bytes of rings");

            // The last port plugged, among 110, is served: its guest's ARP is answered.
            assertArpAnswered(pairs[109][1], 110, () -> { });
        } finally {
            dp.close();
        }
    }

    /**
     * Opens a capture on the guest end {@code guestIf}, runs {@code beforeSend}, then sends one
     * ARP request as guest {@code index} and expects the agent's answer within 5 s.
     */
    private static void assertArpAnswered(String guestIf, int index, ThrowingRunnable beforeSend) throws Exception {
        BlockingQueue<byte[]> toGuest = new LinkedBlockingQueue<>();
        try (PacketIo guest = PcapPacketIo.open(guestIf); CapturePump pump = CapturePump.start(guest, toGuest::add)) {
            beforeSend.run();
            byte[] req = arp(1, guestMac(index), BROADCAST, guestMac(index), guestIp(index), 0, ip("10.0.0.254"));
            assertTrue(guest.send(req, req.length));
            byte[] reply = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (reply == null && System.nanoTime() < deadline) {
                byte[] f = toGuest.poll(100, TimeUnit.MILLISECONDS);
                if (f != null && isArp(f) && arpOp(f) == 2) {
                    reply = f;
                }
            }
            assertNotNull(reply, "guest " + index + " on " + guestIf + " got its one ARP answered");
            assertEquals(VMAC, arpSha(reply));
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** The port-control path: what {@code POST /port} does once the JSON is parsed. */
    private static VmPort add(ComputeNodeFixture node, String portIf, int index) throws Exception {
        PortRequest req = new PortRequest(UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                UUID.randomUUID().toString(), UUID.randomUUID().toString(), "vm" + index,
                (Inet4Address) InetAddress.getByAddress(java.nio.ByteBuffer.allocate(4).putInt(guestIp(index)).array()),
                null, 0, portIf, macText(guestMac(index)), -1, -1);
        return node.ports.add(req).port();
    }

    /**
     * A guest whose first ARP leaves the moment port IPC has its port (before the agent could
     * fork any host tool) is answered: its capture was open before port IPC returned, so the ARP
     * waited in the port's ring instead of being lost (a lost ARP costs a real guest 1 s).
     */
    @Test
    void aGuestsFirstArpSentTheMomentItsPortIsAddedShouldBeAnswered() throws Exception {
        try (ComputeNodeFixture node = new ComputeNodeFixture()) {
            String[] pair = NodeScaleVeths.create(node.harness, "sc", 1)[0];
            assertArpAnswered(pair[1], 7, () -> add(node, pair[0], 7));
        }
    }

    /**
     * Many ports plugged and unplugged through the agent's port path (port registry, dataplane,
     * host isolation), in rounds: while plugged, each port has its isolation on the host and its
     * flows; once unplugged nothing is left: no thread, descriptor, ring, epoll registration,
     * flow, nft chain or tc filter/qdisc. Every other round unplugs each port right after plugging
     * it, racing the control thread.
     */
    @ParameterizedTest
    @EnumSource(PortMode.class)
    void plugAndUnplugManyPortsShouldLeaveNothingBehind(PortMode mode) throws Exception {
        final int ports = 40;
        try (ComputeNodeFixture node = new ComputeNodeFixture(mode)) {
            String[][] pairs = NodeScaleVeths.create(node.harness, "sc", ports);
            plugAndUnplug(node, mode, pairs, 0); // warm-up: classes, libpcap, the first host commands
            settle();
            int threads = threads();
            long fds = openFds();
            long rings = ringBytes();
            long epoll = epollRegistrations();
            for (int round = 1; round <= 4; round++) {
                plugAndUnplug(node, mode, pairs, round);
            }
            settle();
            assertTrue(threads() <= threads + 2, "threads " + threads + " -> " + threads());
            assertTrue(openFds() <= fds + 2, "fds " + fds + " -> " + openFds());
            assertTrue(ringBytes() <= rings, "rings " + rings + " -> " + ringBytes() + " bytes");
            assertEquals(epoll, epollRegistrations(), "epoll registrations");
        }
    }

    /** Lets the host-command drain threads of the last forks end. */
    private static void settle() throws InterruptedException {
        Thread.sleep(300);
    }

    private void plugAndUnplug(ComputeNodeFixture node, PortMode mode, String[][] pairs, int round) throws Exception {
        List<VmPort> plugged = new ArrayList<>();
        boolean racing = round % 2 == 1;
        for (int i = 0; i < pairs.length; i++) {
            VmPort p = add(node, pairs[i][0], i + 1);
            if (racing) {
                node.ports.remove(p.id());
            } else {
                plugged.add(p);
            }
        }
        node.awaitAttached();
        Dataplane dp = node.dataplane.dataplane();
        if (!racing) {
            assertEquals(pairs.length, node.dataplane.attachedPorts().size());
            assertHostState(node, mode, pairs, true);
            for (int i = 0; i < pairs.length; i++) {
                byte[] syn = tcp(guestMac(i + 1), VMAC, guestIp(i + 1), ip("169.254.169.254"), 40000 + round, 80, 0x02,
                        new byte[0]);
                try (PacketIo guest = PcapPacketIo.open(pairs[i][1])) {
                    assertTrue(guest.send(syn, syn.length));
                }
            }
            for (VmPort p : plugged) {
                awaitFlows(dp, p.interfaceIndex());
            }
            for (VmPort p : plugged) {
                node.ports.remove(p.id());
            }
            node.awaitAttached();
        }
        assertTrue(node.dataplane.attachedPorts().isEmpty(), "round " + round + ": ports still attached");
        assertTrue(dp.stats().ports().isEmpty(), "round " + round + ": the dataplane still has ports");
        assertEquals(0, dp.flowTable().size(), "round " + round + ": flows left");
        assertHostState(node, mode, pairs, false);
    }

    private static void awaitFlows(Dataplane dp, int nh) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (dp.flowTable().interfaceFlowCount(nh) == 0) {
            assertTrue(System.nanoTime() < deadline, "no flow for interface " + nh + " after its SYN");
            Thread.sleep(5);
        }
    }

    /** The host isolation of every port: present (plugged) or gone, as the kernel lists it. */
    private static void assertHostState(ComputeNodeFixture node, PortMode mode, String[][] pairs, boolean present) {
        if (mode == PortMode.EXCLUSIVE) {
            String table = HostCommand.runChecked("nft", "list", "table", "netdev", node.agentName).stdout();
            long chains = table.lines().filter(l -> l.strip().startsWith("chain ")).count();
            // the vhost's agent end has its chain too
            assertEquals(present ? pairs.length + 1 : 1, chains, table);
            return;
        }
        for (String[] pair : pairs) {
            String filters = HostCommand.run("tc", "filter", "show", "dev", pair[0], "ingress").stdout();
            String qdiscs = HostCommand.runChecked("tc", "qdisc", "show", "dev", pair[0]).stdout();
            assertEquals(present, !filters.isBlank(), pair[0] + " filters: " + filters);
            assertEquals(present, qdiscs.contains("clsact"), pair[0] + " qdiscs: " + qdiscs);
        }
    }
}
