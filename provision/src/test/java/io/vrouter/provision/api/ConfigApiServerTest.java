package io.vrouter.provision.api;

import static io.vrouter.provision.api.ApiClient.metadataBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vrouter.provision.auth.Authenticator;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP contract, over a real socket, with the in-memory store and no authentication. */
@Timeout(30)
class ConfigApiServerTest extends LoopbackApiFixture {
    @Test
    void listShouldNameTheOneObjectWithItsHrefAndFqName() throws Exception {
        ApiClient.Reply r = api.get("/global-vrouter-configs");
        assertEquals(200, r.status());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"));
        JsonNode item = r.json().get("global-vrouter-configs").get(0);
        assertEquals(r.json().get("global-vrouter-configs").size(), 1);
        assertEquals(api.base + path, item.get("href").asText());
        assertEquals("[\"default-global-system-config\",\"default-global-vrouter-config\"]", item.get("fq_name").toString());
        assertEquals(36, item.get("uuid").asText().length());
    }

    @Test
    void fqnameToIdShouldAnswerTheUuidAnd404ForUnknownNames() throws Exception {
        ApiClient.Reply ok = api.post("/fqname-to-id", "{\"type\": \"global-vrouter-config\", \"fq_name\": "
                + "[\"default-global-system-config\", \"default-global-vrouter-config\"]}");
        assertEquals(200, ok.status(), ok.toString());
        assertEquals(uuid, ok.json().get("uuid").asText());
        assertEquals(404, api.post("/fqname-to-id", "{\"type\": \"global-vrouter-config\", \"fq_name\": [\"x\"]}").status());
        assertEquals(404, api.post("/fqname-to-id", "{\"type\": \"virtual-network\", \"fq_name\": "
                + "[\"default-global-system-config\", \"default-global-vrouter-config\"]}").status());
        ApiClient.Reply bad = api.post("/fqname-to-id", "{\"type\": \"global-vrouter-config\"}");
        assertEquals(400, bad.status());
        assertEquals(400, bad.json().get("status").asInt());
        assertEquals("is required and must be a list of strings", bad.json().get("field_errors").get("fq_name").asText());
        assertEquals(405, api.get("/fqname-to-id").status());
    }

    @Test
    void getShouldReturnTheObjectWithItsRevisionAsETag() throws Exception {
        ApiClient.Reply r = api.get(path);
        assertEquals(200, r.status());
        JsonNode obj = r.json().get("global-vrouter-config");
        assertEquals(uuid, obj.get("uuid").asText());
        assertEquals(0, obj.get("linklocal_services").get("linklocal_service_entry").size());
        assertEquals(store.current().revision(), r.etag());
        assertEquals("\"" + r.etag() + "\"", r.headers().firstValue("etag").orElseThrow());
    }

    @Test
    void unknownUuidShouldBe404() throws Exception {
        ApiClient.Reply r = api.get("/global-vrouter-config/00000000-0000-0000-0000-000000000000");
        assertEquals(404, r.status());
        assertTrue(r.json().get("error").asText().contains("00000000"));
        assertEquals(404, api.put("/global-vrouter-config/nope", "\"1\"", metadataBody("10.0.0.5", 80)).status());
    }

    @Test
    void putShouldStoreTheEntriesAndAnswerANewETag() throws Exception {
        long rev = api.get(path).etag();
        ApiClient.Reply r = api.put(path, "\"" + rev + "\"", metadataBody("10.0.0.5", 80));
        assertEquals(200, r.status(), r.toString());
        assertEquals(uuid, r.json().get("global-vrouter-config").get("uuid").asText());
        assertEquals(api.base + path, r.json().get("global-vrouter-config").get("href").asText());
        assertTrue(r.etag() > rev);
        ApiClient.Reply after = api.get(path);
        assertEquals(r.etag(), after.etag());
        JsonNode e = after.json().get("global-vrouter-config").get("linklocal_services").get("linklocal_service_entry").get(0);
        assertEquals("metadata", e.get("linklocal_service_name").asText());
        assertEquals("10.0.0.5", e.get("ip_fabric_service_ip").get(0).asText());
        long second = api.put(path, "\"" + r.etag() + "\"", metadataBody("10.0.0.6", 80)).etag();
        assertTrue(second > r.etag(), "ETag must increase on every write");
    }

    @Test
    void putWithoutIfMatchShouldBeAcceptedLastWriterWinsAsContrail() throws Exception {
        long rev = api.get(path).etag();
        api.put(path, "\"" + rev + "\"", metadataBody("10.0.0.5", 80));
        ApiClient.Reply r = api.put(path, null, metadataBody("10.0.0.9", 80));
        assertEquals(200, r.status(), r.toString());
        assertTrue(r.etag() > rev + 1);
        assertEquals("10.0.0.9", store.current().config().linklocalServices().entries().get(0).fabricIps().get(0));
    }

    @Test
    void putWithAStaleIfMatchShouldBe412NamingBothRevisions() throws Exception {
        long rev = api.get(path).etag();
        long next = api.put(path, "\"" + rev + "\"", metadataBody("10.0.0.5", 80)).etag();
        ApiClient.Reply r = api.put(path, "\"" + rev + "\"", metadataBody("10.0.0.9", 80));
        assertEquals(412, r.status());
        assertEquals("revision " + rev + " is stale; current is " + next, r.json().get("error").asText());
        assertEquals("10.0.0.5", store.current().config().linklocalServices().entries().get(0).fabricIps().get(0));
    }

    @Test
    void putWithAMalformedIfMatchShouldBe400() throws Exception {
        assertEquals(400, api.put(path, "\"abc\"", metadataBody("10.0.0.5", 80)).status());
        assertEquals(400, api.put(path, "*", metadataBody("10.0.0.5", 80)).status());
    }

    @Test
    void putOfAnInvalidPortShouldBe400NamingTheFieldAndStoreNothing() throws Exception {
        long rev = api.get(path).etag();
        ApiClient.Reply r = api.put(path, "\"" + rev + "\"", metadataBody("10.0.0.5", 70000));
        assertEquals(400, r.status());
        JsonNode fe = r.json().get("field_errors");
        assertEquals(1, fe.size(), r.toString());
        assertEquals("70000 is outside 1-65535", fe.get("linklocal_service_entry[0].linklocal_service_port").asText());
        assertTrue(r.json().get("error").asText().contains("linklocal_service_port"));
        assertEquals(rev, api.get(path).etag(), "nothing may be stored");
    }

    @Test
    void putShouldReportEveryBadFieldAndUnknownEntryFields() throws Exception {
        long rev = api.get(path).etag();
        String body = "{\"global-vrouter-config\": {\"linklocal_services\": {\"linklocal_service_entry\": ["
                + "{\"linklocal_service_name\": \"m\", \"linklocal_service_ip\": \"169.254.1\", \"linklocal_service_port\": 0,"
                + " \"ip_fabric_service_port\": 8775}]}}}";
        ApiClient.Reply r = api.put(path, "\"" + rev + "\"", body);
        assertEquals(400, r.status());
        assertTrue(r.json().get("field_errors").size() >= 3, r.toString());
        String typo = "{\"global-vrouter-config\": {\"linklocal_services\": {\"linklocal_service_entry\": ["
                + "{\"linklocal_service_nam\": \"m\"}]}}}";
        ApiClient.Reply t = api.put(path, "\"" + rev + "\"", typo);
        assertEquals(400, t.status());
        assertTrue(t.json().get("field_errors").fieldNames().next().contains("linklocal_service_nam"), t.toString());
    }

    @Test
    void malformedJsonAndWrongShapesShouldBe400() throws Exception {
        long rev = api.get(path).etag();
        String ifMatch = "\"" + rev + "\"";
        assertEquals(400, api.put(path, ifMatch, "{\"global-vrouter-config\": {").status());
        assertEquals(400, api.put(path, ifMatch, "").status());
        assertEquals(400, api.put(path, ifMatch, "[1]").status());
        assertEquals(400, api.put(path, ifMatch, "{\"virtual-network\": {}}").status());
        assertEquals(400, api.put(path, ifMatch, "{\"global-vrouter-config\": {\"linklocal_services\": 5}}").status());
        ApiClient.Reply r = api.put(path, ifMatch, "{\"global-vrouter-config\": {\"uuid\": \"other\"}}");
        assertEquals(400, r.status());
        assertTrue(r.json().get("field_errors").has("uuid"), r.toString());
        assertEquals(400, api.put(path, ifMatch, "{\"global-vrouter-config\": {\"fq_name\": [\"a\"]}}").status());
        assertEquals(rev, api.get(path).etag());
    }

    @Test
    void otherPropertiesShouldBeKeptAcrossWritesThatDoNotMentionThem() throws Exception {
        long rev = api.get(path).etag();
        rev = api.put(path, "\"" + rev + "\"", "{\"global-vrouter-config\": {\"uuid\": \"" + uuid + "\", "
                + "\"encapsulation_priorities\": {\"encapsulation\": [\"MPLSoUDP\", \"VXLAN\"]}, "
                + "\"flow_export_rate\": 100}}").etag();
        rev = api.put(path, "\"" + rev + "\"", metadataBody("10.0.0.5", 80)).etag();
        JsonNode obj = api.get(path).json().get("global-vrouter-config");
        assertEquals("[\"MPLSoUDP\",\"VXLAN\"]", obj.get("encapsulation_priorities").get("encapsulation").toString());
        assertEquals(100, obj.get("flow_export_rate").asInt());
        assertEquals(1, obj.get("linklocal_services").get("linklocal_service_entry").size());
        // A full read-modify-write echoing href and everything else works too, and null removes.
        ((com.fasterxml.jackson.databind.node.ObjectNode) obj).put("href", "ignored");
        ((com.fasterxml.jackson.databind.node.ObjectNode) obj).putNull("flow_export_rate");
        ApiClient.Reply r = api.put(path, "\"" + rev + "\"", "{\"global-vrouter-config\": " + obj + "}");
        assertEquals(200, r.status(), r.toString());
        JsonNode after = api.get(path).json().get("global-vrouter-config");
        assertNull(after.get("flow_export_rate"));
        assertNull(after.get("href"));
        assertEquals("[\"MPLSoUDP\",\"VXLAN\"]", after.get("encapsulation_priorities").get("encapsulation").toString());
    }

    @Test
    void unknownPathShouldBe404AndWrongMethod405WithAllow() throws Exception {
        ApiClient.Reply nf = api.get("/virtual-networks");
        assertEquals(404, nf.status());
        assertTrue(nf.json().has("error"));
        assertEquals(404, api.get("/global-vrouter-config/" + uuid + "/extra").status());
        ApiClient.Reply m = api.send(api.request(path).DELETE().build());
        assertEquals(405, m.status());
        assertEquals("GET, PUT", m.headers().firstValue("allow").orElseThrow());
        assertEquals(405, api.send(api.request("/global-vrouter-configs").DELETE().build()).status());
        assertEquals(400, api.post("/global-vrouter-configs", "{}").status(), "create (vnc_api) needs a body");
        assertEquals(405, api.post("/watch/global-vrouter-config", "{}").status());
    }

    @Test
    void anOversizedBodyShouldBeRefused() throws Exception {
        String big = "{\"global-vrouter-config\": {\"x\": \"" + "a".repeat(ConfigApiServer.DEFAULT_MAX_BODY_BYTES) + "\"}}";
        ApiClient.Reply r = api.put(path, "\"1\"", big);
        assertEquals(413, r.status());
        assertTrue(r.json().get("error").asText().contains("exceeds"), r.toString());
    }

    @Test
    void aGarbageRequestLineShouldGetAnErrorNotAHang() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("\u0001\u0002 garbage\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.ISO_8859_1);
            assertTrue(head.startsWith("HTTP/1.1 4"), head);
        }
    }

    @Test
    void anIdleConnectionShouldBeClosed() throws Exception {
        try (ConfigApiServer quick = ConfigApiServer.start(new InetSocketAddress("127.0.0.1", 0), store,
                Authenticator.NONE, null, 300);
                Socket s = new Socket("127.0.0.1", quick.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /global-vrouter-configs HTTP/1.1\r\nHost: x".getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, s.getInputStream().read(), "the server should close a stalled request");
        }
    }
}
