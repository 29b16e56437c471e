package io.vrouter.agent.dataplane;

import static io.vrouter.agent.dataplane.TestFrames.*;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.dataplane.io.CapturePump;
import io.vrouter.agent.dataplane.io.MemoryPacketIo;
import io.vrouter.agent.dataplane.io.NodeScaleVeths;
import io.vrouter.agent.dataplane.io.PacketIo;
import io.vrouter.agent.dataplane.io.HostPacketIoFactory;
import io.vrouter.agent.dataplane.io.PcapPacketIo;
import io.vrouter.agent.netns.NetnsExtension;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 11 item 3 on real interfaces (root only), with the agent's own packet I/O: threads do not
 * grow with ports, a port maps no capture ring (its packet socket queues frames in the kernel only
 * while they wait), a port plugged among a hundred is served, and plugging and unplugging leaks no
 * thread or descriptor.
 */
@Timeout(180)
class NodeScaleTest {
    @RegisterExtension
    static final NetnsExtension NETNS = NetnsExtension.withPcap();

    private final HostPacketIoFactory io = new HostPacketIoFactory();
    private Dataplane dp;

    @BeforeEach
    void setUp() throws Exception {
        dp = new Dataplane(DataplaneConfig.builder((Inet4Address) InetAddress.getByName("198.18.0.5"),
                DataplaneTest.KERNEL_MAC).build(), new MemoryPacketIo("vh-dp"), System::nanoTime);
        dp.start();
    }

    @AfterEach
    void tearDown() {
        dp.close();
    }

    private static long guestMac(int i) {
        return 0x02_00_00_00_00_00L | i;
    }

    private static int guestIp(int i) {
        return ip("10.0.0.0") + i;
    }

    private void plug(String[] pair, int index) throws Exception {
        dp.addPort(DataplaneTest.port("p" + index, index, guestMac(index), guestIp(index)),
                io.open(pair[0])).get(10, TimeUnit.SECONDS);
    }

    private static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    private static long openFds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** Resident bytes of the packet rings mapped into this process ({@code socket:[...]} mappings). */
    private static long ringBytes() throws IOException {
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
        String[][] pairs = NodeScaleVeths.create(NETNS.harness(), 110);
        long ringsBefore = ringBytes();
        for (int i = 0; i < 10; i++) {
            plug(pairs[i], i + 1);
        }
        int threadsAt10 = threads();
        for (int i = 10; i < 110; i++) {
            plug(pairs[i], i + 1);
        }
        int threadsAt110 = threads();
        assertTrue(threadsAt110 - threadsAt10 <= 2, "threads at 10 ports " + threadsAt10 + ", at 110 " + threadsAt110);
        long rings = ringBytes() - ringsBefore;
        System.out.printf("node scale: %d ports, threads %d -> %d, rings mapped %d bytes%n", 110, threadsAt10,
                threadsAt110, rings);
        assertTrue(rings <= 0, "110 ports mapped " + rings + " bytes of rings");

        // The last port plugged, among 110, is served: its guest's ARP is answered.
        String[] last = pairs[109];
        BlockingQueue<byte[]> toGuest = new LinkedBlockingQueue<>();
        try (PacketIo guest = PcapPacketIo.open(last[1]); CapturePump pump = CapturePump.start(guest, toGuest::add)) {
            byte[] req = arp(1, guestMac(110), BROADCAST, guestMac(110), guestIp(110), 0, ip("10.0.0.254"));
            assertTrue(guest.send(req, req.length));
            byte[] reply = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (reply == null && System.nanoTime() < deadline) {
                byte[] f = toGuest.poll(100, TimeUnit.MILLISECONDS);
                if (f != null && isArp(f) && arpOp(f) == 2) {
                    reply = f;
                }
            }
            assertNotNull(reply, "the 110th port's guest got its ARP answered");
            assertTrue(arpSha(reply) == VMAC);
        }
    }

    @Test
    void plugAndUnplug200TimesShouldLeaveNoThreadDescriptorOrRingBehind() throws Exception {
        String[] pair = NodeScaleVeths.create(NETNS.harness(), 1)[0];
        int threadsAfterWarmUp = 0;
        long fdsAfterWarmUp = 0;
        long ringsAfterWarmUp = 0;
        for (int i = 0; i < 200; i++) {
            plug(pair, 1);
            PacketIo io = dp.removePort("p1").get(10, TimeUnit.SECONDS);
            io.close();
            if (i == 9) {
                threadsAfterWarmUp = threads();
                fdsAfterWarmUp = openFds();
                ringsAfterWarmUp = ringBytes();
            }
        }
        assertTrue(threads() <= threadsAfterWarmUp + 1, "threads " + threadsAfterWarmUp + " -> " + threads());
        assertTrue(openFds() <= fdsAfterWarmUp + 2, "fds " + fdsAfterWarmUp + " -> " + openFds());
        assertTrue(ringBytes() <= ringsAfterWarmUp, "no ring left mapped");
        assertTrue(dp.stats().ports().isEmpty());
    }
}
