package io.vrouter.agent.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.EventLoopGroup;
import io.vrouter.plumbing.http.HttpTransport;
import io.vrouter.agent.port.PortFixtures.FakeInterfaces;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PortIpcServerTest {
    private static EventLoopGroup group;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path stateDir;
    private final FakeInterfaces interfaces = new FakeInterfaces().withTaps(5);
    private PortRegistry registry;
    private PortIpcServer server;
    private String base;

    record Answer(int status, JsonNode body) {
    }

    @BeforeAll
    static void startGroup() {
        group = HttpTransport.newGroup(1, "test-ipc-io");
    }

    @AfterAll
    static void stopGroup() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void start() throws Exception {
        registry = new PortRegistry(new FilePortStore(stateDir), interfaces, new InterfaceIndexAllocator(3));
        server = PortIpcServer.start(new InetSocketAddress("127.0.0.1", 0), group, registry);
        base = "http://127.0.0.1:" + server.localAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Answer send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("application/json", r.headers().firstValue("content-type").orElse(""));
        return new Answer(r.statusCode(), PortJson.mapper().readTree(r.body()));
    }

    private Answer post(ObjectNode port) throws Exception {
        return send("POST", "/port", port.toString());
    }

    private void assertStateIs(int ports) throws Exception {
        assertEquals(ports, send("GET", "/ports", null).body().size());
        assertEquals(ports, new FilePortStore(stateDir).scan().ports().size());
    }

    @Test
    void shouldAddGetListAndDeleteAPort() throws Exception {
        Answer added = post(PortFixtures.json(1));
        assertEquals(200, added.status());
        assertEquals("169.254.0.1", added.body().get("metadata-ip").asText());
        assertEquals(1, added.body().get("interface-index").asInt());
        String id = PortFixtures.uuid(1, 1);

        Answer got = send("GET", "/port/" + id, null);
        assertEquals(200, got.status());
        assertEquals(added.body(), got.body());
        assertEquals("tap1", got.body().get("system-name").asText());

        Answer list = send("GET", "/ports", null);
        assertEquals(1, list.body().size());
        assertEquals(id, list.body().get(0).get("id").asText());

        Answer deleted = send("DELETE", "/port/" + id, null);
        assertEquals(200, deleted.status());
        assertEquals(404, send("GET", "/port/" + id, null).status());
        Answer again = send("DELETE", "/port/" + id, null);
        assertEquals(200, again.status(), "as Contrail: vrouter-port-control deletes the file first, then calls");
        assertEquals(0, again.body().size());
        assertStateIs(0);
    }

    @Test
    void identicalRePostShouldAnswer200WithTheSamePort() throws Exception {
        Answer first = post(PortFixtures.json(1));
        Answer second = post(PortFixtures.json(1));
        assertEquals(200, second.status());
        assertEquals(first.body(), second.body());
        assertStateIs(1);
    }

    @Test
    void everyRefusalShouldBeA4xxWithAClearMessageAndNoStateChange() throws Exception {
        post(PortFixtures.json(1));
        ObjectNode changed = PortFixtures.json(1);
        changed.put("mac-address", "02:00:00:00:99:99");
        ObjectNode sameTap = PortFixtures.json(2);
        sameTap.put("system-name", "tap1");
        ObjectNode noSuchTap = PortFixtures.json(2);
        noSuchTap.put("system-name", "tap99");
        ObjectNode badIp = PortFixtures.json(2);
        badIp.put("ip-address", "10.0.0.999");
        ObjectNode missing = PortFixtures.json(2);
        missing.remove("instance-id");

        record Case(String what, String method, String path, String body, int status, String mentions) {
        }
        List<Case> cases = List.of(
                new Case("bad JSON", "POST", "/port", "{\"id\": ", 400, "malformed JSON"),
                new Case("not an object", "POST", "/port", "[1,2]", 400, "JSON object"),
                new Case("empty body", "POST", "/port", null, 400, "empty body"),
                new Case("missing field", "POST", "/port", missing.toString(), 400, "instance-id"),
                new Case("invalid IPv4", "POST", "/port", badIp.toString(), 400, "ip-address"),
                new Case("no such interface", "POST", "/port", noSuchTap.toString(), 400, "tap99"),
                new Case("same id, other content", "POST", "/port", changed.toString(), 409, "mac-address"),
                new Case("same system-name", "POST", "/port", sameTap.toString(), 409, "tap1"),
                new Case("GET bad uuid", "GET", "/port/xyz", null, 400, "UUID"),
                new Case("DELETE bad uuid", "DELETE", "/port/../../etc", null, 400, "UUID"),
                new Case("unknown path", "GET", "/nope", null, 404, "unknown path"),
                new Case("wrong method", "PUT", "/port", "{}", 405, "POST"),
                new Case("too large", "POST", "/port", "{\"x\":\"" + "a".repeat(20_000) + "\"}", 413, null));
        for (Case c : cases) {
            Answer a = send(c.method(), c.path(), c.body());
            assertEquals(c.status(), a.status(), c.what() + ": " + a.body());
            if (c.mentions() != null) {
                assertTrue(a.body().get("error").asText().contains(c.mentions()), c.what() + ": " + a.body());
            }
        }
        assertStateIs(1);
        Answer still = send("GET", "/port/" + PortFixtures.uuid(1, 1), null);
        assertEquals("02:00:00:00:00:01", still.body().get("mac-address").asText());
    }

    @Test
    void fieldErrorsShouldBeNamedInTheOneErrorShape() throws Exception {
        ObjectNode badIp = PortFixtures.json(2);
        badIp.put("ip-address", "10.0.0.999");
        Answer a = post(badIp);
        assertEquals(400, a.status());
        assertEquals(400, a.body().get("status").asInt());
        assertEquals(1, a.body().get("field_errors").size(), a.body().toString());
        assertTrue(a.body().get("field_errors").has("ip-address"), a.body().toString());
        Answer wrongMethod = send("PUT", "/ports", "{}");
        assertEquals(405, wrongMethod.status());
        assertTrue(wrongMethod.body().get("error").asText().endsWith("(allowed: GET)"), wrongMethod.body().toString());
    }

    @Test
    void malformedHttpShouldBeA400() throws Exception {
        try (java.net.Socket sock = new java.net.Socket("127.0.0.1", server.localAddress().getPort())) {
            sock.setSoTimeout(10_000);
            sock.getOutputStream().write("NOT HTTP AT ALL\r\nHost: x\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(sock.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            assertTrue(answer.contains("malformed HTTP request"), answer);
        }
        assertStateIs(0);
    }

    @Test
    void concurrentPostsShouldEachGetTheirOwnIndex() throws Exception {
        PortRegistry big = new PortRegistry(new InMemoryPortStore(), name -> true);
        try (PortIpcServer s = PortIpcServer.start(new InetSocketAddress("127.0.0.1", 0), group, big)) {
            String url = "http://127.0.0.1:" + s.localAddress().getPort() + "/port";
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                futures.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(url))
                        .POST(HttpRequest.BodyPublishers.ofString(PortFixtures.json(i).toString())).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            java.util.Set<Integer> indexes = new java.util.HashSet<>();
            for (var f : futures) {
                HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), r.body());
                indexes.add(PortJson.mapper().readTree(r.body()).get("interface-index").asInt());
            }
            assertEquals(40, indexes.size());
            assertEquals(40, big.size());
        }
    }

    @Test
    void exhaustionShouldBeA409() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertEquals(200, post(PortFixtures.json(i)).status());
        }
        Answer full = post(PortFixtures.json(3));
        assertEquals(409, full.status());
        assertTrue(full.body().get("error").asText().contains("no free interface index"));
        assertStateIs(3);
    }

    @Test
    void restartedServerShouldBindTheSamePortAtOnce() throws Exception {
        post(PortFixtures.json(1));
        int port = server.localAddress().getPort();
        server.close();
        PortRegistry replayed = new PortRegistry(new FilePortStore(stateDir), interfaces);
        replayed.replay();
        server = PortIpcServer.start(new InetSocketAddress("127.0.0.1", port), group, replayed);
        Answer got = send("GET", "/port/" + PortFixtures.uuid(1, 1), null);
        assertEquals(200, got.status());
        assertEquals(1, got.body().get("interface-index").asInt());
    }

    private static VrouterPortControl nova(int n, String ip, String ip6) {
        return VrouterPortControl.nova(PortFixtures.uuid(1, n), PortFixtures.uuid(2, n), PortFixtures.uuid(3, 1),
                "0123456789abcdef0123456789abcdef", ip, ip6, "vm " + n, String.format("02:00:00:00:00:%02x", n), "tap" + n);
    }

    @Test
    void vrouterPortControlAddAndDeleteShouldSucceedForIpv4OnlyAndIpv6OnlyPorts() throws Exception {
        VrouterPortControl v4only = nova(1, "10.0.0.3", "None");
        VrouterPortControl v6only = nova(2, "0.0.0.0", "fd00::4");
        for (VrouterPortControl c : List.of(v4only, v6only)) {
            c.writePortFile(stateDir); // the script writes its file, then calls the agent
            Answer a = send("POST", "/port", c.json());
            assertEquals(200, a.status(), "the script exits 4 on anything else, failing the VM boot: " + a.body());
        }
        Answer got = send("GET", "/port/" + v6only.uuid(), null);
        assertEquals("0.0.0.0", got.body().get("ip-address").asText());
        assertEquals("fd00::4", got.body().get("ip6-address").asText());
        assertEquals("::", send("GET", "/port/" + v4only.uuid(), null).body().get("ip6-address").asText());
        assertStateIs(2);

        Files.delete(stateDir.resolve(v4only.uuid())); // --oper delete: the file first, then DELETE
        assertEquals(200, send("DELETE", "/port/" + v4only.uuid(), null).status());
        assertStateIs(1);
    }

    @Test
    void anArrayOfPortsShouldBeAddedAllOrNone() throws Exception {
        Answer both = send("POST", "/port", "[" + PortFixtures.json(1) + ", " + PortFixtures.json(2) + "]");
        assertEquals(200, both.status(), both.body().toString());
        assertEquals(2, both.body().size());
        ObjectNode clash = PortFixtures.json(4);
        clash.put("system-name", "tap1");
        Answer refused = send("POST", "/port", "[" + PortFixtures.json(3) + ", " + clash + "]");
        assertEquals(409, refused.status(), refused.body().toString());
        assertStateIs(2);
        assertEquals(404, send("GET", "/port/" + PortFixtures.uuid(1, 3), null).status(), "the first was undone");
    }

    @Test
    void enableAndDisablePortShouldKeepContrailsSemantics() throws Exception {
        post(PortFixtures.json(1));
        for (String op : List.of("enable-port", "disable-port")) {
            Answer vm = send("PUT", "/" + op + "/" + PortFixtures.uuid(1, 1), null);
            assertEquals(400, vm.status(), vm.body().toString());
            assertTrue(vm.body().get("error").asText().contains("incorrect port type"), vm.body().toString());
            assertEquals(404, send("PUT", "/" + op + "/" + PortFixtures.uuid(1, 2), null).status());
            assertEquals(400, send("PUT", "/" + op + "/nope", null).status());
        }
        assertStateIs(1);
    }

    @Test
    void aHostInterfaceShouldBeRefusedWithA409NamingTheReason() throws Exception {
        interfaces.names.add("lo");
        interfaces.hosts.add("lo");
        ObjectNode lo = PortFixtures.json(1);
        lo.put("system-name", "lo");
        Answer a = post(lo);
        assertEquals(409, a.status());
        assertTrue(a.body().get("field_errors").get("system-name").asText().contains("lo is the host's"),
                a.body().toString());
        assertStateIs(0);
    }

    @Test
    void syncPortsShouldRemoveThePortsNotReAddedWithinTheStaleTimeout() throws Exception {
        server.close();
        server = PortIpcServer.start(new InetSocketAddress("127.0.0.1", 0), group, registry, Duration.ofMillis(300));
        base = "http://127.0.0.1:" + server.localAddress().getPort();
        post(PortFixtures.json(1));
        post(PortFixtures.json(2));

        Answer sync = send("POST", "/syncports", null);
        assertEquals(200, sync.status());
        assertEquals(200, post(PortFixtures.json(2)).status());

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (registry.size() > 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(404, send("GET", "/port/" + PortFixtures.uuid(1, 1), null).status());
        assertEquals(200, send("GET", "/port/" + PortFixtures.uuid(1, 2), null).status());
        assertStateIs(1);
    }
}
