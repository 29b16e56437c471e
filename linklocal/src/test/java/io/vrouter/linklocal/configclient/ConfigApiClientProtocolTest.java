package io.vrouter.linklocal.configclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A server that breaks the contract: every such answer is a PROTOCOL error naming what is wrong. */
@Timeout(20)
class ConfigApiClientProtocolTest {
    private HttpServer server;
    private final Map<String, String[]> answers = new ConcurrentHashMap<>(); // path -> {status, etag|null, body}
    private ConfigApiClient api;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        server.createContext("/", ex -> {
            try (ex) {
                String[] a = answers.getOrDefault(ex.getRequestURI().getPath(), new String[] {"404", null, "{}"});
                if (a[1] != null) {
                    ex.getResponseHeaders().add("ETag", a[1]);
                }
                byte[] body = a[2].getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(Integer.parseInt(a[0]), body.length == 0 ? -1 : body.length);
                if (body.length > 0) {
                    ex.getResponseBody().write(body);
                }
            }
        });
        server.start();
        api = new ConfigApiClient(ConfigApiEndpoint.of(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                "admin", "pw"));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private ConfigApiException protocolError(org.junit.jupiter.api.function.Executable call) {
        ConfigApiException e = assertThrows(ConfigApiException.class, call);
        assertEquals(ConfigApiException.Kind.PROTOCOL, e.kind(), e.getMessage());
        return e;
    }

    @Test
    void aReadWithoutETagShouldBeAProtocolError() {
        answers.put("/global-vrouter-config/u1", new String[] {"200", null, "{\"global-vrouter-config\": {}}"});
        assertTrue(protocolError(() -> api.read("u1")).getMessage().contains("no ETag"));
    }

    @Test
    void anETagThatIsNotARevisionShouldBeAProtocolError() {
        answers.put("/global-vrouter-config/u1", new String[] {"200", "\"abc\"", "{\"global-vrouter-config\": {}}"});
        assertTrue(protocolError(() -> api.read("u1")).getMessage().contains("not a revision"));
    }

    @Test
    void aWeakETagShouldStillBeRead() throws Exception {
        answers.put("/global-vrouter-config/u1", new String[] {"200", "W/\"17\"", "{\"global-vrouter-config\": {}}"});
        assertEquals(17, api.read("u1").revision());
    }

    @Test
    void aBodyThatIsNotJsonShouldBeAProtocolError() {
        answers.put("/global-vrouter-config/u1", new String[] {"200", "\"3\"", "<html>proxy error</html>"});
        assertTrue(protocolError(() -> api.read("u1")).getMessage().contains("not JSON"));
    }

    @Test
    void aWatchAnswerWithoutRevisionShouldBeAProtocolError() {
        answers.put("/watch/global-vrouter-config", new String[] {"200", null, "{\"global-vrouter-config\": {}}"});
        assertTrue(protocolError(() -> api.watch(0, Duration.ofSeconds(1))).getMessage().contains("revision"));
    }

    @Test
    void aWatchAnswerWithAnInvalidObjectShouldComeBackAsRejectedWithFieldErrors() throws Exception {
        answers.put("/watch/global-vrouter-config", new String[] {"200", null, "{\"revision\": 9, \"global-vrouter-config\":"
                + " {\"linklocal_services\": {\"linklocal_service_entry\": [{\"linklocal_service_name\": \"m\","
                + " \"linklocal_service_ip\": \"169.254.169.254\", \"linklocal_service_port\": 80,"
                + " \"ip_fabric_service_port\": 8775, \"ip_fabric_service_ip\": [\"10.0.0.1\"], \"protocol\": \"tcp\"}]}}}"});
        WatchEvent ev = api.watch(0, Duration.ofSeconds(1)).orElseThrow();
        assertEquals(9, ev.revision());
        assertTrue(!ev.valid() && ev.errors().get(0).message().contains("unknown field"), ev.errors().toString());
    }

    @Test
    void aServerErrorShouldCarryItsStatusAndMessage() {
        answers.put("/fqname-to-id", new String[] {"503", null, "{\"error\": \"store unavailable\"}"});
        ConfigApiException e = protocolError(api::uuid);
        assertEquals(503, e.status());
        assertTrue(e.getMessage().contains("store unavailable"), e.getMessage());
    }

    @Test
    void anFqnameAnswerWithoutUuidShouldBeAProtocolError() {
        answers.put("/fqname-to-id", new String[] {"200", null, "{\"id\": \"x\"}"});
        assertTrue(protocolError(api::uuid).getMessage().contains("no uuid"));
    }
}
