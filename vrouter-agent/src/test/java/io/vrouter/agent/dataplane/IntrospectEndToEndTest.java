package io.vrouter.agent.dataplane;

import static io.vrouter.agent.introspect.service.IntrospectClients.cli;
import static io.vrouter.agent.introspect.service.IntrospectClients.listed;
import static io.vrouter.agent.introspect.service.IntrospectClients.page;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.ComputeNodeAgent;
import io.vrouter.agent.introspect.service.IntrospectClients;
import io.vrouter.agent.introspect.service.IntrospectClients.CliRun;
import io.vrouter.agent.netns.NetnsHarness;
import io.vrouter.agent.port.InterfaceChecker;
import io.vrouter.cli.Dropstats;
import io.vrouter.cli.Flow;
import io.vrouter.cli.LinkLocal;
import io.vrouter.cli.MdTrace;
import io.vrouter.cli.Vif;
import io.vrouter.introspect.FlowMatches;
import io.vrouter.introspect.api.KFlowResp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/**
 * vrouter's CLIs against a running agent with a guest (root: namespace, veth, pcap): after the guest
 * fetched its metadata and sent a packet the agent does not forward, {@code vif --list} shows its
 * interface with counters, {@code flow -l --match 169.254.169.254:80} the NAT pair, {@code dropstats}
 * the drop, {@code linklocal} the metadata service with its flow, {@code mdtrace} the request; the
 * flow pages' XML equals the Thrift answer. The CLI outputs are printed (the README's examples).
 */
@Timeout(180)
class IntrospectEndToEndTest {

    @TempDir
    Path dir;

    @Test
    void clisShouldShowTheGuestsInterfaceFlowsDropsAndMetadataRequests() throws Exception {
        RealAgentNode.assumeRootWithPcap();
        try (NetnsHarness harness = NetnsHarness.create();
             RealAgentNode node = RealAgentNode.start(dir, harness, "introvm", 1)) {
            RealAgentNode.GuestPort port = node.plugGuest(harness, 1);

            try (ComputeNodeAgent agent = new ComputeNodeAgent(node.config(), new ComputeNodeAgent.Options()
                    .interfaces(InterfaceChecker.sysfs()))) {
                agent.start();
                HttpResponse<String> added = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + agent.portIpcAddress().getPort() + "/port"))
                        .POST(HttpRequest.BodyPublishers.ofString(port.json())).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, added.statusCode(), added.body());
                RealAgentNode.curlUntil200(port.guest(), "/latest/meta-data/instance-id");
                // a packet to what is no link-local service: a NO_SERVICE drop
                port.guest().exec(Duration.ofSeconds(10), "curl", "-s", "-m", "1", "http://10.9.1.1:81/");
                var thrift = agent.thriftAddress();
                // a keep-alive connection stays open while the CLIs look: its NAT pair stays in the table
                Thread holder = new Thread(() -> port.guest().exec(Duration.ofSeconds(30), "bash", "-c",
                        "exec 3<>/dev/tcp/169.254.169.254/80; printf 'GET /latest/meta-data/ HTTP/1.1\\r\\n"
                                + "Host: 169.254.169.254\\r\\n\\r\\n' >&3; sleep 12"));
                holder.setDaemon(true);
                holder.start();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                try (IntrospectClients.Client c = IntrospectClients.thrift(thrift)) {
                    while (c.agent().listFlows(FlowMatches.parse("169.254.169.254:80"), 0, 0).getFlow_list().isEmpty()) {
                        assertTrue(System.nanoTime() < deadline, "the held connection never made a flow");
                        Thread.sleep(50);
                    }
                }
                int vif = agent.ports().list().get(0).interfaceIndex();

                CliRun vifs = cli(new Vif(), thrift, "--list");
                System.out.println("$ vif --list\n" + vifs.out());
                assertEquals(0, vifs.status(), vifs.err());
                List<String> lines = vifs.out().lines().toList();
                int at = lines.indexOf(String.format("%-12sOS: %s (MTU %d)", "vif0/" + vif, port.guest().hostIf(),
                        agent.introspection().getInterface(vif).getMtu()));
                assertTrue(at > 0, vifs.out());
                assertEquals("            Type:Virtual HWaddr:02:00:00:00:19:03 IPaddr:10.9.1.3", lines.get(at + 1));
                assertTrue(lines.get(at + 4).matches("            RX packets:[1-9]\\d*  bytes:[1-9]\\d* errors:0"),
                        lines.get(at + 4));
                assertTrue(vifs.out().contains("vif0/0      OS: " + node.vhost()), vifs.out());

                CliRun flows = cli(new Flow(), thrift, "-l", "--match", "169.254.169.254:80");
                System.out.println("$ flow -l --match 169.254.169.254:80\n" + flows.out());
                assertEquals(0, flows.status(), flows.err());
                assertTrue(flows.out().contains("Listing flows matching ([169.254.169.254]:80)"), flows.out());
                assertTrue(flows.out().contains("10.9.1.3:"), flows.out());
                assertTrue(flows.out().contains("Action:N(") && flows.out().contains("L)"), flows.out());

                CliRun drops = cli(new Dropstats(), thrift);
                System.out.println("$ dropstats\n" + drops.out());
                assertEquals(0, drops.status(), drops.err());
                assertTrue(drops.out().lines().anyMatch(l -> l.matches("No Service {18}  [1-9]\\d*")), drops.out());

                CliRun ll = cli(new LinkLocal(), thrift);
                System.out.println("$ linklocal\n" + ll.out());
                assertTrue(ll.out().lines().anyMatch(l -> l.startsWith("metadata") && l.contains("169.254.169.254:80")
                        && l.contains("127.0.0.1(UP)") && l.contains("proxy")), ll.out());

                CliRun trace = cli(new MdTrace(), thrift, node.instance());
                System.out.println("$ mdtrace " + node.instance() + "\n" + trace.out());
                assertEquals(0, trace.status(), trace.err());
                assertTrue(trace.out().lines().anyMatch(l -> l.contains("GET") && l.contains(" 200 ")
                        && l.endsWith("/latest/meta-data/instance-id")), trace.out());

                try (IntrospectClients.Client c = IntrospectClients.thrift(thrift)) {
                    KFlowResp all = c.agent().listFlows(FlowMatches.any(), 0, 0);
                    Element kflows = page(agent.introspectAddress(), "/Snh_KFlowReq");
                    List<Element> items = listed(kflows, "flow_list", "KFlowInfo");
                    // flows age and move between the two reads only if idle for minutes: compare keys
                    assertEquals(all.getFlow_list().size(), items.size());
                    for (int i = 0; i < items.size(); i++) {
                        assertEquals(all.getFlow_list().get(i).getIndex() + "",
                                IntrospectClients.child(items.get(i), "index").getTextContent());
                    }
                    Element llFlows = page(agent.introspectAddress(), "/Snh_FetchLinkLocalFlowInfo");
                    var thriftLl = c.agent().listLinkLocalFlows().getLinklocal_flow_list();
                    List<Element> llItems = listed(llFlows, "linklocal_flow_list", "LinkLocalFlowInfo");
                    assertTrue(!llItems.isEmpty());
                    assertEquals(thriftLl.size(), llItems.size());
                    assertEquals(thriftLl.get(0).getSource_addr(),
                            IntrospectClients.child(llItems.get(0), "source_addr").getTextContent());
                }
                holder.join(30_000);
            }
        }
    }
}
