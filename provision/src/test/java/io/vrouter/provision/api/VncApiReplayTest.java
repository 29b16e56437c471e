package io.vrouter.provision.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.provision.auth.Authenticator;
import io.vrouter.provision.auth.Principal;
import io.vrouter.provision.auth.Role;
import io.vrouter.provision.store.MemoryConfigStore;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP exchanges Contrail's {@code provision_linklocal.py} makes through {@code vnc_api}
 * (tf-api-client {@code vnc_api.py}: {@code __init__} → {@code _parse_homepage},
 * {@code _object_create}, {@code fq_name_to_id}, {@code _object_read}, {@code _object_update},
 * {@code resource_list}), replayed byte for byte as python-requests sends them on one
 * keep-alive session, with the URIs taken from our home page the way {@code vnc_api} derives
 * them ({@code link.href} minus the root {@code href}).
 */
@Timeout(30)
class VncApiReplayTest {
    private static final String TOKEN = "gAAAAABk-token-from-keystone";
    private static final String FQ_NAME = "[\"default-global-system-config\", \"default-global-vrouter-config\"]";

    private MemoryConfigStore store;
    private ConfigApiServer server;
    private RawHttp http;
    private String host;

    /** Keystone's role, as the token validator would map it; anything else is 401. */
    private static final Authenticator TOKENS = new Authenticator() {
        @Override
        public Principal authenticate(String authorization) {
            return null;
        }

        @Override
        public Principal authenticate(String authorization, String authToken) {
            return TOKEN.equals(authToken) ? new Principal("admin", Role.ADMIN) : null;
        }

        @Override
        public boolean enabled() {
            return true;
        }
    };

    @BeforeEach
    void start() throws Exception {
        store = new MemoryConfigStore();
        server = ConfigApiServer.start(new InetSocketAddress("127.0.0.1", 0), store, TOKENS, null);
        http = new RawHttp(server.address());
        host = "127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() throws Exception {
        http.close();
        server.close();
        store.close();
    }

    /** python-requests' default headers plus VncApi._DEFAULT_HEADERS and the token. */
    private String head(String method, String uri) {
        return method + " " + uri + " HTTP/1.1\r\n"
                + "Host: " + host + "\r\n"
                + "User-Agent: python-requests/2.28.1\r\n"
                + "Accept-Encoding: gzip, deflate\r\n"
                + "Accept: */*\r\n"
                + "Connection: keep-alive\r\n"
                + "Content-type: application/json; charset=\"UTF-8\"\r\n"
                + "X-Contrail-Useragent: compute-1:/usr/bin/provision_linklocal.py\r\n"
                + "X-Tenant-Name: admin\r\n"
                + "X-AUTH-TOKEN: " + TOKEN;
    }

    /** LinklocalServiceEntryType's __dict__ as json.dumps writes it (every field, "" for no DNS name). */
    private static String entry(String name, String ip, int port, String fabricIp, int fabricPort) {
        return "{\"linklocal_service_name\": \"" + name + "\", \"linklocal_service_ip\": \"" + ip + "\", "
                + "\"linklocal_service_port\": " + port + ", \"ip_fabric_DNS_service_name\": \"\", "
                + "\"ip_fabric_service_port\": " + fabricPort + ", \"ip_fabric_service_ip\": [\"" + fabricIp + "\"]}";
    }

    @Test
    void provisionLinklocalPyThroughVncApiShouldConnectCreateReadAndUpdateWithoutIfMatch() throws Exception {
        // connect: GET / and the links vnc_api keeps
        RawHttp.Answer home = http.exchange(head("GET", "/"), null);
        assertEquals(200, home.status(), home.toString());
        String root = home.json().get("href").asText();
        assertEquals("http://" + host, root);
        Map<String, String> uris = new HashMap<>();
        for (JsonNode l : home.json().get("links")) {
            JsonNode link = l.get("link");
            uris.put(link.get("rel").asText() + ":" + link.get("name").asText(), link.get("href").asText().replace(root, ""));
        }
        String createUri = uris.get("collection:global-vrouter-config");
        String resourceBase = uris.get("resource-base:global-vrouter-config");
        assertEquals("/global-vrouter-configs", createUri);
        assertEquals("/global-vrouter-config", resourceBase);
        assertEquals("/fqname-to-id", uris.get("action:name-to-id"));
        assertEquals("/id-to-fqname", uris.get("action:id-to-name"));

        // global_vrouter_config_create: the object exists (as in Contrail) -> 409 RefsExistError
        String metadata = entry("metadata", "169.254.169.254", 80, "10.0.0.5", 8775);
        RawHttp.Answer created = http.exchange(head("POST", createUri), "{\"global-vrouter-config\":{\"uuid\": null, "
                + "\"fq_name\": " + FQ_NAME + ", \"parent_type\": \"global-system-config\", "
                + "\"linklocal_services\": {\"linklocal_service_entry\": [" + metadata + "]}}}");
        assertEquals(409, created.status(), created.toString());

        // global_vrouter_config_read(fq_name=...): name-to-id, then GET with vnc_api's query
        RawHttp.Answer id = http.exchange(head("POST", uris.get("action:name-to-id")),
                "{\"type\": \"global-vrouter-config\", \"fq_name\": " + FQ_NAME + "}");
        assertEquals(200, id.status(), id.toString());
        String uuid = id.json().get("uuid").asText();
        RawHttp.Answer read = http.exchange(head("GET",
                resourceBase + "/" + uuid + "?exclude_back_refs=True&exclude_children=True"), null);
        assertEquals(200, read.status(), read.toString());
        assertEquals(uuid, read.json().get("global-vrouter-config").get("uuid").asText());

        // global_vrouter_config_update: no If-Match; uuid, fq_name, parent_type echoed
        RawHttp.Answer updated = http.exchange(head("PUT", resourceBase + "/" + uuid), "{\"global-vrouter-config\":"
                + "{\"uuid\": \"" + uuid + "\", \"fq_name\": " + FQ_NAME + ", \"parent_type\": \"global-system-config\", "
                + "\"linklocal_services\": {\"linklocal_service_entry\": [" + metadata + "]}}}");
        assertEquals(200, updated.status(), updated.toString());
        assertEquals(uuid, updated.json().get("global-vrouter-config").get("uuid").asText());
        LinkLocalServiceEntry stored = store.current().config().linklocalServices().entries().get(0);
        assertEquals("metadata", stored.name());
        assertEquals(java.util.List.of("10.0.0.5"), stored.fabricIps());
        assertTrue(store.current().config().otherProperties().isEmpty(),
                "identity fields are not stored as properties: " + store.current().config().otherProperties());

        // a second script's update, also without If-Match: last writer wins
        RawHttp.Answer second = http.exchange(head("PUT", resourceBase + "/" + uuid), "{\"global-vrouter-config\":"
                + "{\"uuid\": \"" + uuid + "\", \"fq_name\": " + FQ_NAME + ", \"parent_type\": \"global-system-config\", "
                + "\"linklocal_services\": {\"linklocal_service_entry\": [" + metadata + ", "
                + entry("ntp", "169.254.169.123", 123, "10.0.0.7", 123) + "]}}}");
        assertEquals(200, second.status(), second.toString());
        assertEquals(2, store.current().config().linklocalServices().entries().size());

        // global_vrouter_configs_list(), and with detail=True as vnc_api encodes Python booleans
        RawHttp.Answer list = http.exchange(head("GET", createUri + "?detail=False&count=False&shared=False"), null);
        assertEquals(200, list.status(), list.toString());
        JsonNode item = list.json().get("global-vrouter-configs").get(0);
        assertEquals(uuid, item.get("uuid").asText());
        assertEquals(root + resourceBase + "/" + uuid, item.get("href").asText());
        RawHttp.Answer detail = http.exchange(head("GET", createUri + "?detail=True&count=False&shared=False"), null);
        JsonNode full = detail.json().get("global-vrouter-configs").get(0).get("global-vrouter-config");
        assertEquals(2, full.get("linklocal_services").get("linklocal_service_entry").size());
        assertEquals(uuid, full.get("uuid").asText());
        RawHttp.Answer count = http.exchange(head("GET", createUri + "?count=True"), null);
        assertEquals(1, count.json().get("global-vrouter-configs").get("count").asInt(), count.toString());
        RawHttp.Answer other = http.exchange(head("GET", createUri + "?obj_uuids=" + new java.util.UUID(0, 1)), null);
        assertEquals(0, other.json().get("global-vrouter-configs").size(), other.toString());

        // id_to_fq_name
        RawHttp.Answer fq = http.exchange(head("POST", uris.get("action:id-to-name")), "{\"uuid\": \"" + uuid + "\"}");
        assertEquals(200, fq.status(), fq.toString());
        assertEquals(FQ_NAME.replace(" ", ""), fq.json().get("fq_name").toString());
        assertEquals("global-vrouter-config", fq.json().get("type").asText());
        assertEquals(404, http.exchange(head("POST", "/id-to-fqname"), "{\"uuid\": \"nope\"}").status());
    }

    @Test
    void aWrongTokenShouldBe401AndABareStringForAListA400NamingTheField() throws Exception {
        RawHttp.Answer denied = http.exchange(head("GET", "/").replace(TOKEN, "expired"), null);
        assertEquals(401, denied.status());
        String uuid = store.current().config().uuid();
        RawHttp.Answer bad = http.exchange(head("PUT", "/global-vrouter-config/" + uuid), "{\"global-vrouter-config\":"
                + "{\"linklocal_services\": {\"linklocal_service_entry\": [{\"linklocal_service_name\": \"ntp\", "
                + "\"linklocal_service_ip\": \"169.254.169.123\", \"linklocal_service_port\": 123, "
                + "\"ip_fabric_service_port\": 123, \"ip_fabric_service_ip\": \"10.0.0.7\"}]}}}");
        assertEquals(400, bad.status(), bad.toString());
        String field = "linklocal_services.linklocal_service_entry[0].ip_fabric_service_ip";
        assertTrue(bad.json().get("field_errors").get(field).asText().startsWith("must be a list"), bad.toString());
        RawHttp.Answer badFlag = http.exchange(head("GET", "/global-vrouter-configs?detail=maybe"), null);
        assertEquals(400, badFlag.status());
        assertNotEquals(null, badFlag.json().get("field_errors").get("detail"));
    }
}
