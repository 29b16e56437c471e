package io.vrouter.provision.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vrouter.plumbing.http.HttpAuth;
import io.vrouter.plumbing.http.JsonHttpServer;
import io.vrouter.plumbing.http.Request;
import io.vrouter.provision.auth.Principal;
import io.vrouter.provision.auth.Role;
import io.vrouter.provision.store.MemoryConfigStore;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** POST /global-vrouter-configs on a store that holds no object yet (a wiped etcd, say) creates it. */
@Timeout(30)
class VncCreateTest {

    private static HttpAuth as(Role role) {
        return new HttpAuth() {
            @Override
            public Object authenticate(Request req) {
                return new Principal("u", role);
            }

            @Override
            public String challenge() {
                return "Basic";
            }
        };
    }

    private static JsonHttpServer serve(MemoryConfigStore store, Role role) throws Exception {
        ConfigApiHandler h = new ConfigApiHandler(store, new WatchHub(4), false, "127.0.0.1:1");
        return JsonHttpServer.builder("test", new InetSocketAddress("127.0.0.1", 0), 1 << 20, h)
                .blockingThreads(1, "test-worker").auth(as(role)).mapper(ConfigApiHandler.JSON).start();
    }

    @Test
    void createOnAnEmptyStoreShouldStoreTheObjectAndAnswerItsUuidAndFqName() throws Exception {
        try (MemoryConfigStore store = new MemoryConfigStore(); JsonHttpServer s = serve(store, Role.ADMIN)) {
            ApiClient api = new ApiClient("http://127.0.0.1:" + s.localAddress().getPort());
            ApiClient.Reply r = api.post("/global-vrouter-configs", "{\"global-vrouter-config\": {\"uuid\": null, "
                    + "\"fq_name\": [\"default-global-system-config\", \"default-global-vrouter-config\"], "
                    + "\"parent_type\": \"global-system-config\", \"linklocal_services\": {\"linklocal_service_entry\": "
                    + "[{\"linklocal_service_name\": \"metadata\", \"linklocal_service_ip\": \"169.254.169.254\", "
                    + "\"linklocal_service_port\": 80, \"ip_fabric_DNS_service_name\": \"\", "
                    + "\"ip_fabric_service_port\": 8775, \"ip_fabric_service_ip\": [\"10.0.0.5\"]}]}}}");
            assertEquals(200, r.status(), r.toString());
            JsonNode obj = r.json().get("global-vrouter-config");
            assertEquals(store.current().config().uuid(), obj.get("uuid").asText());
            assertEquals("global-system-config", obj.get("parent_type").asText());
            assertEquals("default-global-vrouter-config", obj.get("fq_name").get(1).asText());
            assertEquals("metadata", store.current().config().linklocalServices().entries().get(0).name());
            assertTrue(store.current().config().otherProperties().isEmpty());

            ApiClient.Reply again = api.post("/global-vrouter-configs", "{\"global-vrouter-config\": {}}");
            assertEquals(409, again.status(), again.toString());
            assertTrue(again.json().get("error").asText().contains(obj.get("uuid").asText()));
            ApiClient.Reply otherName = api.post("/global-vrouter-configs",
                    "{\"global-vrouter-config\": {\"fq_name\": [\"x\", \"y\"]}}");
            assertEquals(400, otherName.status());
            assertTrue(otherName.json().get("field_errors").has("fq_name"));
        }
    }

    @Test
    void aReaderShouldNotCreate() throws Exception {
        try (MemoryConfigStore store = new MemoryConfigStore(); JsonHttpServer s = serve(store, Role.READER)) {
            ApiClient api = new ApiClient("http://127.0.0.1:" + s.localAddress().getPort());
            assertEquals(403, api.post("/global-vrouter-configs", "{\"global-vrouter-config\": {}}").status());
            assertEquals(null, store.current());
        }
    }
}
