package io.vrouter.plumbing.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server's pipeline on an {@link EmbeddedChannel}: bytes in, bytes out, no socket. */
@Timeout(10)
class JsonHttpServerPipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final InetSocketAddress ANY = new InetSocketAddress(0);

    /** One parsed answer: status line, headers (lower-case names) and body. */
    record Answer(int status, Map<String, String> headers, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    private final AtomicReference<Deferred> held = new AtomicReference<>();

    private final Router router = new Router()
            .get("/things/{id}", req -> Response.ok(Map.of("id", req.pathParam("id"))).withHeader("ETag", "\"7\""))
            .put("/things/{id}", req -> {
                throw HttpError.badField("name", "is required").field("size", "is negative");
            })
            .get("/files/{rest*}", req -> Response.ok(Map.of("rest", req.pathParam("rest"))))
            .post("/echo", req -> Response.ok(req.jsonObject()))
            .get("/who", req -> Response.ok(Map.of("who", String.valueOf(req.principal()))))
            .get("/boom", req -> {
                throw new IllegalStateException("secret detail");
            })
            .get("/later", req -> {
                held.set(req.defer());
                return Response.DEFERRED;
            });

    private EmbeddedChannel channel(JsonHttpServer.Builder b) {
        EmbeddedChannel ch = new EmbeddedChannel();
        b.settings().initPipeline(ch, null);
        return ch;
    }

    private EmbeddedChannel channel() {
        return channel(JsonHttpServer.builder("test", ANY, 64, router));
    }

    private static Answer exchange(EmbeddedChannel ch, String request) {
        ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        ch.runPendingTasks();
        return read(ch);
    }

    private static Answer read(EmbeddedChannel ch) {
        StringBuilder raw = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            raw.append(b.toString(StandardCharsets.UTF_8));
            b.release();
        }
        if (raw.isEmpty()) {
            return null;
        }
        String text = raw.toString();
        int split = text.indexOf("\r\n\r\n");
        String[] head = text.substring(0, split).split("\r\n");
        Map<String, String> headers = new java.util.HashMap<>();
        for (int i = 1; i < head.length; i++) {
            int c = head[i].indexOf(':');
            headers.put(head[i].substring(0, c).toLowerCase(java.util.Locale.ROOT), head[i].substring(c + 1).trim());
        }
        return new Answer(Integer.parseInt(head[0].split(" ")[1]), headers, text.substring(split + 4));
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }

    @Test
    void shouldAnswerJsonWithPathParameterHeadersAndKeepAlive() throws Exception {
        EmbeddedChannel ch = channel();
        Answer a = exchange(ch, get("/things/42/"));
        assertEquals(200, a.status());
        assertEquals("42", a.json().get("id").asText());
        assertEquals("application/json", a.headers().get("content-type"));
        assertEquals(String.valueOf(a.body().length()), a.headers().get("content-length"));
        assertEquals("\"7\"", a.headers().get("etag"));
        assertEquals("keep-alive", a.headers().get("connection"));
        assertTrue(ch.isOpen());
    }

    @Test
    void aRestParameterShouldTakeTheRestOfThePathSoTheHandlerJudgesIt() throws Exception {
        assertEquals("a/../b", exchange(channel(), get("/files/a/../b")).json().get("rest").asText());
        assertEquals(404, exchange(channel(), get("/files")).status());
    }

    @Test
    void fieldErrorsShouldBeAnObjectByFieldInTheOneShape() throws Exception {
        Answer a = exchange(channel(), "PUT /things/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
        assertEquals(400, a.status());
        JsonNode body = a.json();
        assertEquals(400, body.get("status").asInt());
        assertEquals("name is required", body.get("error").asText());
        assertEquals("is required", body.get("field_errors").get("name").asText());
        assertEquals("is negative", body.get("field_errors").get("size").asText());
    }

    @Test
    void unknownPathShouldBe404WithoutFieldErrors() throws Exception {
        Answer a = exchange(channel(), get("/nothing"));
        assertEquals(404, a.status());
        assertEquals("no such resource: /nothing", a.json().get("error").asText());
        assertEquals(404, a.json().get("status").asInt());
        assertFalse(a.json().has("field_errors"), a.body());
    }

    @Test
    void aWrongMethodOnAKnownPathShouldBe405WithAllow() throws Exception {
        Answer a = exchange(channel(), "DELETE /things/1 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(405, a.status());
        assertEquals("GET, PUT", a.headers().get("allow"));
        assertTrue(a.json().get("error").asText().contains("allowed: GET, PUT"), a.body());
    }

    @Test
    void aBodyOverTheLimitShouldBe413InTheOneShape() throws Exception {
        String body = "{\"x\":\"" + "a".repeat(100) + "\"}";
        Answer a = exchange(channel(), "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body);
        assertEquals(413, a.status());
        assertEquals("request body exceeds 64 bytes", a.json().get("error").asText());
        assertEquals("close", a.headers().get("connection"));
    }

    @Test
    void aBodyWithinTheLimitShouldReachTheHandler() throws Exception {
        String body = "{\"x\": 1}";
        Answer a = exchange(channel(), "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        assertEquals(200, a.status(), a.body());
        assertEquals(1, a.json().get("x").asInt());
    }

    @Test
    void malformedJsonShouldBe400NamingWhere() throws Exception {
        String body = "{\"x\": ";
        Answer a = exchange(channel(), "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        assertEquals(400, a.status());
        assertTrue(a.json().get("error").asText().startsWith("malformed JSON at line 1"), a.body());
    }

    @Test
    void aMalformedRequestShouldBe400AndCloseTheConnection() throws Exception {
        EmbeddedChannel ch = channel();
        Answer a = exchange(ch, "GET /things/1 HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n");
        assertEquals(400, a.status());
        assertTrue(a.json().get("error").asText().startsWith("malformed HTTP request"), a.body());
        assertFalse(ch.isOpen());
    }

    @Test
    void aHandlerFailureShouldBe500WithoutItsDetail() throws Exception {
        Answer a = exchange(channel(), get("/boom"));
        assertEquals(500, a.status());
        assertEquals("internal error", a.json().get("error").asText());
    }

    @Test
    void theAuthHookShouldRefuseWithTheChallengeOrHandThePrincipalOn() throws Exception {
        HttpAuth auth = new HttpAuth() {
            @Override
            public Object authenticate(Request req) {
                return "Basic good".equals(req.header("Authorization")) ? "alice" : null;
            }

            @Override
            public String challenge() {
                return "Basic realm=\"test\"";
            }
        };
        JsonHttpServer.Builder b = JsonHttpServer.builder("test", ANY, 64, router).auth(auth);
        Answer refused = exchange(channel(b), get("/who"));
        assertEquals(401, refused.status());
        assertEquals("Basic realm=\"test\"", refused.headers().get("www-authenticate"));
        assertEquals("authentication required", refused.json().get("error").asText());
        Answer unknown = exchange(channel(b), get("/nothing"));
        assertEquals(401, unknown.status(), "authentication comes before routing");
        Answer ok = exchange(channel(b), "GET /who HTTP/1.1\r\nHost: x\r\nAuthorization: Basic good\r\n\r\n");
        assertEquals("alice", ok.json().get("who").asText());
    }

    @Test
    void anAuthHookThatCannotDecideShouldAnswerItsOwnStatusNot401() throws Exception {
        HttpAuth down = new HttpAuth() {
            @Override
            public Object authenticate(Request req) throws HttpError {
                throw new HttpError(503, "identity service unreachable");
            }

            @Override
            public String challenge() {
                return "Keystone uri=\"http://127.0.0.1:5000/v3\"";
            }
        };
        Answer a = exchange(channel(JsonHttpServer.builder("test", ANY, 64, router).auth(down)), get("/who"));
        assertEquals(503, a.status());
        assertEquals("identity service unreachable", a.json().get("error").asText());
        assertNull(a.headers().get("www-authenticate"));
    }

    /** Basic auth whose verdict is {@code verdict}, asked for only through authenticateAsync. */
    private static HttpAuth asyncOnly(java.util.concurrent.CompletionStage<Object> verdict) {
        return new HttpAuth() {
            @Override
            public Object authenticate(Request req) {
                throw new AssertionError("the server must use authenticateAsync");
            }

            @Override
            public java.util.concurrent.CompletionStage<Object> authenticateAsync(Request req) {
                return verdict;
            }

            @Override
            public String challenge() {
                return "Basic";
            }
        };
    }

    @Test
    void aPendingAsyncAuthShouldHoldTheRequestAndStopReadingUntilItCompletes() throws Exception {
        java.util.concurrent.CompletableFuture<Object> decision = new java.util.concurrent.CompletableFuture<>();
        EmbeddedChannel ch = channel(JsonHttpServer.builder("test", ANY, 64, router).auth(asyncOnly(decision)));
        assertNull(exchange(ch, get("/who")), "nothing is answered while authentication is pending");
        assertFalse(ch.config().isAutoRead(), "no further request is read meanwhile");
        decision.complete("bob");
        ch.runPendingTasks();
        Answer a = read(ch);
        assertEquals(200, a.status());
        assertEquals("bob", a.json().get("who").asText());
        assertTrue(ch.config().isAutoRead());
    }

    @Test
    void aFailedAsyncAuthShouldAnswerItsErrorWithItsHeaders() throws Exception {
        java.util.concurrent.CompletableFuture<Object> verdict = new java.util.concurrent.CompletableFuture<>();
        EmbeddedChannel ch = channel(JsonHttpServer.builder("test", ANY, 64, router).auth(asyncOnly(verdict)));
        assertNull(exchange(ch, get("/who")), "nothing is written before the verdict");
        Thread other = new Thread(() -> verdict.completeExceptionally(
                new HttpError(429, "slow down").header("Retry-After", "3")));
        other.start();
        other.join();
        Answer a = null;
        for (long deadline = System.nanoTime() + 10_000_000_000L; a == null && System.nanoTime() < deadline; ) {
            ch.runPendingTasks();
            a = read(ch);
            if (a == null) {
                Thread.sleep(5);
            }
        }
        assertNotNull(a, "answered once the verdict came");
        assertEquals(429, a.status());
        assertEquals("3", a.headers().get("retry-after"));
    }

    @Test
    void aDeferredRequestShouldBeAnsweredOnceWhenTheHandlerReplies() throws Exception {
        EmbeddedChannel ch = channel();
        assertNull(exchange(ch, get("/later")), "nothing is written until the reply");
        held.get().reply(Response.noContent());
        held.get().reply(Response.ok(Map.of("late", true)));
        ch.runPendingTasks();
        Answer a = read(ch);
        assertEquals(204, a.status());
        assertEquals("", a.body());
        assertNull(a.headers().get("content-length"));
        assertNull(read(ch), "only the first reply counts");
    }

    @Test
    void aDeferredRequestShouldLearnOfTheCloseAndItsReplyBeDropped() {
        EmbeddedChannel ch = channel();
        exchange(ch, get("/later"));
        AtomicReference<Boolean> closed = new AtomicReference<>(false);
        held.get().onClose(() -> closed.set(true));
        ch.close();
        assertTrue(closed.get());
        held.get().reply(Response.ok(Map.of()));
        ch.runPendingTasks();
        assertNull(read(ch));
    }

    @Test
    void aPortInUseShouldBeAnIOExceptionNamingServerAndAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            InetSocketAddress addr = new InetSocketAddress("127.0.0.1", taken.getLocalPort());
            IOException e = assertThrows(IOException.class, () -> JsonHttpServer.builder("probe", addr, 64, router).start());
            assertTrue(e.getMessage().startsWith("probe: cannot listen on /127.0.0.1:" + taken.getLocalPort()), e.getMessage());
        }
    }

    @Test
    void errorBodyShouldReadBackWhatTheServerWrites() throws Exception {
        HttpError e = HttpError.badField("port", "is 0").field("port", "is not a number");
        String written = JSON.writeValueAsString(e.toResponse().body());
        ErrorBody read = ErrorBody.read(400, JSON.readTree(written));
        assertEquals(new ErrorBody(400, "port is 0", Map.of("port", "is 0; is not a number")), read);
        assertEquals(new ErrorBody(502, "HTTP 502", Map.of()), ErrorBody.read(502, null));
    }
}
