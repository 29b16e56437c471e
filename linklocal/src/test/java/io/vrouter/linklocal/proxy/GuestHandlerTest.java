package io.vrouter.linklocal.proxy;

import static io.vrouter.linklocal.proxy.GuestChannels.*;
import static io.vrouter.linklocal.proxy.ProxyFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpObjectAggregator;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The guest-side pipeline on an {@link EmbeddedChannel}: every answer the proxy gives itself,
 * without sockets or an upstream (none is needed: nothing here may be forwarded).
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class GuestHandlerTest {
    private final GuestChannels channels = new GuestChannels();

    @AfterEach
    void closeChannels() {
        channels.closeAll();
    }

    private MetadataProxy proxy(Consumer<MetadataProxyConfig.Builder> tweak, MetadataUpstreams upstreams) {
        MetadataProxyConfig.Builder b = MetadataProxyConfig.builder().port(0).sharedSecret(SECRET);
        tweak.accept(b);
        return new MetadataProxy(b.build(), DIRECTORY, upstreams);
    }

    private MetadataProxy proxy(Consumer<MetadataProxyConfig.Builder> tweak) {
        // An upstream that is never contacted in these tests: the handler must answer first.
        return proxy(tweak, MetadataUpstreams.fixed(List.of()));
    }

    private EmbeddedChannel guest(MetadataProxy proxy, String source) {
        return channels.open(proxy, source);
    }

    /** Lets {@code ms} of the channel's frozen clock pass; the statuses of what it then wrote. */
    private static List<Integer> statusesAfter(EmbeddedChannel ch, long ms) {
        ch.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        return statuses(responses(ch));
    }

    @Test
    void shouldRefuseUnknownSourceWith403AndKeepConnectionOpen() {
        MetadataProxy p = proxy(b -> { });
        EmbeddedChannel ch = guest(p, SRC_UNKNOWN);
        List<FullHttpResponse> rs = exchange(ch, "GET /latest/meta-data/ HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(1, rs.size());
        assertEquals(403, rs.get(0).status().code());
        assertTrue(body(rs.get(0)).contains("No VM interface owns source address 127.0.0.9"));
        assertTrue(ch.isOpen());
        assertEquals(1, p.counters().rejections(RejectReason.UNKNOWN_SOURCE));
    }

    @Test
    void shouldRefuseUnsupportedMethodWith501AndAllowHeader() {
        EmbeddedChannel ch = guest(proxy(b -> { }), SRC_A);
        for (String m : List.of("PATCH", "OPTIONS", "TRACE", "CONNECT", "BREW")) {
            List<FullHttpResponse> rs = exchange(ch, m + " /latest/meta-data/ HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(1, rs.size(), m);
            assertEquals(501, rs.get(0).status().code(), m);
            assertEquals("GET, HEAD, POST, PUT, DELETE", rs.get(0).headers().get("Allow"));
            assertTrue(body(rs.get(0)).contains("not implemented"), m);
        }
    }

    @Test
    void shouldRefuseLongRequestLineWith414AndClose() {
        EmbeddedChannel ch = guest(proxy(b -> b.maxInitialLineLength(128)), SRC_A);
        List<FullHttpResponse> rs = exchange(ch, "GET /" + "a".repeat(200) + " HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(List.of(414), statuses(rs));
        ch.runPendingTasks();
        assertFalse(ch.isOpen());
    }

    @Test
    void shouldRefuseLargeHeadersWith431AndClose() {
        MetadataProxy p = proxy(b -> b.maxHeaderSize(512));
        EmbeddedChannel ch = guest(p, SRC_A);
        List<FullHttpResponse> rs = exchange(ch, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(600)
                + "\r\n\r\n");
        assertEquals(List.of(431), statuses(rs));
        assertFalse(ch.isOpen());
        assertEquals(1, p.counters().rejections(RejectReason.HEADERS_TOO_LARGE));
    }

    @Test
    void shouldRefuseMalformedRequestWith400AndClose() {
        for (String bad : List.of("GET / HTTP/9.Z\r\nHost: x\r\n\r\n",
                "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n",
                "GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n")) {
            EmbeddedChannel ch = guest(proxy(b -> { }), SRC_A);
            List<FullHttpResponse> rs = exchange(ch, bad);
            assertEquals(1, rs.size(), bad);
            assertEquals(400, rs.get(0).status().code(), bad);
            assertTrue(body(rs.get(0)).startsWith("Malformed HTTP request"), bad);
            assertFalse(ch.isOpen(), bad);
        }
    }

    @Test
    void shouldRefuseTargetThatIsNotAPath() {
        EmbeddedChannel ch = guest(proxy(b -> { }), SRC_A);
        List<FullHttpResponse> rs = exchange(ch, "GET * HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(400, rs.get(0).status().code());
        rs.get(0).release();
    }

    @Test
    void shouldRefuseOversizedChunkedBodyWith413() {
        MetadataProxy p = proxy(b -> b.maxRequestBodyBytes(10));
        EmbeddedChannel ch = guest(p, SRC_A);
        List<FullHttpResponse> rs = exchange(ch, "POST /openstack/latest/password HTTP/1.1\r\nHost: x\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n");
        assertEquals(List.of(413), statuses(rs));
        assertEquals(1, p.counters().rejections(RejectReason.BODY_TOO_LARGE));
    }

    @Test
    void shouldAnswer503WhenNoMetadataServiceIsConfigured() {
        EmbeddedChannel ch = guest(proxy(b -> { }), SRC_A);
        List<FullHttpResponse> rs = exchange(ch, "GET /latest/meta-data/ HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(503, rs.get(0).status().code());
        assertTrue(body(rs.get(0)).contains("'metadata'"));
    }

    @Test
    void shouldAnswerPipelinedRejectionsInOrder() {
        EmbeddedChannel ch = guest(proxy(b -> { }), SRC_A);
        List<FullHttpResponse> rs = exchange(ch, "PATCH /a HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /b HTTP/1.1\r\nHost: x\r\n\r\n" + "OPTIONS /c HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(List.of(501, 503, 501), statuses(rs));
    }

    @Test
    void shouldRateLimitWith429AndRetryAfter() {
        MetadataProxy p = proxy(b -> b.rateLimitPerSecond(1).rateLimitBurst(2));
        EmbeddedChannel ch = guest(p, SRC_A);
        List<FullHttpResponse> rs = exchange(ch, "GET / HTTP/1.1\r\nHost: x\r\n\r\n".repeat(3));
        assertEquals(List.of(503, 503, 429), rs.stream().map(r -> r.status().code()).toList());
        assertEquals("1", rs.get(2).headers().get("Retry-After"));
        rs.forEach(FullHttpResponse::release);
        assertEquals(1, p.counters().rejections(RejectReason.RATE_LIMITED));
    }

    @Test
    void shouldAnswer408AndCloseWhenRequestIsNotCompleteInTime() {
        MetadataProxy p = proxy(b -> b.requestReadTimeoutMs(1000));
        EmbeddedChannel ch = guest(p, SRC_A);
        assertTrue(exchange(ch, "GET / HTTP/1.1\r\nHost: x\r\n").isEmpty());
        assertEquals(List.of(), statusesAfter(ch, 999));
        assertTrue(ch.isOpen());
        assertEquals(List.of(408), statusesAfter(ch, 2));
        assertFalse(ch.isOpen());
        assertEquals(1, p.counters().rejections(RejectReason.SLOW_REQUEST));
    }

    @Test
    void shouldTimeOutASlowRequestThatFollowsACompleteOneOnAKeepAliveConnection() {
        MetadataProxy p = proxy(b -> b.requestReadTimeoutMs(1000));
        EmbeddedChannel ch = guest(p, SRC_A);
        exchange(ch, "GET / HTTP/1.1\r\nHost: x\r\n\r\n").forEach(FullHttpResponse::release);
        ch.advanceTimeBy(500, TimeUnit.MILLISECONDS);
        assertTrue(exchange(ch, "GET / HTTP/1.1\r\nHo").isEmpty());
        // The first request's timer runs (here at 1500 ms) and re-arms a full period for the slow one.
        assertEquals(List.of(), statusesAfter(ch, 1000));
        assertTrue(ch.isOpen());
        assertEquals(List.of(408), statusesAfter(ch, 1001));
        assertFalse(ch.isOpen());
    }

    @Test
    void shouldNotTimeOutARequestThatArrivedInTime() {
        MetadataProxy p = proxy(b -> b.requestReadTimeoutMs(1000));
        EmbeddedChannel ch = guest(p, SRC_A);
        assertEquals(List.of(503), statuses(exchange(ch, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
        assertEquals(List.of(), statusesAfter(ch, 5000));
        assertEquals(0, p.counters().rejections(RejectReason.SLOW_REQUEST));
    }

    @Test
    void shouldCloseHttp10ConnectionAfterResponseUnlessKeepAlive() {
        EmbeddedChannel ch = guest(proxy(b -> { }), SRC_A);
        List<FullHttpResponse> rs = exchange(ch, "GET / HTTP/1.0\r\n\r\n");
        assertEquals("close", rs.get(0).headers().get("Connection"));
        rs.get(0).release();
        assertFalse(ch.isOpen());
    }

    @Test
    void shouldAnswer500AndKeepServingWhenTheDirectoryFails() {
        MetadataProxy p = new MetadataProxy(MetadataProxyConfig.builder().port(0).sharedSecret(SECRET).build(),
                source -> {
                    throw new IllegalStateException("port table unavailable");
                }, MetadataUpstreams.fixed(List.of()));
        EmbeddedChannel ch = guest(p, SRC_A);
        List<FullHttpResponse> rs = exchange(ch, "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(List.of(500, 500), statuses(rs));
        assertTrue(ch.isOpen());
        assertEquals(2, p.counters().rejections(RejectReason.INTERNAL_ERROR));
    }

    @Test
    void shouldCountResponsesByStatusClass() {
        MetadataProxy p = proxy(b -> { });
        EmbeddedChannel ch = guest(p, SRC_UNKNOWN);
        exchange(ch, "GET / HTTP/1.1\r\nHost: x\r\n\r\n").forEach(FullHttpResponse::release);
        EmbeddedChannel ch2 = guest(p, SRC_A);
        exchange(ch2, "GET / HTTP/1.1\r\nHost: x\r\n\r\n").forEach(FullHttpResponse::release);
        ProxyCountersSnapshot c = p.counters();
        assertEquals(2, c.requests());
        assertEquals(1, c.status4xx());
        assertEquals(1, c.status5xx());
        assertEquals(0, c.forwarded());
        assertEquals(2, c.latencyMicros().getTotalCount());
        assertTrue(c.toString().contains("rejected.UNKNOWN_SOURCE=1"), c.toString());
    }

    // --- request framing (RFC 9112 §6.1): answer, close, never read a smuggled request ---

    @Test
    void shouldAnswer400AndCloseWhenARequestHasBothContentLengthAndTransferEncoding() {
        MetadataProxy p = proxy(b -> { });
        EmbeddedChannel ch = guest(p, SRC_A);
        List<FullHttpResponse> rs = exchange(ch, "POST /openstack/latest/password HTTP/1.1\r\nHost: x\r\n"
                + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                + "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(List.of(400), statuses(rs), "one answer, nothing for the smuggled request");
        assertFalse(ch.isOpen());
        assertEquals(1, p.counters().rejections(RejectReason.MALFORMED_REQUEST));
    }

    @Test
    void shouldAnswer501AndCloseForAnUnknownTransferCoding() {
        for (String te : List.of("xchunked", "gzip, chunked", "chunked, chunked", "identity")) {
            MetadataProxy p = proxy(b -> { });
            EmbeddedChannel ch = guest(p, SRC_A);
            List<FullHttpResponse> rs = exchange(ch, "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + te
                    + "\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(List.of(501), statuses(rs), te);
            assertFalse(ch.isOpen(), te);
            assertEquals(1, p.counters().rejections(RejectReason.UNSUPPORTED_TRANSFER_CODING), te);
        }
    }

    @Test
    void shouldAnswer400ForTransferEncodingInAnHttp10Request() {
        EmbeddedChannel ch = guest(proxy(b -> { }), SRC_A);
        List<FullHttpResponse> rs = exchange(ch, "POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        assertEquals(List.of(400), statuses(rs));
        assertFalse(ch.isOpen());
    }

    @Test
    void shouldAcceptAPlainChunkedBody() {
        EmbeddedChannel ch = guest(proxy(b -> { }), SRC_A);
        List<FullHttpResponse> rs = exchange(ch, "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n"
                + "2\r\nab\r\n0\r\n\r\n");
        assertEquals(List.of(503), statuses(rs), "read as a request (no metadata service here)");
        assertTrue(ch.isOpen());
    }

    @Test
    void shouldAnswer400AndCloseForAControlCharacterInTheTarget() {
        for (String target : List.of("/latest/meta-data/\u0000x", "/a\u001b[2Jb", "/a\u007fb")) {
            MetadataProxy p = proxy(b -> { });
            EmbeddedChannel ch = guest(p, SRC_A);
            List<FullHttpResponse> rs = exchange(ch, "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(List.of(400), statuses(rs), target);
            assertFalse(ch.isOpen());
            assertEquals(1, p.counters().rejections(RejectReason.MALFORMED_REQUEST));
        }
    }

    @Test
    void shouldCloseAfter413AndNeverSendALater408() {
        MetadataProxy p = proxy(b -> b.maxRequestBodyBytes(10).requestReadTimeoutMs(1000));
        EmbeddedChannel ch = guest(p, SRC_A);
        List<FullHttpResponse> rs = exchange(ch, "POST /openstack/latest/password HTTP/1.1\r\nHost: x\r\n"
                + "Connection: keep-alive\r\nContent-Length: 100\r\n\r\n12345");
        assertEquals(1, rs.size());
        assertEquals(413, rs.get(0).status().code());
        assertEquals("close", rs.get(0).headers().get("Connection"));
        rs.forEach(FullHttpResponse::release);
        assertFalse(ch.isOpen());
        assertEquals(List.of(), statusesAfter(ch, 5000));
        assertEquals(1, p.counters().rejections(RejectReason.BODY_TOO_LARGE));
        assertEquals(0, p.counters().rejections(RejectReason.SLOW_REQUEST));
    }

    @Test
    void shouldAnswer413InOrderBehindEarlierPipelinedRequests() {
        EmbeddedChannel ch = guest(proxy(b -> b.maxRequestBodyBytes(10)), SRC_A);
        List<FullHttpResponse> rs = exchange(ch, "PATCH /a HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n");
        assertEquals(List.of(501, 413), statuses(rs));
    }

    // --- logs a guest can neither flood nor forge ---

    @Test
    void shouldLogAFloodOfBadRequestsAtMostTheConfiguredLinesWithControlBytesEscaped() {
        try (ProxyLogCapture log = new ProxyLogCapture()) {
            MetadataProxy p = proxy(b -> b.logLinesPerReason(5).rateLimitPerSecond(0));
            EmbeddedChannel ch = guest(p, SRC_A);
            for (int i = 0; i < 200; i++) {
                statuses(exchange(ch, "TRACE /\u001b[2J\u0007fake\u0000 HTTP/1.1\r\nHost: x\r\n\r\n"));
            }
            List<String> lines = log.lines(Level.DEBUG);
            assertEquals(5, lines.size(), lines.toString());
            assertEquals(200, p.counters().rejections(RejectReason.METHOD_NOT_IMPLEMENTED), "every request counted");
            for (String l : lines) {
                assertTrue(l.chars().noneMatch(c -> c < 0x20 || c == 0x7f), l);
                assertTrue(l.contains("\\x1b[2J\\x07fake"), l);
                assertTrue(l.contains("vm=" + VM_A.instanceId()), l);
            }
        }
    }

    @Test
    void shouldNameTheKnownVmInDecodeErrorLines() {
        try (ProxyLogCapture log = new ProxyLogCapture()) {
            EmbeddedChannel ch = guest(proxy(b -> { }), SRC_A);
            statuses(exchange(ch, "GET / HTTP/9.Z\r\nHost: x\r\n\r\n"));
            String line = log.lines(Level.DEBUG).get(0);
            assertTrue(line.contains("vm=" + VM_A.instanceId()), line);
            assertTrue(line.contains("status=400"), line);
            EmbeddedChannel unknown = guest(proxy(b -> { }), SRC_UNKNOWN);
            statuses(exchange(unknown, "GET / HTTP/9.Z\r\nHost: x\r\n\r\n"));
            assertTrue(log.lines(Level.DEBUG).get(1).contains("vm=unknown(127.0.0.9)"));
        }
    }
}
