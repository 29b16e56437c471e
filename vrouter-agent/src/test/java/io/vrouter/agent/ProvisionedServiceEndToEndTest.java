package io.vrouter.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vrouter.agent.config.AgentConfig;
import io.vrouter.agent.dataplane.AgentEndToEndTest;
import io.vrouter.agent.dataplane.RealAgentNode;
import io.vrouter.agent.dataplane.EchoServers;
import io.vrouter.agent.dataplane.host.HostCommand;
import io.vrouter.agent.dataplane.io.PcapSupport;
import io.vrouter.agent.netns.Guest;
import io.vrouter.agent.netns.NetnsHarness;
import io.vrouter.agent.port.InterfaceChecker;
import io.vrouter.linklocal.novastandin.NovaMetadataStandIn;
import io.vrouter.linklocal.novastandin.StandInInstance;
import io.vrouter.linklocal.registry.RegistrySnapshot;
import io.vrouter.provision.api.ConfigApiServer;
import io.vrouter.provision.auth.BasicAuthenticator;
import io.vrouter.provision.auth.CredentialsFile;
import io.vrouter.provision.auth.PasswordHasher;
import io.vrouter.provision.auth.Role;
import io.vrouter.provision.cli.ExitStatus;
import io.vrouter.provision.cli.ProvisionLinklocal;
import io.vrouter.provision.store.MemoryConfigStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5, propagation to an agent, end to end on real namespaces and pcap (root only): an
 * operator runs {@code provision_linklocal} against the real config API server, and a
 * {@link ComputeNodeAgent} that follows that API (agent.conf {@code [LINKLOCAL] config_api_url},
 * reader credentials, pcap dataplane, a guest plugged in over the port IPC) serves the change
 * to the guest:
 * <ol>
 *   <li>{@code --oper add metadata} → the guest's {@code meta_data.json} carries its own uuid;</li>
 *   <li>{@code --oper add} of a TCP service → the guest reaches an echo server on the vhost address through it;</li>
 *   <li>{@code --oper del} of it → the guest no longer reaches it, metadata still works;</li>
 *   <li>config API stopped → the agent keeps its last config (metadata still served, a write
 *       fails with {@link ExitStatus#UNREACHABLE}); a config API restarted on the same port and
 *       store → a further change reaches the guest (catch-up).</li>
 * </ol>
 * The time from each {@code provision_linklocal} exit to the agent's registry and to the guest
 * seeing the change is printed ({@code PROPAGATION ...}), not asserted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProvisionedServiceEndToEndTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final String ADMIN = "admin";
    private static final String ADMIN_PASSWORD = "admin-pw-e2e";
    private static final String READER = "agent";
    private static final String READER_PASSWORD = "agent-pw-e2e";
    private static final String ECHO_IP = "169.254.169.100";
    private static final int ECHO_PORT = 7;
    private static final Duration PROPAGATION_LIMIT = Duration.ofSeconds(15);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void servicesProvisionedThroughTheConfigApiReachTheGuestAndOutliveAConfigApiRestart() throws Exception {
        NetnsHarness.assumeAvailable();
        if (!PcapSupport.isAvailable()) {
            System.err.println("WARNING: libpcap unavailable, end-to-end test SKIPPED: " + PcapSupport.unavailabilityCause());
        }
        assumeTrue(PcapSupport.isAvailable(), "libpcap unavailable");
        long startedNs = System.nanoTime();

        try (NetnsHarness harness = NetnsHarness.create();
             NovaMetadataStandIn nova = new NovaMetadataStandIn(SECRET);
             ConfigApi api = new ConfigApi()) {
            int novaPort = nova.start().getPort();
            String instance = UUID.randomUUID().toString();
            String project = UUID.randomUUID().toString();
            nova.addInstance(StandInInstance.of(instance, project.replace("-", ""), "provvm"));

            String vhost = NetnsHarness.uniqueIfName("v");
            String nftTable = "vrouter_" + vhost.replaceAll("[^A-Za-z0-9_]", "_");
            harness.deleteLinkOnClose(vhost);
            harness.deleteNftTableOnClose("netdev", nftTable);
            Guest g = harness.guest(NetnsHarness.uniqueIfName("g"), "10.77.0.3/24", "10.77.0.1", "02:00:00:00:77:03");

            AgentConfig config = agentConfig(vhost, api.baseUri());
            try (ComputeNodeAgent agent = new ComputeNodeAgent(config,
                    new ComputeNodeAgent.Options().interfaces(InterfaceChecker.sysfs()));
                 // A fabric service on this node, but not on loopback (refused as a fabric target): the vhost address.
                 EchoServers echo = new EchoServers(startAndGetVhostAddress(agent, config), "echo")) {
                String echoIp = echo.address().getHostAddress();
                assertTrue(NetnsHarness.linkExists(vhost), "vhost pair up");
                plugIn(agent, g, instance, project);
                awaitGuestAttached(agent, g);
                assertNull(agent.linkLocal().snapshot().metadataService(), "nothing provisioned yet");
                assertNotEquals("200", metadata(g, 1).status(), "no metadata before it is provisioned");

                // 1. metadata, with Contrail's canonical flags
                long exit = provision(api, "--oper", "add", "--linklocal_service_name", "metadata",
                        "--linklocal_service_ip", "169.254.169.254", "--linklocal_service_port", "80",
                        "--ipfabric_service_ip", "127.0.0.1", "--ipfabric_service_port", Integer.toString(novaPort));
                report("add metadata", exit, agent, s -> s.metadataService() != null, "metadata", null,
                        () -> instance.equals(uuidIn(metadata(g, 3))));

                // 2. a TCP service relayed to an echo server on this node
                exit = provision(api, "--oper", "add", "--linklocal_service_name", "echo",
                        "--linklocal_service_ip", ECHO_IP, "--linklocal_service_port", Integer.toString(ECHO_PORT),
                        "--ipfabric_service_ip", echoIp, "--ipfabric_service_port", Integer.toString(echo.port()));
                report("add echo", exit, agent, s -> s.byName("echo") != null, "echo", true,
                        () -> "echo:hello".equals(tcpExchange(g, "hello", 3)));
                assertTrue(echo.tcpConnections.get() >= 1, "the echo server saw the guest's connection");

                // 3. delete it: no longer reachable, metadata unaffected
                exit = provision(api, "--oper", "del", "--linklocal_service_name", "echo");
                report("del echo", exit, agent, s -> s.byName("echo") == null, "echo", false,
                        () -> tcpExchange(g, "late", 2).startsWith("FAILED"));
                int connectionsAfterDel = echo.tcpConnections.get();
                assertEquals("[]", introspect(agent, "/stats/dataplane").path("relays").toString(), "its relays stopped");
                assertEquals(instance, uuidIn(metadata(g, 5)), "metadata still served after the delete");

                // 4. the config API goes away: the agent notices, keeps its last config
                long errorsBefore = watchStats(agent).path("errors").asLong();
                api.stop();
                awaitWatchErrorsAbove(agent, errorsBefore);
                assertEquals(instance, uuidIn(metadata(g, 5)), "metadata served from the last config while the API is down");
                assertTrue(tcpExchange(g, "down", 2).startsWith("FAILED"), "the deleted service stays deleted");
                assertEquals(connectionsAfterDel, echo.tcpConnections.get(), "no connection reached the echo server after del");
                CliRun refused = CliRun.run(api.cliArgs("--oper", "add", "--linklocal_service_name", "echo",
                        "--linklocal_service_ip", ECHO_IP, "--linklocal_service_port", Integer.toString(ECHO_PORT),
                        "--ipfabric_service_ip", echoIp, "--ipfabric_service_port", Integer.toString(echo.port())));
                assertEquals(ExitStatus.UNREACHABLE, refused.status(), refused::toString);

                // 5. a config API on the same port and store: the next change reaches the agent
                api.restart();
                exit = provision(api, "--oper", "add", "--linklocal_service_name", "echo",
                        "--linklocal_service_ip", ECHO_IP, "--linklocal_service_port", Integer.toString(ECHO_PORT),
                        "--ipfabric_service_ip", echoIp, "--ipfabric_service_port", Integer.toString(echo.port()));
                report("add echo after config API restart", exit, agent, s -> s.byName("echo") != null,
                        "echo", true, () -> "echo:back".equals(tcpExchange(g, "back", 3)));
                assertEquals(instance, uuidIn(metadata(g, 5)), "metadata still served after the restart");
                assertEquals(api.revision(), watchStats(agent).path("revision").asLong(),
                        "the agent holds the API's latest revision");
            }
            assertFalse(NetnsHarness.linkExists(vhost), "vhost pair removed at agent stop");
            assertFalse(HostCommand.run("nft", "list", "table", "netdev", nftTable).ok(), "nft table removed at agent stop");
        } finally {
            System.out.printf("PROPAGATION test ran %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNs));
        }
    }

    // ---- the agent ------------------------------------------------------------------------

    /** The vhost veth's own address ([DATAPLANE] internal_address): the fabric {@code ip} is the NIC's, not assigned here. */
    private static InetAddress startAndGetVhostAddress(ComputeNodeAgent agent, AgentConfig config) throws Exception {
        agent.start();
        return config.dataplane().internalAddress();
    }

    private AgentConfig agentConfig(String vhost, URI configApi) throws Exception {
        long pid = ProcessHandle.current().pid();
        String vhostIp = "198.18." + (pid >> 8 & 0xff) + "." + ((pid & 0x7f) | 0x80);
        return RealAgentNode.agentConfig(dir, vhost, vhostIp, String.join("\n",
                "config_api_url = " + configApi, "config_api_user = " + READER, "config_api_password = " + READER_PASSWORD,
                "cache_file = " + dir.resolve("linklocal-cache.json")), 16000 + (int) (pid % 10000));
    }

    /** What nova's VIF driver does through vrouter-port-control. */
    private static void plugIn(ComputeNodeAgent agent, Guest g, String instance, String project) throws Exception {
        String portJson = """
                {"id": "%s", "instance-id": "%s", "vn-id": "%s", "vm-project-id": "%s",
                 "display-name": "provvm", "ip-address": "%s", "ip6-address": "", "type": 0,
                 "system-name": "%s", "mac-address": "%s", "rx-vlan-id": -1, "tx-vlan-id": -1}
                """.formatted(UUID.randomUUID(), instance, UUID.randomUUID(), project, g.ip(), g.hostIf(), g.mac());
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + agent.portIpcAddress().getPort() + "/port")).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(portJson)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
    }

    /** Port IPC returns before the dataplane attached the port (its own thread). */
    private static void awaitGuestAttached(ComputeNodeAgent agent, Guest g) throws Exception {
        String stats = "";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            stats = introspect(agent, "/stats/dataplane").toString();
            if (stats.contains(g.hostIf())) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("port " + g.hostIf() + " never attached: " + stats);
    }

    private static JsonNode introspect(ComputeNodeAgent agent, String page) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + agent.introspectAddress().getPort() + page)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private static JsonNode watchStats(ComputeNodeAgent agent) throws Exception {
        JsonNode s = introspect(agent, "/stats/linklocal").path("config_api");
        assertTrue(s.isObject(), () -> "the agent follows a config API: " + s);
        return s;
    }

    private static void awaitWatchErrorsAbove(ComputeNodeAgent agent, long before) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode s = watchStats(agent);
        while (s.path("errors").asLong() <= before && System.nanoTime() < deadline) {
            Thread.sleep(20);
            s = watchStats(agent);
        }
        assertTrue(s.path("errors").asLong() > before, "the agent noticed the config API going away: " + s);
    }

    // ---- provision_linklocal --------------------------------------------------------------

    /** One in-process run of {@code provision_linklocal}, with what it printed. */
    private record CliRun(int status, String out, String err) {
        static CliRun run(String... args) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = ProvisionLinklocal.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            return new CliRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }

    /** Runs provision_linklocal with the admin credentials, asserts success, returns its exit time. */
    private static long provision(ConfigApi api, String... args) {
        CliRun r = CliRun.run(api.cliArgs(args));
        long exitNs = System.nanoTime();
        assertEquals(ExitStatus.OK, r.status(), () -> "provision_linklocal " + String.join(" ", args) + ": " + r);
        return exitNs;
    }

    // ---- propagation measurement ----------------------------------------------------------

    /**
     * Probes the guest from the provision_linklocal exit until it sees the change, while a
     * watcher thread notes when the agent's registry and (for a relayed service) its dataplane's
     * relays have it; prints the three delays. Fails after {@link #PROPAGATION_LIMIT}.
     *
     * <p>Reading the guest's numbers: a probe is sent at once, so it may race the agent. A TCP
     * probe whose SYN arrives before the dataplane has the service loses that SYN and succeeds
     * on the guest kernel's retransmission (1 s later); "answered" is then about a second after
     * the agent had the change. For a removal, the probe that saw it was launched at "launched" and
     * reported only when its timeout expired. "Launched" is when the test started the probe's process;
     * its first packet leaves the guest some milliseconds later.
     *
     * @param relayed whether the dataplane runs a relay for the service after the change, or
     *                {@code null} when there is no relay to watch (metadata)
     */
    private static void report(String change, long exitNs, ComputeNodeAgent agent, Predicate<RegistrySnapshot> inRegistry,
            String service, Boolean relayed, BooleanSupplier guestSees) throws InterruptedException {
        long deadline = exitNs + PROPAGATION_LIMIT.toNanos();
        AtomicLong registryNs = new AtomicLong();
        AtomicLong dataplaneNs = new AtomicLong();
        if (relayed != null) {
            hasRelay(agent, service); // fails here, not silently in the watcher, when the section has no relays
        }
        Thread watcher = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted() && System.nanoTime() < deadline
                    && (registryNs.get() == 0 || relayed != null && dataplaneNs.get() == 0)) {
                if (registryNs.get() == 0 && inRegistry.test(agent.linkLocal().snapshot())) {
                    registryNs.set(System.nanoTime());
                }
                if (relayed != null && dataplaneNs.get() == 0 && hasRelay(agent, service) == relayed) {
                    dataplaneNs.set(System.nanoTime());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }
        }, "propagation-watch");
        watcher.setDaemon(true);
        watcher.start();
        try {
            int probes = 0;
            while (true) {
                long probeNs = System.nanoTime();
                probes++;
                if (guestSees.getAsBoolean()) {
                    long answeredNs = System.nanoTime();
                    watcher.join(2000); // what the guest saw must already be in the agent
                    assertTrue(registryNs.get() != 0, () -> change + ": the guest saw it but the registry does not have it: "
                            + agent.linkLocal().snapshot());
                    System.out.printf("PROPAGATION %-34s registry +%4d ms, relays %s, guest: the probe that saw it launched +%4d ms,"
                                    + " answered +%4d ms (%d probe(s))%n", change, ms(registryNs.get() - exitNs),
                            relayed == null ? "   (n/a)" : dataplaneNs.get() == 0 ? "(not seen)"
                                    : String.format("+%4d ms", ms(dataplaneNs.get() - exitNs)),
                            ms(probeNs - exitNs), ms(answeredNs - exitNs), probes);
                    return;
                }
                assertTrue(System.nanoTime() < deadline, () -> change + ": the guest did not see it within "
                        + PROPAGATION_LIMIT + "; agent registry: " + agent.linkLocal().snapshot());
                Thread.sleep(20);
            }
        } finally {
            watcher.interrupt();
            watcher.join(1000);
        }
    }

    /** Whether the agent's dataplane runs a relay for {@code service} (its introspect section). */
    private static boolean hasRelay(ComputeNodeAgent agent, String service) {
        Object section = agent.stats().snapshot("dataplane");
        JsonNode relays = section instanceof JsonNode n ? n.path("relays") : null;
        if (relays == null || !relays.isArray()) {
            throw new AssertionError("no relays in the dataplane's stats: " + section);
        }
        for (JsonNode r : relays) {
            if (r.asText().equals(service)) {
                return true;
            }
        }
        return false;
    }

    private static long ms(long ns) {
        return TimeUnit.NANOSECONDS.toMillis(ns);
    }

    // ---- guest probes ---------------------------------------------------------------------

    private record Answer(int exitCode, String body, String status) {
    }

    private static Answer metadata(Guest g, int timeoutSeconds) {
        var r = g.exec(Duration.ofSeconds(timeoutSeconds + 10), "curl", "-s", "-m", Integer.toString(timeoutSeconds),
                "-w", "\n%{http_code}", "http://169.254.169.254/openstack/latest/meta_data.json");
        String out = r.stdout();
        int nl = out.lastIndexOf('\n');
        return new Answer(r.exitCode(), nl < 0 ? "" : out.substring(0, nl), nl < 0 ? out : out.substring(nl + 1));
    }

    /** The {@code uuid} of a 200 meta_data.json answer, else a description of the answer. */
    private static String uuidIn(Answer a) {
        if (a.exitCode() != 0 || !a.status().equals("200")) {
            return "no metadata: " + a;
        }
        try {
            return JSON.readTree(a.body()).path("uuid").asText("no uuid in " + a.body());
        } catch (IOException e) {
            return "not JSON: " + a.body();
        }
    }

    /** bash's /dev/tcp to the echo service: send a line, read the first line back. */
    private static String tcpExchange(Guest g, String line, int timeoutSeconds) {
        var r = g.exec(Duration.ofSeconds(timeoutSeconds + 10), "timeout", Integer.toString(timeoutSeconds), "bash", "-c",
                "exec 3<>/dev/tcp/" + ECHO_IP + "/" + ECHO_PORT + " && echo " + line
                        + " >&3 && read -t 5 -r reply <&3 && echo \"$reply\"");
        return r.ok() ? r.stdout().strip() : "FAILED(" + r.exitCode() + ")";
    }

    // ---- fixtures -------------------------------------------------------------------------

    /**
     * The real config API server in-process on 127.0.0.1 (memory store, HTTP Basic with an admin
     * and a reader), stoppable and restartable on the same port with the same store.
     */
    private static final class ConfigApi implements AutoCloseable {
        private final MemoryConfigStore store = new MemoryConfigStore();
        private final BasicAuthenticator auth;
        private ConfigApiServer server;
        private int port;

        ConfigApi() throws Exception {
            CredentialsFile users = CredentialsFile.empty();
            users.put(ADMIN, Role.ADMIN, ADMIN_PASSWORD.toCharArray(), PasswordHasher.MIN_ITERATIONS);
            users.put(READER, Role.READER, READER_PASSWORD.toCharArray(), PasswordHasher.MIN_ITERATIONS);
            auth = new BasicAuthenticator(users);
            restart();
        }

        URI baseUri() {
            return URI.create("http://127.0.0.1:" + port);
        }

        /** Contrail's connection flags for this API and the admin, then {@code more}. */
        String[] cliArgs(String... more) {
            List<String> all = new ArrayList<>(List.of("--api_server_ip", "127.0.0.1",
                    "--api_server_port", Integer.toString(port), "--admin_user", ADMIN,
                    "--admin_password", ADMIN_PASSWORD, "--admin_tenant_name", "admin"));
            all.addAll(List.of(more));
            return all.toArray(String[]::new);
        }

        long revision() throws Exception {
            return store.current().revision();
        }

        void stop() {
            if (server != null) {
                server.close();
                server = null;
            }
        }

        void restart() throws Exception {
            assertNull(server, "already running");
            int asked = port;
            server = ConfigApiServer.start(new InetSocketAddress("127.0.0.1", asked), store, auth, null);
            port = server.port();
            assertTrue(asked == 0 || asked == port, () -> "restarted on port " + port + ", not " + asked);
        }

        @Override
        public void close() {
            stop();
            store.close();
        }
    }

}
