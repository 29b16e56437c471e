package io.vrouter.agent.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vrouter.agent.dataplane.host.HostCommand;
import io.vrouter.agent.dataplane.io.PcapPacketIo;
import io.vrouter.agent.dataplane.io.PcapSupport;
import io.vrouter.agent.netns.Guest;
import io.vrouter.agent.netns.NetnsHarness;
import io.vrouter.drop.DropReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile and careless guests on a whole compute node (root only; namespaces, pcap): a guest
 * flooding 169.254.169.254 with SYNs (dropping its own RSTs, so no handshake ever completes) and
 * UDP datagrams from distinct ports hurts only itself; a guest whose NIC does TSO/GSO posts a
 * body larger than the vhost MTU.
 */
@Timeout(180)
class GuestFloodEndToEndTest {
    /** With the warm-up, within the proxy's per-VM burst (50), so its 429 rate limit never answers. */
    static final int REQUESTS = 40;
    /** Per-request client timeout: the only latency the test asserts. */
    static final int CLIENT_TIMEOUT_S = 10;
    /** Flood bounds: frames of each kind, and wall time. */
    static final int FLOOD_FRAMES_EACH = 20_000;
    static final long FLOOD_MAX_NS = TimeUnit.SECONDS.toNanos(20);
    /** Pacing: this many SYNs and as many datagrams every 10 ms, i.e. 2000/s each (the issue's rate). */
    static final int FLOOD_BATCH = 20;

    @Test
    void synAndUdpFloodFromOneGuestShouldLeaveAnotherGuestsMetadataRequestsAllSucceeding() throws Exception {
        assumeRoot();
        try (ComputeNodeFixture node = new ComputeNodeFixture()) {
            ComputeNodeFixture.Vm victim = node.addGuest("10.0.0.3");
            ComputeNodeFixture.Vm flooder = node.addGuest("10.0.0.4");
            node.awaitAttached();
            dropOwnResets(flooder.guest());

            assertEquals("200", victim.curl("/latest/meta-data/instance-id").status(), "warm-up (ARP, first upstream)");
            double[] quiet = requestTimes(victim);
            Flood flood = new Flood(flooder);
            flood.start();
            double[] flooded;
            try {
                Thread.sleep(3000); // long enough that the flood would have filled the node's budget
                flooded = requestTimes(victim);
            } finally {
                flood.stopAndJoin();
            }
            DataplaneStats st = node.dataplane.stats();
            System.err.printf("guest flood: %d SYNs + %d UDP datagrams in %d ms; victim p99 quiet %.1f ms, "
                            + "flooded %.1f ms (max %.1f ms); drops %s; flows %d%n",
                    flood.sent / 2, flood.sent / 2, flood.elapsedMs, p99(quiet), p99(flooded),
                    flooded[flooded.length - 1], st.drops(), st.flows());
            assertTrue(flood.error == null, () -> "flood sender failed: " + flood.error);
            assertTrue(flood.sent >= 2 * 2000, "the flood ran: " + flood.sent + " frames");
            assertTrue(st.drops(DropReason.NEW_FLOW_RATE_LIMIT) > 0, "the flooder was throttled");
            assertTrue(st.drops(DropReason.NO_SERVICE) > 0, "its UDP to the metadata address was dropped");
            assertEquals(0, st.drops(DropReason.LINKLOCAL_FLOW_LIMIT) + st.drops(DropReason.FLOW_TABLE_FULL),
                    "the node's budgets were never reached");
        }
    }

    /**
     * Without the kernel fast path the agent cuts the guest's super-frames itself; with it the
     * kernel carries them (after the SYN), checksums included.
     */
    @ParameterizedTest(name = "kernel fast path {0}")
    @ValueSource(booleans = {false, true})
    void aGuestWithSegmentationOffloadShouldPostABodyLargerThanTheMtu(boolean kernelFastPath) throws Exception {
        assumeRoot();
        try (ComputeNodeFixture node = new ComputeNodeFixture(io.vrouter.agent.dataplane.host.PortMode.EXCLUSIVE,
                kernelFastPath)) {
            ComputeNodeFixture.Vm vm = node.addGuest("10.0.0.3");
            node.awaitAttached();
            vm.guest().exec(Duration.ofSeconds(10), "ethtool", "-K", "eth0", "tx", "on", "tso", "on", "gso", "on");
            Path body = Files.createTempFile("tso-body", ".bin");
            try {
                Files.write(body, new byte[12_000]);
                HostCommand.Result r = vm.guest().exec(Duration.ofSeconds(30), "curl", "-s", "-m",
                        String.valueOf(CLIENT_TIMEOUT_S), "-H", "Expect:", "--data-binary", "@" + body,
                        "-w", "\n%{http_code}", "http://169.254.169.254/openstack/latest/password");
                DataplaneStats st = node.dataplane.stats();
                System.err.printf("TSO post: %s; totals %s%n", r.stdout().replace('\n', ' '), st.totals());
                assertEquals(0, r.exitCode(), r.toString());
                // nova's answer to a password over 1020 bytes: it received the whole body
                assertTrue(r.stdout().endsWith("\n400") && r.stdout().contains("too large"), r.stdout());
                if (kernelFastPath) {
                    assertEquals(1, st.total("fast_path_flows"), st.totals().toString());
                } else {
                    assertTrue(st.total("guest_super_frames") > 0, "the guest handed over super-frames: " + st.totals());
                }
                assertEquals(0, st.total("tx_failed"), "none failed on injection (Message too long)");
            } finally {
                Files.deleteIfExists(body);
            }
        }
    }

    private static void assumeRoot() {
        NetnsHarness.assumeAvailable();
        assumeTrue(PcapSupport.isAvailable(), "libpcap unavailable");
    }

    /** The attacker's kernel would answer the proxy's SYN-ACKs with RSTs, closing its flows: it drops them. */
    private static void dropOwnResets(Guest g) {
        g.harness().execChecked(g.namespace(), "nft", "add", "table", "ip", "flood");
        g.harness().execChecked(g.namespace(), "nft", "add", "chain", "ip", "flood", "out",
                "{ type filter hook output priority 0 ; }");
        g.harness().execChecked(g.namespace(), "nft", "add", "rule", "ip", "flood", "out",
                "tcp", "flags", "&", "rst", "==", "rst", "drop");
    }

    /** {@link #REQUESTS} GETs, each on a new connection (a new flow), sorted times in ms. */
    private static double[] requestTimes(ComputeNodeFixture.Vm vm) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "--connect-timeout", String.valueOf(CLIENT_TIMEOUT_S),
                "-m", String.valueOf(CLIENT_TIMEOUT_S), "-H", "Connection: close", "-w", "%{http_code} %{time_total}\\n"));
        for (int i = 0; i < REQUESTS; i++) {
            cmd.add("-o");
            cmd.add("/dev/null");
            cmd.add("http://169.254.169.254/latest/meta-data/instance-id");
        }
        HostCommand.Result r = vm.guest().exec(Duration.ofSeconds(REQUESTS * (long) CLIENT_TIMEOUT_S),
                cmd.toArray(String[]::new));
        String[] lines = r.stdout().strip().split("\n");
        assertEquals(REQUESTS, lines.length, "every request answered: " + r);
        double[] ms = new double[REQUESTS];
        for (int i = 0; i < REQUESTS; i++) {
            String[] f = lines[i].strip().split(" ");
            assertEquals("200", f[0], "request " + i + ": " + lines[i]);
            ms[i] = Double.parseDouble(f[1]) * 1000;
        }
        assertEquals(0, r.exitCode(), r.toString());
        Arrays.sort(ms);
        return ms;
    }

    /** Nearest-rank 99th percentile of sorted values. */
    private static double p99(double[] sorted) {
        return sorted[(int) Math.ceil(0.99 * sorted.length) - 1];
    }

    /**
     * Raw frames written from inside the flooder's namespace: a thread that enters it (setns,
     * only this thread moves) and injects on its eth0 with libpcap, as any guest process could.
     */
    private static final class Flood extends Thread {
        private final ComputeNodeFixture.Vm vm;
        private final AtomicBoolean stop = new AtomicBoolean();
        volatile int sent;
        volatile long elapsedMs;
        volatile Throwable error;

        Flood(ComputeNodeFixture.Vm vm) {
            super("guest-flood");
            this.vm = vm;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                Netns.enter(vm.guest().namespace());
                long mac = TestFrames.mac(vm.guest().mac());
                int src = TestFrames.ip(vm.guest().ip());
                int dst = TestFrames.ip("169.254.169.254");
                long agentMac = DataplaneConfig.DEFAULT_AGENT_MAC;
                long t0 = System.nanoTime();
                try (PcapPacketIo io = PcapPacketIo.open("eth0")) {
                    int n = 0;
                    while (n < FLOOD_FRAMES_EACH && !stop.get() && System.nanoTime() - t0 < FLOOD_MAX_NS) {
                        for (int i = 0; i < FLOOD_BATCH && n < FLOOD_FRAMES_EACH; i++, n++) {
                            int sport = 1024 + n % 60_000;
                            byte[] syn = TestFrames.tcp(mac, agentMac, src, dst, sport, 80, 0x02, new byte[0]);
                            byte[] udp = TestFrames.udp(mac, agentMac, src, dst, sport, 80, new byte[8]);
                            io.send(syn, syn.length);
                            io.send(udp, udp.length);
                            sent += 2;
                        }
                        Thread.sleep(10);
                    }
                }
                elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            } catch (Throwable t) {
                error = t;
            }
        }

        void stopAndJoin() throws InterruptedException {
            stop.set(true);
            join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    /** libc's setns for the calling thread (JNA comes with pcap4j). */
    private interface Netns extends com.sun.jna.Library {
        Netns LIBC = com.sun.jna.Native.load("c", Netns.class);
        int O_RDONLY = 0;
        int CLONE_NEWNET = 0x40000000;

        int open(String path, int flags);

        int setns(int fd, int nstype);

        int close(int fd);

        static void enter(String namespace) {
            int fd = LIBC.open("/var/run/netns/" + namespace, O_RDONLY);
            if (fd < 0) {
                throw new IllegalStateException("cannot open namespace " + namespace);
            }
            try {
                if (LIBC.setns(fd, CLONE_NEWNET) != 0) {
                    throw new IllegalStateException("setns into " + namespace + " failed");
                }
            } finally {
                LIBC.close(fd);
            }
        }
    }
}
