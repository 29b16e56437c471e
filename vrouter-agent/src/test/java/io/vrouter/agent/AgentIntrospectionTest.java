package io.vrouter.agent;

import static io.vrouter.agent.introspect.service.IntrospectClients.assertSameScalars;
import static io.vrouter.agent.introspect.service.IntrospectClients.child;
import static io.vrouter.agent.introspect.service.IntrospectClients.children;
import static io.vrouter.agent.introspect.service.IntrospectClients.get;
import static io.vrouter.agent.introspect.service.IntrospectClients.listed;
import static io.vrouter.agent.introspect.service.IntrospectClients.page;
import static io.vrouter.agent.introspect.service.IntrospectClients.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.config.AgentConfigParser;
import io.vrouter.agent.introspect.service.IntrospectClients;
import io.vrouter.drop.DropReason;
import io.vrouter.introspect.api.FlowMatch;
import io.vrouter.introspect.api.InvalidRequest;
import io.vrouter.introspect.api.ItfResp;
import io.vrouter.introspect.api.LinkLocalServiceResponse;
import io.vrouter.introspect.api.MetadataResponse;
import io.vrouter.introspect.api.NodeStatus;
import io.vrouter.introspect.api.NotFound;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/**
 * The agent's introspection without privileges (proxy-only mode, loopback): the Snh_ pages are
 * well-formed XML carrying what the Thrift service answers, field by field; contrail-status's page
 * calls the agent Functional; /metrics parses with Prometheus' parser and agrees with Thrift; bad
 * requests get clear errors on every path.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AgentIntrospectionTest {
    private static final String INSTANCE = "00000002-0000-4000-8000-000000000003";

    @TempDir
    Path dir;
    private ComputeNodeAgent agent;
    private InetSocketAddress http;
    private InetSocketAddress thrift;

    @BeforeEach
    void startAgentWithOnePortAndOneRefusedRequest() throws Exception {
        agent = new ComputeNodeAgent(AgentConfigParser.parse(new StringReader(TestAgentConf.text(dir.resolve("ports"), 0,
                "[DATAPLANE]\nenabled = false\n")), "test").config(), new ComputeNodeAgent.Options()
                .interfaces(n -> n.startsWith("tap")));
        agent.start();
        http = agent.introspectAddress();
        thrift = agent.thriftAddress();
        HttpResponse<String> added = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + agent.portIpcAddress().getPort() + "/port"))
                .POST(HttpRequest.BodyPublishers.ofString(ComputeNodeAgentTest.portJson(3))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, added.statusCode(), added.body());
        // 127.0.0.1 is no VM's metadata IP: the proxy answers 403 itself, counted and traced.
        assertTrue(guestGet(agent.metadataProxyAddress(), "/latest/meta-data/").startsWith("HTTP/1.1 403"));
        awaitRequests(1);
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.close();
        }
    }

    private static String guestGet(InetSocketAddress proxy, String path) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.getPort())) {
            s.setSoTimeout(5000);
            OutputStream o = s.getOutputStream();
            o.write(("GET " + path + " HTTP/1.1\r\nHost: 169.254.169.254\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** A response's counters are updated when its write completes, just after the guest reads it. */
    private void awaitRequests(long n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        try (IntrospectClients.Client c = IntrospectClients.thrift(thrift)) {
            while (c.agent().metadataInfo().getResponses_by_status().getOrDefault(403, 0L) < n) {
                assertTrue(System.nanoTime() < deadline, "the 403 was never counted");
                Thread.sleep(10);
            }
        }
    }

    @Test
    void snhPagesShouldBeWellFormedXmlCarryingWhatTheThriftServiceAnswers() throws Exception {
        try (IntrospectClients.Client c = IntrospectClients.thrift(thrift)) {
            ItfResp itfs = c.agent().listInterfaces();
            Element root = page(http, "/Snh_ItfReq");
            assertEquals("ItfResp", root.getTagName());
            assertEquals("sandesh", root.getAttribute("type"));
            List<Element> items = listed(root, "itf_list", "ItfSandeshData");
            assertEquals(itfs.getItf_list().size(), items.size());
            assertEquals(1, items.size(), "proxy-only: no vhost vif, the one port");
            for (int i = 0; i < items.size(); i++) {
                assertSameScalars(items.get(i), itfs.getItf_list().get(i));
            }
            assertEquals(INSTANCE, child(items.get(0), "vm_uuid").getTextContent());
            assertEquals("169.254.0.1", child(items.get(0), "mdata_ip_addr").getTextContent());
            assertEquals("false", child(root, "more").getTextContent());

            LinkLocalServiceResponse services = c.agent().linkLocalServices();
            Element ll = page(http, "/Snh_LinkLocalServiceInfo");
            List<Element> svc = listed(ll, "service_list", "LinkLocalServiceData");
            assertEquals(1, svc.size());
            assertSameScalars(svc.get(0), services.getService_list().get(0));
            assertEquals("169.254.169.254", child(svc.get(0), "linklocal_service_ip").getTextContent());

            MetadataResponse md = c.agent().metadataInfo();
            Element mi = page(http, "/Snh_MetadataInfo");
            assertSameScalars(mi, md);
            assertEquals(1, md.getRejects_by_reason().get("UNKNOWN_SOURCE"));
            Element map = child(child(mi, "rejects_by_reason"), "map");
            assertEquals("UNKNOWN_SOURCE", children(map, "element").get(0).getTextContent());

            NodeStatus ns = c.agent().nodeStatus();
            Element uve = page(http, "/Snh_SandeshUVECacheReq?x=NodeStatus");
            assertEquals("__NodeStatusUVE_list", uve.getTagName());
            Element node = child(child(child(uve, "NodeStatusUVE"), "data"), "NodeStatus");
            assertEquals(ns.getName(), child(node, "name").getTextContent());
            assertEquals(ns.getBuild_info(), child(node, "build_info").getTextContent());
            Element process = listed(node, "process_status", "ProcessStatus").get(0);
            assertEquals("contrail-vrouter-agent", child(process, "module_id").getTextContent());
            assertEquals("Functional", child(process, "state").getTextContent(), "contrail-status: active");
            assertEquals("1", child(child(uve, "SandeshUVECacheResp"), "returned").getTextContent());
            assertEquals("0", child(page(http, "/Snh_SandeshUVECacheReq?x=VrouterAgent"), "returned").getTextContent());

            Element flows = page(http, "/Snh_KFlowReq");
            assertEquals("0", child(child(flows, "flow_list"), "list").getAttribute("size"));
            assertEquals("0", child(flows, "table_size").getTextContent(), "proxy-only: no flow table");
        }
    }

    @Test
    void traceShouldBeFoundByVmUuidAndAnUnknownVmShouldBeA404() throws Exception {
        Element t = page(http, "/Snh_MetadataTraceReq?vm=" + INSTANCE);
        assertEquals("169.254.0.1", child(t, "mdata_ip_addr").getTextContent());
        assertEquals("0", child(child(t, "trace"), "list").getAttribute("size"), "this VM asked nothing yet");
        Element loopback = page(http, "/Snh_MetadataTraceReq?vm=127.0.0.1");
        Element entry = listed(loopback, "trace", "MetadataTraceEntry").get(0);
        assertEquals("403", child(entry, "status").getTextContent());
        assertEquals("UNKNOWN_SOURCE", child(entry, "reject_reason").getTextContent());
        assertEquals("/latest/meta-data/", child(entry, "path").getTextContent());

        HttpResponse<String> unknown = get(http, "/Snh_MetadataTraceReq?vm=no-such-vm");
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.body().contains("no VM interface with VM UUID, port UUID or metadata IP 'no-such-vm'"),
                unknown.body());
        HttpResponse<String> badIdx = get(http, "/Snh_KFlowReq?flow_idx=abc");
        assertEquals(400, badIdx.statusCode());
        assertTrue(badIdx.body().contains("flow_idx must be a flow index"), badIdx.body());
        HttpResponse<String> index = get(http, "/index.html");
        assertTrue(index.body().contains("href=\"/Snh_SandeshUVECacheReq?x=NodeStatus\""), index.body());
        assertTrue(get(http, "/").body().contains("/Snh_ItfReq"));
    }

    @Test
    void thriftServiceShouldRefuseABadFilterAndNameWhatIsMissing() throws Exception {
        try (IntrospectClients.Client c = IntrospectClients.thrift(thrift)) {
            InvalidRequest bad = assertThrows(InvalidRequest.class,
                    () -> c.agent().listFlows(new FlowMatch("10.0.0", 0, 0), 0, 0));
            assertTrue(bad.getMessage().contains("dotted-quad"), bad.getMessage());
            assertThrows(InvalidRequest.class, () -> c.agent().listFlows(new FlowMatch("", 0, 0), -1, 0));
            assertThrows(InvalidRequest.class, () -> c.agent().listFlows(new FlowMatch("", 0, 0), 0, 1_000_000));
            NotFound nf = assertThrows(NotFound.class, () -> c.agent().getInterface(99));
            assertEquals("no interface vif0/99", nf.getMessage());
            assertEquals(1, c.agent().getInterface(1).getIndex(), "the connection still serves after refusals");
        }
    }

    @Test
    void metricsShouldParseWithThePrometheusParserAndAgreeWithThrift() throws Exception {
        HttpResponse<String> r = get(http, "/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        List<IntrospectClients.Sample> samples = IntrospectClients.parsePrometheus(r.body(), dir);
        try (IntrospectClients.Client c = IntrospectClients.thrift(thrift)) {
            MetadataResponse md = c.agent().metadataInfo();
            assertEquals(md.getMetadata_requests(), value(samples, "vrouter_metadata_requests_total"));
            assertEquals(1.0, value(samples, "vrouter_metadata_responses_total", "status", "403"));
            assertEquals(1.0, value(samples, "vrouter_metadata_rejects_total", "reason", "UNKNOWN_SOURCE"));
            assertEquals(1.0, value(samples, "vrouter_metadata_vm_requests_total", "vm", "", "mdata_ip", "127.0.0.1"));
            assertEquals(1.0, value(samples, "vrouter_agent_functional"));
            assertEquals(0.0, value(samples, "vrouter_interface_rx_packets_total", "vif", "vif0/1", "name", "tap3",
                    "vm", INSTANCE));
            for (DropReason reason : DropReason.values()) {
                assertEquals(0.0, value(samples, "vrouter_drops_total", "reason", reason.name()));
            }
            assertEquals(0.0, value(samples, "vrouter_linklocal_service_flows", "service", "metadata"));
        }
    }
}
