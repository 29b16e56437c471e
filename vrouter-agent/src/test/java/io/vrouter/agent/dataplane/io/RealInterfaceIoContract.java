package io.vrouter.agent.dataplane.io;

import static io.vrouter.agent.dataplane.TestFrames.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.dataplane.host.HostCommand;
import io.vrouter.agent.netns.Guest;
import io.vrouter.agent.netns.NetnsExtension;
import io.vrouter.agent.netns.NetnsHarness;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Capture and injection on a real veth pair (root only), run against each real-interface
 * {@link PacketIo}: a guest's own traffic captured, injected frames reaching the guest and never
 * captured again, clear errors.
 */
@Timeout(60)
abstract class RealInterfaceIoContract {
    @RegisterExtension
    static final NetnsExtension NETNS = NetnsExtension.withPcap();

    /** Opens the implementation under test on {@code ifName}. */
    abstract PacketIo open(String ifName);

    /** Receives (copies of) frames until one matches, or returns null after the timeout. */
    static byte[] await(PacketIo io, java.util.function.Predicate<byte[]> p) throws InterruptedException {
        return await(io, p, 10_000);
    }

    static byte[] await(PacketIo io, java.util.function.Predicate<byte[]> p, long timeoutMs)
            throws InterruptedException {
        byte[] buffer = new byte[PacketIo.MAX_FRAME_LENGTH];
        BlockingQueue<byte[]> q = new LinkedBlockingQueue<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            io.receive(buffer, (f, len) -> q.add(java.util.Arrays.copyOf(f, len)), 64);
            for (byte[] f = q.poll(); f != null; f = q.poll()) {
                if (p.test(f)) {
                    return f;
                }
            }
            Thread.sleep(5);
        }
        return null;
    }

    @Test
    void shouldCaptureGuestArpAndDeliverInjectedReplyToGuest() throws Exception {
        Guest g = NETNS.harness().guest(NetnsHarness.uniqueIfName("h"), "10.0.0.3/24", "10.0.0.1", "02:00:00:00:00:03");
        try (PacketIo io = open(g.hostIf())) {
            io.start(() -> { });
            CompletableFuture<HostCommand.Result> curl = CompletableFuture.supplyAsync(
                    () -> g.exec(Duration.ofSeconds(10), "curl", "-s", "-m", "2", "http://10.0.0.1:80/"));
            byte[] req = await(io, f -> isArp(f) && arpOp(f) == 1 && arpTpa(f) == ip("10.0.0.1"));
            assertNotNull(req, "guest's ARP request for its gateway captured");
            assertEquals(mac(g.mac()), arpSha(req));
            assertEquals(BROADCAST, dstMac(req));

            byte[] reply = arp(2, VMAC, mac(g.mac()), VMAC, ip("10.0.0.1"), mac(g.mac()), ip("10.0.0.3"));
            assertTrue(io.send(reply, reply.length));

            byte[] syn = await(io, f -> isIpv4(f) && ipProto(f) == 6 && dstPort(f) == 80);
            assertNotNull(syn, "guest sent its SYN to the MAC the injected reply gave");
            assertEquals(VMAC, dstMac(syn));
            assertEquals(ip("10.0.0.3"), ipSrc(syn));
            curl.get(15, TimeUnit.SECONDS);
            String neigh = g.exec(Duration.ofSeconds(5), "ip", "neigh", "show", "10.0.0.1").check().stdout();
            assertTrue(neigh.contains("00:00:5e:00:01:00"), neigh);
        }
    }

    @Test
    void shouldNotCaptureFramesItSentItself() throws Exception {
        Guest g = NETNS.harness().guest(NetnsHarness.uniqueIfName("h"), "10.0.0.3/24", "10.0.0.1", "02:00:00:00:00:03");
        try (PacketIo io = open(g.hostIf())) {
            io.start(() -> { });
            byte[] probe = arp(2, VMAC, BROADCAST, VMAC, ip("10.0.0.99"), 0, ip("10.0.0.99"));
            for (int i = 0; i < 5; i++) {
                assertTrue(io.send(probe, probe.length));
            }
            assertEquals(null, await(io, f -> isArp(f) && arpSpa(f) == ip("10.0.0.99"), 1000),
                    "direction IN: injected frames are not captured");
        }
    }

    @Test
    void shouldFailClearlyOnMissingInterface() {
        PacketIoException e = assertThrows(PacketIoException.class, () -> open("nonexist0"));
        assertTrue(e.getMessage().contains("nonexist0"), e.getMessage());
    }

    @Test
    void shouldReportSendFailureAfterClose() {
        Guest g = NETNS.harness().guest(NetnsHarness.uniqueIfName("h"), "10.0.0.3/24", "10.0.0.1", "02:00:00:00:00:03");
        PacketIo io = open(g.hostIf());
        io.start(() -> { });
        io.close();
        io.close();
        byte[] f = arp(1, VMAC, BROADCAST, VMAC, 1, 0, 2);
        assertEquals(false, io.send(f, f.length));
    }
}
