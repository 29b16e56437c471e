package io.vrouter.agent.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vrouter.agent.ComputeNodeAgent;
import io.vrouter.agent.config.AgentConfig;
import io.vrouter.agent.config.AgentConfigParser;
import io.vrouter.agent.dataplane.host.HostCommand;
import io.vrouter.agent.dataplane.io.PcapSupport;
import io.vrouter.agent.netns.Guest;
import io.vrouter.agent.netns.NetnsHarness;
import io.vrouter.linklocal.novastandin.NovaMetadataStandIn;
import io.vrouter.linklocal.novastandin.StandInInstance;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as AgentMain runs it, with this dataplane ({@link UserspaceDataplane}) configured
 * from agent.conf and a port registered over the port IPC (what vrouter-port-control does):
 * the guest gets its metadata, introspect shows the dataplane, a deleted port is no longer
 * served, and stopping the agent removes the vhost pair and the nft table (root only).
 */
@Timeout(120)
public class AgentEndToEndTest {
    public static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    static HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void agentWithThePcapDataplaneServesAPortRegisteredOverPortIpc() throws Exception {
        NetnsHarness.assumeAvailable();
        assumeTrue(PcapSupport.isAvailable(), "libpcap unavailable");
        try (NetnsHarness harness = NetnsHarness.create(); NovaMetadataStandIn nova = new NovaMetadataStandIn(SECRET)) {
            int novaPort = nova.start().getPort();
            String instance = UUID.randomUUID().toString();
            String project = UUID.randomUUID().toString();
            nova.addInstance(StandInInstance.of(instance, project.replace("-", ""), "agentvm"));
            String vhost = NetnsHarness.uniqueIfName("v");
            var config = agentConfig(harness, dir, vhost, novaPort);

            Guest g = harness.guest(NetnsHarness.uniqueIfName("g"), "10.9.0.3/24", "10.9.0.1", "02:00:00:00:09:03");
            String portId = UUID.randomUUID().toString();
            String portJson = """
                    {"id": "%s", "instance-id": "%s", "vn-id": "%s", "vm-project-id": "%s",
                     "display-name": "agentvm", "ip-address": "10.9.0.3", "ip6-address": "", "type": 0,
                     "system-name": "%s", "mac-address": "02:00:00:00:09:03", "rx-vlan-id": -1, "tx-vlan-id": -1}
                    """.formatted(portId, instance, UUID.randomUUID(), project, g.hostIf());

            try (ComputeNodeAgent agent = new ComputeNodeAgent(config)) {
                agent.start();
                assertTrue(NetnsHarness.linkExists(vhost), "vhost pair up");
                String ipc = "http://127.0.0.1:" + agent.portIpcAddress().getPort();
                HttpResponse<String> added = send("POST", ipc + "/port", portJson);
                assertEquals(200, added.statusCode(), added.body());

                String body = curlUntil200(g, "/latest/meta-data/instance-id");
                assertEquals(String.format("i-%08x", instance.hashCode()), body);

                String stats = send("GET", "http://127.0.0.1:" + agent.introspectAddress().getPort()
                        + "/stats/dataplane", null).body();
                assertTrue(stats.contains("\"linklocal_flows\""), stats);
                assertTrue(stats.contains(g.hostIf()), stats);

                assertEquals(200, send("DELETE", ipc + "/port/" + portId, null).statusCode());
                var after = g.exec(Duration.ofSeconds(15), "curl", "-s", "-m", "2",
                        "http://169.254.169.254/latest/meta-data/instance-id");
                assertTrue(after.exitCode() != 0, "a deleted port is not served: " + after);
            }
            assertFalse(NetnsHarness.linkExists(vhost), "vhost pair removed at stop");
            assertFalse(HostCommand.run("nft", "list", "table", "netdev", UserspaceDataplane.agentName(vhost)).ok(),
                    "nft table removed at stop");
        }
    }

    /**
     * agent.conf for a test agent whose metadata goes to the nova stand-in on
     * 127.0.0.1:{@code novaPort} through a services file: see {@link #agentConfig(Path, String, String, String, int)}.
     * The vhost {@code vhost} and its nft table are torn down by {@code harness}.
     */
    static AgentConfig agentConfig(NetnsHarness harness, Path dir, String vhost, int novaPort) throws Exception {
        Path services = Files.writeString(dir.resolve("ll.json"), """
                {"linklocal_service_entry": [{"linklocal_service_name": "metadata",
                  "linklocal_service_ip": "169.254.169.254", "linklocal_service_port": 80,
                  "ip_fabric_service_ip": ["127.0.0.1"], "ip_fabric_service_port": %d}]}
                """.formatted(novaPort));
        harness.deleteLinkOnClose(vhost);
        harness.deleteNftTableOnClose("netdev", UserspaceDataplane.agentName(vhost));
        long pid = ProcessHandle.current().pid();
        return agentConfig(dir, vhost, "198.19." + (pid >> 8 & 0xff) + "." + ((pid & 0x7f) | 0x81),
                "services_file = " + services, 6000 + (int) (pid % 10000));
    }

    /**
     * agent.conf for a test agent: state under {@code dir}, vhost {@code vhost} with
     * {@code vhostIp}/32, ports asked from the OS, {@code linklocal} as the [LINKLOCAL] lines.
     */
    public static AgentConfig agentConfig(Path dir, String vhost, String vhostIp, String linklocal, int routeTable)
            throws Exception {
        return AgentConfigParser.parse(new StringReader("""
                [DEFAULT]
                http_server_port = 0
                port_ipc_port = 0
                ports_dir = %s
                [VIRTUAL-HOST-INTERFACE]
                name = %s
                ip = 10.0.0.5/24
                [METADATA]
                metadata_proxy_secret = %s
                metadata_proxy_port = 8097
                [LINKLOCAL]
                %s
                [DATAPLANE]
                internal_address = %s
                route_table = %d
                """.formatted(dir.resolve("ports"), vhost, SECRET, linklocal, vhostIp, routeTable)), "test").config();
    }

    /** Port IPC returns before the dataplane attached the port (its own thread): allow a moment. */
    static String curlUntil200(Guest g, String path) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String last = "";
        while (System.nanoTime() < deadline) {
            var r = g.exec(Duration.ofSeconds(15), "curl", "-s", "-m", "3", "-w", "\n%{http_code}",
                    "http://169.254.169.254" + path);
            last = r.stdout();
            if (r.ok() && last.endsWith("\n200")) {
                return last.substring(0, last.length() - 4);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no 200 for " + path + ": " + last);
    }
}
