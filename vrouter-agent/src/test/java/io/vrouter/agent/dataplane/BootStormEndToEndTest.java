package io.vrouter.agent.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vrouter.agent.dataplane.host.HostCommand;
import io.vrouter.agent.dataplane.io.PcapSupport;
import io.vrouter.agent.netns.NetnsHarness;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 50 guests boot at once, each making cloud-init's ~28 metadata requests over one keep-alive
 * connection (root only). All of them, with the same fixed IP on 50 virtual networks, must get
 * every answer, and their own.
 */
@Timeout(300)
class BootStormEndToEndTest {
    static final int GUESTS = 50;
    static final String OS = "/openstack/2013-10-17";
    /** What cloud-init's OpenStack datasource (and its EC2 fallbacks) reads during one boot. */
    static final List<String> CLOUD_INIT_PATHS = List.of(
            "/openstack", OS, OS + "/meta_data.json", OS + "/user_data", OS + "/vendor_data.json",
            OS + "/vendor_data2.json", OS + "/network_data.json", OS + "/password",
            "/latest", "/latest/meta-data/", "/latest/meta-data/instance-id", "/latest/meta-data/hostname",
            "/latest/meta-data/local-hostname", "/latest/meta-data/public-hostname", "/latest/meta-data/local-ipv4",
            "/latest/meta-data/public-ipv4", "/latest/meta-data/public-keys/0/openssh-key",
            "/latest/meta-data/reservation-id", "/latest/meta-data/security-groups",
            "/latest/meta-data/placement/availability-zone", "/latest/user-data",
            "/2009-04-04/meta-data/instance-id", "/2009-04-04/meta-data/hostname", "/2009-04-04/meta-data/local-ipv4",
            "/2009-04-04/meta-data/public-keys/0/openssh-key", "/2009-04-04/meta-data/placement/availability-zone",
            "/2009-04-04/meta-data/reservation-id", "/2009-04-04/user-data");

    @Test
    void fiftyGuestsBootingAtOnceAllGetEveryAnswer() throws Exception {
        NetnsHarness.assumeAvailable();
        assumeTrue(PcapSupport.isAvailable(), "libpcap unavailable");
        try (ComputeNodeFixture node = new ComputeNodeFixture()) {
            List<ComputeNodeFixture.Vm> vms = new ArrayList<>();
            for (int i = 0; i < GUESTS; i++) {
                vms.add(node.addGuest("10.0.0.3"));
            }
            node.awaitAttached();
            assertEquals(GUESTS, node.dataplane.attachedPorts().size());

            ExecutorService pool = Executors.newFixedThreadPool(GUESTS);
            try {
                long t0 = System.nanoTime();
                List<Future<HostCommand.Result>> boots = new ArrayList<>();
                for (ComputeNodeFixture.Vm vm : vms) {
                    boots.add(pool.submit(() -> boot(vm)));
                }
                for (int i = 0; i < GUESTS; i++) {
                    HostCommand.Result r = boots.get(i).get(120, TimeUnit.SECONDS);
                    ComputeNodeFixture.Vm vm = vms.get(i);
                    assertEquals(0, r.exitCode(), "guest " + i + ": " + r);
                    String[] lines = r.stdout().strip().split("\n");
                    assertEquals(CLOUD_INIT_PATHS.size() + 1, lines.length, "guest " + i + ": " + r.stdout());
                    for (int k = 0; k < lines.length; k++) {
                        assertEquals("200", lines[k].strip(), "guest " + i + " request " + k);
                    }
                    java.nio.file.Path id = idFile(vm);
                    try {
                        assertEquals(MetadataEndToEndTest.ec2Id(vm), java.nio.file.Files.readString(id).strip(),
                                "guest " + i + " got its own instance-id");
                    } finally {
                        java.nio.file.Files.deleteIfExists(id);
                    }
                }
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                DataplaneStats st = node.dataplane.stats();
                System.err.printf("boot storm: %d guests x %d requests in %d ms; totals %s; drops %s; flows %d%n",
                        GUESTS, CLOUD_INIT_PATHS.size() + 1, ms, st.totals(), st.drops(), st.flows());
                assertTrue(node.dataplane.stats().drops(io.vrouter.drop.DropReason.SPOOFED_SOURCE) == 0);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** One curl, one keep-alive connection: every path's status; the instance-id body to a file. */
    private static HostCommand.Result boot(ComputeNodeFixture.Vm vm) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-m", "60", "--retry", "0",
                "-H", "Accept-Encoding: gzip, deflate", "-w", "%{http_code}\\n"));
        for (String p : CLOUD_INIT_PATHS) {
            cmd.add("-o");
            cmd.add("/dev/null");
            cmd.add("http://169.254.169.254" + p);
        }
        cmd.add("-o");
        cmd.add(idFile(vm).toString());
        cmd.add("http://169.254.169.254/latest/meta-data/instance-id");
        return vm.guest().exec(Duration.ofSeconds(90), cmd.toArray(String[]::new));
    }

    private static java.nio.file.Path idFile(ComputeNodeFixture.Vm vm) {
        return java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), vm.guest().namespace() + ".instance-id");
    }
}
