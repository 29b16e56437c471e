package io.vrouter.provision.api;

import static io.vrouter.provision.api.ApiClient.metadataBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.provision.auth.BasicAuthenticator;
import io.vrouter.provision.auth.CredentialsFile;
import io.vrouter.provision.auth.Role;
import io.vrouter.provision.store.MemoryConfigStore;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** HTTP Basic with roles: 401 without or with bad credentials, 403 for a reader writing. */
@Timeout(30)
class AuthApiTest {
    private MemoryConfigStore store;
    private ConfigApiServer server;
    private ApiClient anonymous;
    private ApiClient admin;
    private ApiClient reader;
    private String path;

    @BeforeEach
    void start() throws Exception {
        CredentialsFile creds = CredentialsFile.empty();
        creds.put("admin", Role.ADMIN, "admin-pw".toCharArray(), 1000);
        creds.put("agent", Role.READER, "agent-pw".toCharArray(), 1000);
        store = new MemoryConfigStore();
        server = ConfigApiServer.start(new InetSocketAddress("127.0.0.1", 0), store, new BasicAuthenticator(creds), null);
        anonymous = ApiClient.of(server);
        admin = anonymous.as("admin", "admin-pw");
        reader = anonymous.as("agent", "agent-pw");
        path = "/global-vrouter-config/" + admin.uuid();
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    @Test
    void requestsWithoutOrWithWrongCredentialsShouldBe401WithTheChallenge() throws Exception {
        for (ApiClient c : new ApiClient[] {anonymous, anonymous.as("admin", "nope"), anonymous.as("ghost", "admin-pw")}) {
            for (String p : new String[] {"/global-vrouter-configs", path, "/watch/global-vrouter-config", "/nothing"}) {
                ApiClient.Reply r = c.get(p);
                assertEquals(401, r.status(), p);
                assertEquals("Basic realm=\"config-api\"", r.headers().firstValue("www-authenticate").orElseThrow());
                assertTrue(r.json().has("error"));
            }
            assertEquals(401, c.put(path, "\"1\"", metadataBody("10.0.0.5", 80)).status());
        }
        assertEquals(1, store.current().revision(), "nothing written");
    }

    @Test
    void aReaderShouldReadAndWatchButNotWrite() throws Exception {
        ApiClient.Reply got = reader.get(path);
        assertEquals(200, got.status());
        assertEquals(200, reader.get("/watch/global-vrouter-config").status());
        assertEquals(200, reader.post("/fqname-to-id", "{\"type\": \"global-vrouter-config\", \"fq_name\": "
                + "[\"default-global-system-config\", \"default-global-vrouter-config\"]}").status());
        ApiClient.Reply w = reader.put(path, "\"" + got.etag() + "\"", metadataBody("10.0.0.5", 80));
        assertEquals(403, w.status());
        assertTrue(w.json().get("error").asText().contains("reader"), w.toString());
        assertEquals(got.etag(), admin.get(path).etag());
    }

    @Test
    void anAdminShouldWrite() throws Exception {
        long rev = admin.get(path).etag();
        ApiClient.Reply r = admin.put(path, "\"" + rev + "\"", metadataBody("10.0.0.5", 80));
        assertEquals(200, r.status(), r.toString());
        assertEquals(r.etag(), reader.get(path).etag());
    }
}
