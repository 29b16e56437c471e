package io.vrouter.agent.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.ComputeNodeAgent;
import io.vrouter.agent.dataplane.host.HostCommand;
import io.vrouter.agent.netns.NetnsHarness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
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
        RealAgentNode.assumeRootWithPcap();
        try (NetnsHarness harness = NetnsHarness.create();
             RealAgentNode node = RealAgentNode.start(dir, harness, "agentvm", 0)) {
            RealAgentNode.GuestPort port = node.plugGuest(harness, 0);

            try (ComputeNodeAgent agent = new ComputeNodeAgent(node.config())) {
                agent.start();
                assertTrue(NetnsHarness.linkExists(node.vhost()), "vhost pair up");
                String ipc = "http://127.0.0.1:" + agent.portIpcAddress().getPort();
                HttpResponse<String> added = send("POST", ipc + "/port", port.json());
                assertEquals(200, added.statusCode(), added.body());

                String body = RealAgentNode.curlUntil200(port.guest(), "/latest/meta-data/instance-id");
                assertEquals(String.format("i-%08x", node.instance().hashCode()), body);

                String stats = send("GET", "http://127.0.0.1:" + agent.introspectAddress().getPort()
                        + "/stats/dataplane", null).body();
                assertTrue(stats.contains("\"linklocal_flows\""), stats);
                assertTrue(stats.contains(port.guest().hostIf()), stats);

                assertEquals(200, send("DELETE", ipc + "/port/" + port.portId(), null).statusCode());
                var after = port.guest().exec(Duration.ofSeconds(15), "curl", "-s", "-m", "2",
                        "http://169.254.169.254/latest/meta-data/instance-id");
                assertTrue(after.exitCode() != 0, "a deleted port is not served: " + after);
            }
            assertFalse(NetnsHarness.linkExists(node.vhost()), "vhost pair removed at stop");
            assertFalse(HostCommand.run("nft", "list", "table", "netdev", UserspaceDataplane.agentName(node.vhost())).ok(),
                    "nft table removed at stop");
        }
    }
}
