package io.vrouter.provision.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vrouter.linklocal.configclient.ConfigApiClient;
import io.vrouter.linklocal.configclient.ConfigWatchClient;
import io.vrouter.provision.cli.RealServerFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The web UI's routes and the agents' watch identity on the real config API server, over HTTP (no browser). */
@Timeout(60)
class WebUiRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private RealServerFixture api;

    @BeforeEach
    void start() throws Exception {
        api = new RealServerFixture();
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.baseUri() + path)).timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private String admin() {
        return basic(RealServerFixture.USERS.admin(), RealServerFixture.USERS.adminPassword());
    }

    @Test
    void pageAndAssetsAreServedWithoutCredentialsWithTheirTypesAndACsp() throws Exception {
        HttpResponse<String> page = get("/ui/");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElseThrow().contains("script-src 'self'"));
        assertTrue(page.body().contains("No Link Local Services Found."));
        for (String asset : WebUi.ASSETS.keySet()) {
            HttpResponse<String> r = get("/ui/" + asset);
            assertEquals(200, r.statusCode(), asset);
            assertEquals(WebUi.ASSETS.get(asset), r.headers().firstValue("Content-Type").orElseThrow(), asset);
            assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElseThrow());
        }
        HttpResponse<String> redirect = get("/ui");
        assertEquals(302, redirect.statusCode());
        assertEquals("/ui/", redirect.headers().firstValue("Location").orElseThrow());
        assertEquals("basic", JSON.readTree(get("/ui/auth.json").body()).path("strategy").asText());
    }

    @Test
    void anythingElseUnderUiNeedsCredentialsAndUnknownFilesAre404() throws Exception {
        assertEquals(401, get("/ui/api/session").statusCode());
        assertEquals(401, get("/ui/api/agents").statusCode());
        assertEquals(401, get("/ui/secret.txt").statusCode(), "an unknown path is not public");
        assertEquals(404, get("/ui/secret.txt", "Authorization", admin()).statusCode());
        assertEquals(404, get("/ui/..%2Fpom.xml", "Authorization", admin()).statusCode());
    }

    @Test
    void aWrongPasswordFromThePageGets401WithoutABrowserChallenge() throws Exception {
        HttpResponse<String> fromPage = get("/ui/api/session", "Authorization", basic("admin", "wrong"),
                WebUi.PAGE_HEADER, "XMLHttpRequest");
        assertEquals(401, fromPage.statusCode());
        assertFalse(fromPage.headers().firstValue("WWW-Authenticate").isPresent());
        assertEquals(401, JSON.readTree(fromPage.body()).path("status").asInt());
        HttpResponse<String> fromCurl = get("/ui/api/session", "Authorization", basic("admin", "wrong"));
        assertEquals("Basic realm=\"config-api\"", fromCurl.headers().firstValue("WWW-Authenticate").orElseThrow());
    }

    @Test
    void sessionTellsRoleAndWhetherTheUserMayWrite() throws Exception {
        JsonNode a = JSON.readTree(get("/ui/api/session", "Authorization", admin()).body());
        assertEquals("admin", a.path("role").asText());
        assertTrue(a.path("can_write").asBoolean());
        JsonNode r = JSON.readTree(get("/ui/api/session", "Authorization",
                basic(RealServerFixture.USERS.reader(), RealServerFixture.USERS.readerPassword())).body());
        assertEquals("reader", r.path("role").asText());
        assertFalse(r.path("can_write").asBoolean());
    }

    @Test
    void agentsWatchingAreListedWithTheRevisionTheyApplied() throws Exception {
        try (ConfigWatchClient w = ConfigWatchClient.builder(api.adminEndpoint(), u -> { })
                .nodeName("compute-7").hold(Duration.ofSeconds(2)).build()) {
            w.start();
            JsonNode node = null;
            for (int i = 0; i < 100 && (node == null || node.path("revision").asLong() != 1); i++) {
                Thread.sleep(50);
                JsonNode view = JSON.readTree(get("/ui/api/agents", "Authorization", admin()).body());
                node = view.path("agents").size() == 1 ? view.path("agents").get(0) : null;
            }
            assertEquals("compute-7", node.path("node").asText());
            assertEquals(1, node.path("revision").asLong(), "the snapshot it applied");
            assertEquals("127.0.0.1", node.path("address").asText());
            assertFalse(node.path("stale").asBoolean());
        }
    }

    @Test
    void aMalformedAgentIdentityIsRefusedNamingTheHeader() throws Exception {
        String watch = "/watch/global-vrouter-config?since=0&timeout=1";
        HttpResponse<String> badNode = get(watch, "Authorization", admin(), ConfigApiClient.AGENT_NODE_HEADER, "bad node/1");
        assertEquals(400, badNode.statusCode());
        assertTrue(JSON.readTree(badNode.body()).path("error").asText().startsWith("X-Agent-Node 'bad node/1'"));
        HttpResponse<String> badRev = get(watch, "Authorization", admin(), ConfigApiClient.AGENT_NODE_HEADER, "compute-1",
                ConfigApiClient.AGENT_REVISION_HEADER, "-3");
        assertEquals(400, badRev.statusCode());
        assertTrue(badRev.body().contains("X-Agent-Revision '-3' is not a revision"), badRev.body());
        assertEquals(0, JSON.readTree(get("/ui/api/agents", "Authorization", admin()).body()).path("agents").size(),
                "nothing recorded from a refused watch");
        assertEquals(200, get(watch, "Authorization", admin()).statusCode(), "a watch without identity is not an agent");
        assertEquals(0, JSON.readTree(get("/ui/api/agents", "Authorization", admin()).body()).path("agents").size());
    }

    @Test
    void strategyFollowsTheAuthenticator() {
        assertEquals("none", WebUi.strategyOf(false, "Basic realm=\"config-api\""));
        assertEquals("basic", WebUi.strategyOf(true, "Basic realm=\"config-api\""));
        assertEquals("keystone", WebUi.strategyOf(true, "Keystone uri=\"http://127.0.0.1:5000\""));
        assertNull(WebUi.publicPrincipal("/ui/api/agents"));
        assertNull(WebUi.publicPrincipal("/global-vrouter-configs"));
    }
}
