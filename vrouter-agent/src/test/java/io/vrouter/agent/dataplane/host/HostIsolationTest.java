package io.vrouter.agent.dataplane.host;

import static io.vrouter.agent.dataplane.TestFrames.isArp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.dataplane.io.CapturePump;
import io.vrouter.agent.dataplane.io.PcapPacketIo;
import io.vrouter.agent.netns.Guest;
import io.vrouter.agent.netns.NetnsExtension;
import io.vrouter.agent.netns.NetnsHarness;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ingress drop keeps the host kernel from a guest's frames while pcap still captures them.
 * The host end gets an address here only to prove the point: with it, and without isolation, the
 * guest can reach a host socket; with isolation it cannot.
 */
@Timeout(90)
class HostIsolationTest {
    @RegisterExtension
    static final NetnsExtension NETNS = NetnsExtension.withPcap();
    private ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();

    @AfterEach
    void tearDown() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** A guest in 198.19.77.0/24 whose host end holds 198.19.77.1 with a tiny HTTP server on it. */
    private Guest guestWithHostServer() throws IOException {
        Guest g = NETNS.harness().guest(NetnsHarness.uniqueIfName("h"), "198.19.77.3/24", "198.19.77.1", "02:00:00:00:00:03");
        HostCommand.runChecked("ip", "addr", "add", "198.19.77.1/24", "dev", g.hostIf());
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName("198.19.77.1"), 0));
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                    accepted.incrementAndGet();
                    out.write("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    return;
                }
            }
        }, "test-host-server");
        t.setDaemon(true);
        t.start();
        return g;
    }

    private int curl(Guest g) {
        return g.exec(Duration.ofSeconds(10), "curl", "-s", "-o", "/dev/null", "-m", "2",
                "http://198.19.77.1:" + server.getLocalPort() + "/").exitCode();
    }

    private void assertIsolates(Function<String, HostIsolation> factory) throws Exception {
        Guest g = guestWithHostServer();
        assertEquals(0, curl(g), "baseline: without isolation the host kernel answers the guest");
        assertEquals(1, accepted.get());
        HostCommand.runChecked("ip", "neigh", "flush", "dev", g.hostIf());
        g.exec(Duration.ofSeconds(5), "ip", "neigh", "flush", "dev", "eth0").check();

        AtomicInteger captured = new AtomicInteger();
        try (HostIsolation iso = factory.apply(g.hostIf()); PcapPacketIo io = PcapPacketIo.open(g.hostIf());
             CapturePump pump = CapturePump.start(io, f -> {
                 if (isArp(f)) {
                     captured.incrementAndGet();
                 }
             })) {
            assertTrue(iso.isolateAll(java.util.List.of(g.hostIf())).isEmpty()); // the batch path
            iso.isolate(g.hostIf()); // idempotent
            assertEquals(java.util.Set.of(g.hostIf()), iso.isolated());
            assertTrue(curl(g) != 0, "isolated: the guest cannot reach the host socket");
            assertEquals(1, accepted.get());
            assertTrue(captured.get() > 0, "pcap still captures the guest's frames");
            if (iso instanceof NftHostIsolation nft) {
                assertTrue(nft.dropped(g.hostIf()) > 0, "nft counter counts the drops");
            }
            iso.release(g.hostIf());
            assertTrue(iso.isolated().isEmpty());
            // The unanswered ARP left a FAILED neighbour entry in the guest, which answers "no
            // route to host" for a few seconds whatever the host does: start from a clean cache.
            g.exec(Duration.ofSeconds(5), "ip", "neigh", "flush", "dev", "eth0").check();
            assertEquals(0, curl(g), "released: the kernel sees the guest again");
        }
    }

    @Test
    void nftShouldDropGuestFramesBeforeTheKernelButAfterCapture() throws Exception {
        assertIsolates(ifName -> {
            String name = NetnsHarness.uniqueAgentName();
            NETNS.harness().deleteNftTableOnClose("netdev", name);
            return NftHostIsolation.start(name);
        });
    }

    @Test
    void tcShouldDropGuestFramesBeforeTheKernelButAfterCapture() throws Exception {
        assertIsolates(ifName -> new TcHostIsolation());
    }

    @Test
    void nftStartShouldWipeLeftoversOfAKilledAgent() {
        Guest g = NETNS.harness().guest(NetnsHarness.uniqueIfName("h"), "10.0.0.3/24", "10.0.0.1", "02:00:00:00:00:03");
        String name = NetnsHarness.uniqueAgentName();
        NETNS.harness().deleteNftTableOnClose("netdev", name);
        NftHostIsolation first = NftHostIsolation.start(name);
        first.isolate(g.hostIf());
        // "killed": never closed. The next start must succeed and own an empty table.
        try (NftHostIsolation second = NftHostIsolation.start(name)) {
            String listing = HostCommand.runChecked("nft", "list", "table", "netdev", name).stdout();
            assertFalse(listing.contains("chain"), listing);
            second.isolate(g.hostIf());
            assertTrue(HostCommand.runChecked("nft", "list", "table", "netdev", name).stdout().contains(g.hostIf()));
        }
        assertFalse(HostCommand.run("nft", "list", "table", "netdev", name).ok(), "close deletes the table");
    }

    @Test
    void nftShouldRejectNamesThatAreNotInterfaceOrTableNames() {
        String name = NetnsHarness.uniqueAgentName();
        NETNS.harness().deleteNftTableOnClose("netdev", name);
        try (NftHostIsolation iso = NftHostIsolation.start(name)) {
            assertThrows(IllegalArgumentException.class, () -> iso.isolate("bad\"name"));
            assertThrows(IllegalArgumentException.class, () -> iso.isolate("much-too-long-name0"));
            assertTrue(iso.isolated().isEmpty());
        }
        assertThrows(IllegalArgumentException.class, () -> NftHostIsolation.start("bad-name; flush ruleset"));
    }

    @Test
    void nftIsolateAllShouldAddEveryChainInOneTransactionAndReportEachInterfaceItCouldNotIsolate() {
        String[][] pairs = io.vrouter.agent.dataplane.io.NodeScaleVeths.create(NETNS.harness(), "sc", 3);
        String name = NetnsHarness.uniqueAgentName();
        NETNS.harness().deleteNftTableOnClose("netdev", name);
        try (NftHostIsolation iso = NftHostIsolation.start(name)) {
            assertTrue(iso.isolateAll(java.util.List.of(pairs[0][0], pairs[1][0], pairs[0][0])).isEmpty());
            assertEquals(java.util.Set.of(pairs[0][0], pairs[1][0]), iso.isolated());
            String listing = HostCommand.runChecked("nft", "list", "table", "netdev", name).stdout();
            assertEquals(2, listing.lines().filter(l -> l.strip().startsWith("chain ")).count(), listing);
            var bad = iso.isolateAll(java.util.List.of("bad\"name", pairs[2][0]));
            assertTrue(bad.get("bad\"name") instanceof IllegalArgumentException);
            assertEquals(1, bad.size(), "the valid name is isolated all the same");
            // The kernel refuses the transaction (its table gone): every interface is reported, none recorded.
            HostCommand.runChecked("nft", "delete", "table", "netdev", name);
            String[][] more = io.vrouter.agent.dataplane.io.NodeScaleVeths.create(NETNS.harness(), "sc", 2);
            var failed = iso.isolateAll(java.util.List.of(more[0][0], more[1][0]));
            assertEquals(java.util.Set.of(more[0][0], more[1][0]), failed.keySet());
            assertTrue(failed.values().stream().allMatch(e -> e instanceof HostCommand.HostCommandException));
            assertEquals(java.util.Set.of(pairs[0][0], pairs[1][0], pairs[2][0]), iso.isolated());
        }
    }

    @Test
    void tcIsolateAllShouldDropOnEveryInterfaceWithOneForkAndReportEachInterfaceItCouldNotIsolate() {
        String[][] pairs = io.vrouter.agent.dataplane.io.NodeScaleVeths.create(NETNS.harness(), "sk", 4);
        try (TcHostIsolation iso = new TcHostIsolation()) {
            long before = HostCommand.startedOnThisThread();
            assertTrue(iso.isolateAll(java.util.List.of(pairs[0][0], pairs[1][0], pairs[2][0], pairs[0][0])).isEmpty());
            // one tc -batch for the three; a second (the BPF drop) where this kernel has no cls_matchall
            assertTrue(HostCommand.startedOnThisThread() - before <= 2, "forks: " + (HostCommand.startedOnThisThread() - before));
            assertEquals(java.util.Set.of(pairs[0][0], pairs[1][0], pairs[2][0]), iso.isolated());
            for (int i = 0; i < 3; i++) {
                String f = HostCommand.runChecked("tc", "filter", "show", "dev", pairs[i][0], "ingress").stdout();
                assertTrue(f.contains("matchall") || f.contains("bytecode"), pairs[i][0] + ": " + f);
            }
            String gone = NetnsHarness.uniqueIfName("skx");
            before = HostCommand.startedOnThisThread();
            assertTrue(iso.isolateAll(java.util.List.of(pairs[3][0])).isEmpty());
            assertEquals(1, HostCommand.startedOnThisThread() - before, "the drop that works is remembered: one fork");
            pairs[3] = io.vrouter.agent.dataplane.io.NodeScaleVeths.create(NETNS.harness(), "sk", 1)[0];
            var failed = iso.isolateAll(java.util.List.of(gone, pairs[3][0]));
            assertEquals(java.util.Set.of(gone), failed.keySet());
            assertTrue(failed.get(gone) instanceof HostCommand.HostCommandException, failed.toString());
            assertTrue(iso.isolated().contains(pairs[3][0]), "the interface that exists is isolated all the same");
        }
        for (String[] p : pairs) {
            assertFalse(HostCommand.runChecked("tc", "qdisc", "show", "dev", p[0]).stdout().contains("clsact"),
                    "close releases " + p[0]);
        }
    }
}
