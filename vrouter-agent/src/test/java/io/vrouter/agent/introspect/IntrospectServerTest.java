package io.vrouter.agent.introspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class IntrospectServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final StatsRegistry stats = new StatsRegistry();
    private final AtomicLong counter = new AtomicLong();
    private EventLoopGroup group;
    private IntrospectServer server;

    record Drops(long holdQueueFull, long limit) {
    }

    @BeforeEach
    void start() throws Exception {
        group = io.vrouter.plumbing.http.HttpTransport.newGroup(1, "test-introspect");
        stats.register("proxy", () -> Map.of("requests", counter.get()));
        stats.register("dataplane", () -> new Drops(3, 4));
        stats.register("broken", () -> {
            throw new IllegalStateException("counter gone");
        });
        stats.register("unserialisable", () -> new Object());
        stats.register("time", () -> Map.of("last", java.time.Instant.parse("2026-01-02T03:04:05Z")));
        Map<String, Supplier<?>> pages = Map.of("/ports", () -> List.of(Map.of("id", "p1")));
        server = IntrospectServer.start(new InetSocketAddress("127.0.0.1", 0), group, stats, pages);
    }

    @AfterEach
    void stop() {
        server.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.localAddress().getPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(String path, int status) throws Exception {
        HttpResponse<String> r = send("GET", path);
        assertEquals(status, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void statsShouldShowEverySectionLiveAndIsolateAFailingOne() throws Exception {
        counter.set(41);
        JsonNode all = get("/stats", 200);
        assertEquals(41, all.get("proxy").get("requests").asLong());
        assertEquals(3, all.get("dataplane").get("holdQueueFull").asLong());
        assertTrue(all.get("broken").get("error").asText().contains("counter gone"));
        assertTrue(all.get("unserialisable").has("error"), all.toString());
        assertEquals("2026-01-02T03:04:05Z", all.get("time").get("last").asText());
        counter.incrementAndGet();
        assertEquals(42, get("/stats/proxy", 200).get("requests").asLong());
    }

    @Test
    void pagesAndIndexShouldBeServed() throws Exception {
        assertEquals("p1", get("/ports", 200).get(0).get("id").asText());
        JsonNode index = get("/", 200);
        assertEquals("/ports", index.get("pages").get(0).asText());
        assertEquals(5, index.get("stats_sections").size());
    }

    @Test
    void unknownPathsAndMethodsShouldBeRefused() throws Exception {
        assertTrue(get("/stats/nope", 404).get("error").asText().contains("nope"));
        assertTrue(get("/admin", 404).get("error").asText().contains("unknown path"));
        assertEquals(405, send("DELETE", "/ports").statusCode());
    }

    @Test
    void closedRegistrationShouldDisappearAndNamesShouldBeChecked() throws Exception {
        StatsRegistry.Registration r = stats.register("temp", () -> 1);
        assertEquals(1, get("/stats/temp", 200).asInt());
        r.close();
        get("/stats/temp", 404);
        assertThrows(IllegalArgumentException.class, () -> stats.register("proxy", () -> 1));
        assertThrows(IllegalArgumentException.class, () -> stats.register("Bad Name", () -> 1));
        assertThrows(IllegalArgumentException.class, () -> stats.register("../x", () -> 1));
    }
}
