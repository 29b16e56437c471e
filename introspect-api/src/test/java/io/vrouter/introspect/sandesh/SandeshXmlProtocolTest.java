package io.vrouter.introspect.sandesh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.introspect.api.ConnectionInfo;
import io.vrouter.introspect.api.FabricAddress;
import io.vrouter.introspect.api.ItfResp;
import io.vrouter.introspect.api.ItfSandeshData;
import io.vrouter.introspect.api.LatencyPercentiles;
import io.vrouter.introspect.api.LinkLocalServiceData;
import io.vrouter.introspect.api.LinkLocalServiceResponse;
import io.vrouter.introspect.api.MetadataResponse;
import io.vrouter.introspect.api.MetadataTraceEntry;
import io.vrouter.introspect.api.MetadataTraceResp;
import io.vrouter.introspect.api.MetadataVmStats;
import io.vrouter.introspect.api.NodeStatus;
import io.vrouter.introspect.api.NodeStatusUVE;
import io.vrouter.introspect.api.ProcessStatus;
import io.vrouter.introspect.api.SandeshUVECacheResp;
import io.vrouter.introspect.api.introspectConstants;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.apache.thrift.TDeserializer;
import org.apache.thrift.TSerializer;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.transport.TIOStreamTransport;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class SandeshXmlProtocolTest {

    /** Our fields beyond Contrail's (ids 100 and up), removed before comparing with a Contrail page. */
    private static final Pattern EXTENSION_FIELD =
            Pattern.compile("<(\\w+) type=\"[^\"]*\" identifier=\"1\\d\\d\"[^>]*>.*?</\\1>", Pattern.DOTALL);

    // --- golden pages: the shape Contrail produces ---

    @Test
    void linkLocalServicePageShouldEqualContrailsForTheSameServices() throws Exception {
        LinkLocalServiceData metadata = new LinkLocalServiceData()
                .setLinklocal_service_name("metadata").setLinklocal_service_ip("169.254.169.254")
                .setLinklocal_service_port(80).setIpfabric_dns_name("")
                .setIpfabric_ip(List.of("192.0.2.10", "192.0.2.11")).setIpfabric_port(8775)
                .setMetadata(true)
                .setFabric_addresses(List.of(new FabricAddress("192.0.2.10", "UP", 0),
                        new FabricAddress("192.0.2.11", "DOWN", 3)))
                .setActive_flows(2);
        LinkLocalServiceData ntp = new LinkLocalServiceData()
                .setLinklocal_service_name("ntp").setLinklocal_service_ip("169.254.169.123")
                .setLinklocal_service_port(123).setIpfabric_dns_name("ntp.example.net")
                .setIpfabric_ip(List.of("198.51.100.7")).setIpfabric_port(123)
                .setDns_resolved_at_ms(1_700_000_000_000L).setDns_error("")
                .setFabric_addresses(List.of(new FabricAddress("198.51.100.7", "UNKNOWN", 0)));

        String page = SandeshXml.page(new LinkLocalServiceResponse(List.of(metadata, ntp)));

        Xml.parse(page);
        assertEquals(golden("LinkLocalServiceInfo.xml"), EXTENSION_FIELD.matcher(page).replaceAll(""));
    }

    @Test
    void nodeStatusPageShouldEqualContrailsAndSayFunctional() throws Exception {
        ProcessStatus process = new ProcessStatus()
                .setModule_id(introspectConstants.MODULE_ID).setInstance_id("0")
                .setState(introspectConstants.PROCESS_STATE_FUNCTIONAL)
                .setConnection_infos(List.of(new ConnectionInfo().setType("ApiServer").setName("config-api")
                        .setServer_addrs(List.of("127.0.0.1:8082")).setStatus("Up")));
        NodeStatus status = new NodeStatus().setName("compute-1").setProcess_status(List.of(process))
                .setBuild_info("0.1.0-SNAPSHOT").setConfig_source("http://127.0.0.1:8082")
                .setConfig_revision(42).setConfig_applied_ms(1_700_000_000_000L)
                .setStart_time_ms(1_699_999_000_000L).setUptime_ms(1_000_000L);

        String page = SandeshXml.page(List.of(
                SandeshXml.sandesh(new NodeStatusUVE(status)),
                SandeshXml.response(new SandeshUVECacheResp().setReturned(1), false)));

        assertEquals(golden("NodeStatus.xml"), EXTENSION_FIELD.matcher(page).replaceAll(""));
        // what contrail-status reads from the page
        Document doc = Xml.parse(page);
        String state = XPathFactory.newInstance().newXPath().evaluate(
                "/__NodeStatusUVE_list/NodeStatusUVE/data/NodeStatus/process_status/list/ProcessStatus"
                        + "[module_id='contrail-vrouter-agent']/state", doc);
        assertEquals("Functional", state);
    }

    // --- escaping of guest-controlled strings ---

    @Test
    void hostileTraceStringsShouldStayWellFormedAndReadable() throws Exception {
        String path = "/latest/meta-data/<script>&amp;'\"]]></x>\r\n\tA\u0000B\u001b[31mC\u009b2J\u007f"
                + "\ud800lone\udc00 \ufffe\uffff ok\ud83d\ude00";
        MetadataTraceResp trace = new MetadataTraceResp().setVm_uuid("vm-1").setMdata_ip_addr("169.254.0.3")
                .setTrace(List.of(new MetadataTraceEntry(1_700_000_000_000L, "GET", path, 404,
                        "192.0.2.10:8775", 1234, "")))
                .setCapacity(32).setOverwritten(0);

        String xml = SandeshXml.response(trace, false);

        Document doc = Xml.parse(xml);
        String read = XPathFactory.newInstance().newXPath().evaluate(
                "/MetadataTraceResp/trace/list/MetadataTraceEntry/path", doc);
        assertEquals("/latest/meta-data/<script>&amp;'\"]]></x>\r\n\tA\\x00B\\x1B[31mC\\x9B2J\\x7F"
                + "\\uD800lone\\uDC00 \\uFFFE\\uFFFF ok\ud83d\ude00", read);
        assertTrue(xml.contains("&lt;script&gt;&amp;amp;&apos;\"]]&gt;&lt;/x&gt;&#13;\n\t"), xml);
    }

    @Test
    void attributeValuesShouldBeEscaped() {
        StringBuilder out = new StringBuilder();
        XmlText.appendAttribute(out, "a\"b<c>&d'e\tf\ng\rh\u0001");
        assertEquals("a&quot;b&lt;c&gt;&amp;d&apos;e&#9;f&#10;g&#13;h\\x01", out.toString());
    }

    @Test
    void plainStringsShouldBeWrittenUnchanged() {
        String s = "tap1a2b3c4d-5e 10.0.0.3 fe80::a9fe:a9fe é 日本";
        assertEquals(s, XmlText.text(s));
    }

    // --- nesting ---

    @Test
    void mapsListsAndStructsShouldNestAsSandeshDoes() throws Exception {
        Map<Integer, Long> byStatus = new LinkedHashMap<>();
        byStatus.put(200, 27L);
        byStatus.put(404, 1L);
        Map<String, Long> rejects = new LinkedHashMap<>();
        rejects.put("rate-limited", 3L);
        MetadataResponse info = new MetadataResponse()
                .setMetadata_server_port(8097).setMetadata_requests(31).setMetadata_responses(28)
                .setMetadata_proxy_sessions(4).setMetadata_internal_errors(0)
                .setResponses_by_status(byStatus).setRejects_by_reason(rejects)
                .setLatency(new LatencyPercentiles(28, 900, 1500, 4000, 4000, 4100))
                .setVm_stats(List.of(new MetadataVmStats().setVm_uuid("vm-1").setVm_name("web")
                        .setMdata_ip_addr("169.254.0.3").setRequests(31).setResponses_by_status(byStatus)
                        .setRejects_by_reason(rejects).setLast_request_ms(5)))
                .setUpstreams(List.of("http://192.0.2.10:8775"));

        String xml = SandeshXml.response(info, true);

        assertTrue(xml.startsWith("<MetadataResponse type=\"sandesh\"><metadata_server_port type=\"i32\" identifier=\"1\">8097</metadata_server_port>"), xml);
        assertTrue(xml.contains("<responses_by_status type=\"map\" identifier=\"100\"><map key=\"i32\" value=\"i64\" size=\"2\">"
                + "<element>200</element><element>27</element><element>404</element><element>1</element></map></responses_by_status>"), xml);
        assertTrue(xml.contains("<latency type=\"struct\" identifier=\"102\"><LatencyPercentiles><count type=\"i64\" identifier=\"1\">28</count>"), xml);
        assertTrue(xml.endsWith("<more type=\"bool\" identifier=\"0\">true</more></MetadataResponse>"), xml);
        Document doc = Xml.parse(xml);
        NodeList vmRejects = (NodeList) XPathFactory.newInstance().newXPath().evaluate(
                "/MetadataResponse/vm_stats/list[@type='struct'][@size='1']/MetadataVmStats/rejects_by_reason/map/element",
                doc, XPathConstants.NODESET);
        assertEquals(2, vmRejects.getLength());
        assertEquals("rate-limited", vmRejects.item(0).getTextContent());
        assertEquals("3", vmRejects.item(1).getTextContent());
    }

    @Test
    void contrailLinkAttributesShouldBeOnTheirFields() throws Exception {
        ItfResp itf = new ItfResp(List.of(new ItfSandeshData().setIndex(3).setName("tap3").setVn_name("vn-1")
                .setVm_uuid("vm-1").setMdata_ip_addr("169.254.0.3")));

        Element row = (Element) Xml.parse(SandeshXml.response(itf, false))
                .getElementsByTagName("ItfSandeshData").item(0);

        Element vn = Xml.only(row, "vn_name");
        assertEquals("VnListReq", vn.getAttribute("link"));
        assertEquals("string", vn.getAttribute("type"));
        assertEquals("10", vn.getAttribute("identifier"));
        assertEquals("VmListReq", Xml.only(row, "vm_uuid").getAttribute("link"));
        assertEquals("169.254.0.3", Xml.only(row, "mdata_ip_addr").getTextContent());
        // an optional field that is not set is absent, as in Sandesh
        assertTrue(Xml.children(row, "ip6_addr").isEmpty());
    }

    @Test
    void severalRootsShouldBeWrittenOneAfterTheOther() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SandeshXmlProtocol protocol = new SandeshXmlProtocol(new TIOStreamTransport(bytes));
        protocol.setResponseMore(true);
        new SandeshUVECacheResp().setReturned(1).write(protocol);
        new SandeshUVECacheResp().setReturned(2).write(protocol);

        assertEquals("<SandeshUVECacheResp type=\"sandesh\"><returned type=\"i32\" identifier=\"1\">1</returned>"
                + "<more type=\"bool\" identifier=\"0\">true</more></SandeshUVECacheResp>"
                + "<SandeshUVECacheResp type=\"sandesh\"><returned type=\"i32\" identifier=\"1\">2</returned></SandeshUVECacheResp>",
                bytes.toString(StandardCharsets.UTF_8));
    }

    // --- the rest of the contract ---

    @Test
    void readingShouldBeRefusedWithAClearMessage() throws Exception {
        SandeshXmlProtocol protocol = new SandeshXmlProtocol(new TIOStreamTransport(new ByteArrayOutputStream()));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> new ItfResp().read(protocol));
        assertTrue(e.getMessage().contains("only writes"), e.getMessage());
    }

    @Test
    void theSameStructsShouldRoundTripThroughTheCompactProtocolTheClisUse() throws Exception {
        MetadataTraceResp trace = new MetadataTraceResp().setVm_uuid("vm-1")
                .setTrace(List.of(new MetadataTraceEntry(1, "GET", "/latest/<x>", 200, "u", 2, "")));
        byte[] wire = new TSerializer(new TCompactProtocol.Factory()).serialize(trace);
        MetadataTraceResp back = new MetadataTraceResp();
        new TDeserializer(new TCompactProtocol.Factory()).deserialize(back, wire);
        assertEquals(trace, back);
    }

    private static String golden(String name) throws IOException {
        try (InputStream in = SandeshXmlProtocolTest.class.getResourceAsStream("/golden/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }
}
