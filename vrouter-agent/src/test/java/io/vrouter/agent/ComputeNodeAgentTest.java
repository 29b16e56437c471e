package io.vrouter.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vrouter.agent.config.AgentConfig;
import io.vrouter.agent.config.AgentConfigParser;
import io.vrouter.agent.dataplane.AgentDataplane;
import io.vrouter.agent.dataplane.DataplaneContext;
import io.vrouter.agent.dataplane.UserspaceDataplane;
import io.vrouter.agent.port.VmPort;
import io.vrouter.linklocal.configclient.FakeConfigApi;
import io.vrouter.linklocal.novastandin.NovaMetadataStandIn;
import java.io.InputStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ComputeNodeAgentTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    static String portJson(int n) {
        return """
                {"id": "00000001-0000-4000-8000-%012x", "instance-id": "00000002-0000-4000-8000-%012x",
                 "vn-id": "00000003-0000-4000-8000-000000000001", "vm-project-id": "00000004000040008000000000000001",
                 "display-name": "vm", "ip-address": "10.0.0.%d", "ip6-address": "", "type": 0,
                 "system-name": "tap%d", "mac-address": "02:00:00:00:00:%02x", "rx-vlan-id": -1, "tx-vlan-id": -1}
                """.formatted(n, n, n + 2, n, n);
    }

    /**
     * The test agent.conf with the dataplane on (a {@link FakeDataplane} stands in for it) on a
     * loopback vhost: the parser refuses a loopback vhost for a real dataplane, so the file says
     * proxy-only and the record is switched back on here, unless {@code extra} has its own [DATAPLANE].
     */
    AgentConfig config(String extra) throws Exception {
        boolean ownDataplane = extra.contains("[DATAPLANE]");
        AgentConfig c = AgentConfigParser.parse(new StringReader(TestAgentConf.text(dir.resolve("ports"), freePort(),
                ownDataplane ? extra : extra + "[DATAPLANE]\nenabled = false\n")), "test").config();
        return ownDataplane ? c : new AgentConfig(c.general(), c.vhost(), c.metadata(), c.flows(), c.linklocal(),
                new AgentConfig.Dataplane(true, c.dataplane().routeTable(),
                io.vrouter.agent.dataplane.host.PortMode.EXCLUSIVE, (java.net.Inet4Address) c.vhost().ip()), c.logging());
    }

    static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A dataplane that records what the agent tells it. */
    static final class FakeDataplane implements AgentDataplane {
        final List<String> events = new CopyOnWriteArrayList<>();
        DataplaneContext context;
        String cause;

        @Override
        public String unavailabilityCause() {
            return cause;
        }

        AgentDataplane create(DataplaneContext ctx) {
            this.context = ctx;
            ctx.stats().register("dataplane", () -> Map.of("events", events.size()));
            events.add("create");
            return this;
        }

        @Override
        public void start() {
            events.add("start");
        }

        @Override
        public void close() {
            events.add("close");
        }

        @Override
        public void portAdded(VmPort port) {
            events.add("+" + port.systemName());
        }

        @Override
        public void portRemoved(VmPort port) {
            events.add("-" + port.systemName());
        }
    }

    ComputeNodeAgent agent(AgentConfig c, FakeDataplane dp) {
        return new ComputeNodeAgent(c, new ComputeNodeAgent.Options().interfaces(name -> name.startsWith("tap"))
                .dataplane(dp::create));
    }

    HttpResponse<String> send(String method, String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServePortsThroughIpcAndIntrospectAndReplayThemAfterRestart() throws Exception {
        FakeDataplane dp = new FakeDataplane();
        VmPort added;
        try (ComputeNodeAgent a = agent(config(""), dp)) {
            a.start();
            String ipc = "http://127.0.0.1:" + a.portIpcAddress().getPort();
            String intro = "http://127.0.0.1:" + a.introspectAddress().getPort();
            assertEquals(200, send("POST", ipc + "/port", portJson(1)).statusCode());
            assertEquals(200, send("POST", ipc + "/port", portJson(2)).statusCode());
            assertEquals(200, send("DELETE", ipc + "/port/00000001-0000-4000-8000-000000000001", null).statusCode());

            JsonNode ports = JSON.readTree(send("GET", intro + "/ports", null).body());
            assertEquals(1, ports.size());
            assertEquals("tap2", ports.get(0).get("system-name").asText());
            JsonNode stats = JSON.readTree(send("GET", intro + "/stats", null).body());
            assertEquals(1, stats.get("ports").get("ports").asInt());
            assertEquals(2, stats.get("ports").get("added").asInt());
            assertEquals(1, stats.get("linklocal").get("registry").get("services").asInt());
            assertTrue(stats.has("dataplane"), stats.toString());
            assertTrue(stats.get("agent").has("uptime_seconds"));
            JsonNode ll = JSON.readTree(send("GET", intro + "/linklocal", null).body());
            assertEquals("metadata", ll.get("linklocal_services").get("linklocal_service_entry").get(0)
                    .get("linklocal_service_name").asText());

            added = a.ports().list().get(0);
            assertEquals("00000002-0000-4000-8000-000000000002",
                    a.instanceDirectory().lookup(added.metadataIp()).instanceId());
            assertEquals(List.of("create", "start", "+tap1", "+tap2", "-tap1"), dp.events);
            assertNotNull(dp.context.linklocal().snapshot().metadataService());
            assertEquals(a.config().metadata().proxyPort(), a.metadataProxyAddress().getPort());
        }
        assertEquals("close", dp.events.get(dp.events.size() - 1));

        FakeDataplane again = new FakeDataplane();
        try (ComputeNodeAgent b = agent(config(""), again)) {
            b.start();
            assertEquals(List.of(added), b.ports().list());
            assertEquals(List.of("create", "start", "+tap2"), again.events, "replayed ports reach the started dataplane");
            assertEquals("00000002-0000-4000-8000-000000000002",
                    b.instanceDirectory().lookup(added.metadataIp()).instanceId());
            assertNull(b.instanceDirectory().lookup(InetAddress.getByName("169.254.0.1")));
        }
    }

    @Test
    void secondAgentOnTheSameStateShouldBeRefusedAndLeaveTheFirstRunning() throws Exception {
        try (ComputeNodeAgent first = agent(config(""), new FakeDataplane())) {
            first.start();
            ComputeNodeAgent second = agent(config(""), new FakeDataplane());
            Exception e = assertThrows(Exception.class, second::start);
            assertTrue(e.getMessage().contains("another agent is running"), e.getMessage());
            String ipc = "http://127.0.0.1:" + first.portIpcAddress().getPort();
            assertEquals(200, send("POST", ipc + "/port", portJson(1)).statusCode());
        }
        try (ComputeNodeAgent third = agent(config(""), new FakeDataplane())) {
            third.start(); // the lock went with the first agent
            assertEquals(1, third.ports().size());
        }
    }

    @Test
    void unavailableOrMissingDataplaneShouldStopTheStartWithTheReason() throws Exception {
        FakeDataplane dp = new FakeDataplane();
        dp.cause = "libpcap not found";
        Exception e = assertThrows(Exception.class, () -> agent(config(""), dp).start());
        assertTrue(e.getMessage().contains("libpcap not found") && e.getMessage().contains("enabled = false"), e.getMessage());

        // and the state directory is free again after the failed starts
        try (ComputeNodeAgent proxyOnly = new ComputeNodeAgent(config("[DATAPLANE]\nenabled = false\n"),
                new ComputeNodeAgent.Options().interfaces(n -> true))) {
            proxyOnly.start();
            assertNotNull(proxyOnly.portIpcAddress());
        }
    }

    @Test
    void defaultDataplaneShouldBeTheUserspaceOneMadeFromAgentConfWithoutTouchingTheHost() throws Exception {
        AgentConfig c = config("");
        AgentDataplane dp = new ComputeNodeAgent.Options().dataplane.apply(
                new DataplaneContext(c, io.vrouter.linklocal.registry.LinkLocalRegistry.builder().build(),
                        new io.vrouter.agent.introspect.StatsRegistry()));
        assertTrue(dp instanceof UserspaceDataplane, dp.getClass().getName());
        dp.close(); // never started: nothing to undo
    }

    @Test
    void servicesFileShouldBeUsedAndAnInvalidOneRefused() throws Exception {
        Path good = Files.writeString(dir.resolve("ll.json"), """
                {"linklocal_service_entry": [
                  {"linklocal_service_name": "metadata", "linklocal_service_ip": "169.254.169.254",
                   "linklocal_service_port": 80, "ip_fabric_service_ip": ["10.1.1.1", "10.1.1.2"],
                   "ip_fabric_service_port": 8775},
                  {"linklocal_service_name": "ntp", "linklocal_service_ip": "169.254.169.123",
                   "linklocal_service_port": 123, "ip_fabric_service_ip": ["10.1.1.3"],
                   "ip_fabric_service_port": 123}]}
                """);
        try (ComputeNodeAgent a = agent(config("[LINKLOCAL]\nservices_file = " + good + "\n"), new FakeDataplane())) {
            a.start();
            assertEquals(2, a.linkLocal().snapshot().size());
            assertEquals(List.of(new InetSocketAddress("10.1.1.1", 8775), new InetSocketAddress("10.1.1.2", 8775)),
                    new io.vrouter.agent.linklocal.RegistryUpstreams(a.linkLocal()).current());
        }
        Path bad = Files.writeString(dir.resolve("bad.json"),
                "{\"linklocal_service_entry\": [{\"linklocal_service_name\": \"metadata\", \"linklocal_service_port\": 99999}]}");
        Exception e = assertThrows(Exception.class,
                () -> agent(config("[LINKLOCAL]\nservices_file = " + bad + "\n"), new FakeDataplane()).start());
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    }

    @Test
    void metadataProxyShouldRunWithTheAgentsDirectoryAndRefuseANonVmSource() throws Exception {
        try (NovaMetadataStandIn nova = new NovaMetadataStandIn("0123456789abcdef0123456789abcdef")) {
            InetSocketAddress novaAddr = nova.start();
            Path services = Files.writeString(dir.resolve("ll.json"), """
                    {"linklocal_service_entry": [{"linklocal_service_name": "metadata",
                      "linklocal_service_ip": "169.254.169.254", "linklocal_service_port": 80,
                      "ip_fabric_service_ip": ["127.0.0.1"], "ip_fabric_service_port": %d}]}
                    """.formatted(novaAddr.getPort()));
            try (ComputeNodeAgent a = agent(config("[LINKLOCAL]\nservices_file = " + services + "\n"),
                    new FakeDataplane())) {
                a.start();
                assertEquals(List.of(novaAddr), new io.vrouter.agent.linklocal.RegistryUpstreams(a.linkLocal()).current());
                // 127.0.0.1 is no VM's metadata IP: the proxy must refuse without asking nova.
                HttpResponse<String> r = send("GET", "http://127.0.0.1:" + a.metadataProxyAddress().getPort()
                        + "/latest/meta-data/instance-id", null);
                assertEquals(403, r.statusCode(), r.body());
                // nor did the start's warm-up (its own loopback proxy and answerer) reach nova or these counters
                assertEquals(0, nova.requests().size());
                JsonNode proxy = JSON.readTree(send("GET", "http://127.0.0.1:" + a.introspectAddress().getPort()
                        + "/stats/proxy", null).body());
                assertEquals(1, proxy.get("requests").asLong(), proxy.toString());
                assertEquals(1, proxy.get("rejected").get("UNKNOWN_SOURCE").asLong(), proxy.toString());
            }
        }
    }

    @Test
    void configApiShouldFeedTheRegistryAndItsCache() throws Exception {
        try (FakeConfigApi api = new FakeConfigApi().start()) {
            api.forceObject("""
                    {"linklocal_service_entry": [{"linklocal_service_name": "metadata",
                      "linklocal_service_ip": "169.254.169.254", "linklocal_service_port": 80,
                      "ip_fabric_service_ip": ["10.9.9.9"], "ip_fabric_service_port": 8775}]}
                    """);
            Path cache = dir.resolve("cache").resolve("ll-cache.json");
            try (ComputeNodeAgent a = agent(config("[LINKLOCAL]\nconfig_api_url = " + api.baseUri()
                    + "\nconfig_api_user = " + FakeConfigApi.ADMIN + "\nconfig_api_password = "
                    + FakeConfigApi.ADMIN_PASSWORD + "\ncache_file = " + cache + "\n"), new FakeDataplane())) {
                a.start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (a.linkLocal().snapshot().metadataService() == null && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertEquals(List.of(new InetSocketAddress("10.9.9.9", 8775)),
                        new io.vrouter.agent.linklocal.RegistryUpstreams(a.linkLocal()).current());
                while (!Files.exists(cache) && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(Files.exists(cache), "the config API's answer is cached on disk");
                JsonNode stats = JSON.readTree(send("GET", "http://127.0.0.1:" + a.introspectAddress().getPort()
                        + "/stats/linklocal", null).body());
                assertTrue(stats.get("source").asText().startsWith("config-api"), stats.toString());
                assertTrue(stats.has("config_api"), stats.toString());
            }
        }
    }

    @Test
    void portInUseShouldStopTheStartNamingTheServerAndAddress() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            AgentConfig c = config("");
            AgentConfig clash = new AgentConfig(new AgentConfig.General(c.general().introspectPort(),
                    taken.getLocalPort(), c.general().portsDir(), c.general().introspectIp(), c.general().thriftPort(),
                    c.general().staleInterfaceCleanupSeconds()), c.vhost(), c.metadata(),
                    c.flows(), c.linklocal(), c.dataplane(), c.logging());
            FakeDataplane dp = new FakeDataplane();
            Exception e = assertThrows(Exception.class, () -> agent(clash, dp).start());
            assertTrue(e.getMessage().contains("port IPC: cannot listen on /127.0.0.1:" + taken.getLocalPort()),
                    e.getMessage());
            assertEquals("close", dp.events.get(dp.events.size() - 1), "what had started was stopped");
        }
        try (ComputeNodeAgent again = agent(config(""), new FakeDataplane())) {
            again.start(); // nothing of the failed start is left holding the lock or the proxy port
        }
    }

    @Test
    void builtInServicesShouldBeTheShippedDefault() throws Exception {
        try (InputStream in = ComputeNodeAgent.class.getResourceAsStream(io.vrouter.agent.linklocal.BuiltInServices.RESOURCE)) {
            assertNotNull(in);
            assertArrayEquals(Files.readAllBytes(Path.of("..", "conf", "linklocal-services.json")), in.readAllBytes(),
                    "conf/linklocal-services.json and the embedded copy must not drift apart");
        }
    }
}
