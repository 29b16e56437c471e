package io.vrouter.linklocal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.plumbing.http.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProxyWarmUpTest {
    private static MetadataProxyConfig node(MetadataTokenMode mode) {
        return MetadataProxyConfig.builder().bindAddress(InetAddress.getLoopbackAddress()).port(0)
                .sharedSecret(ProxyFixtures.SECRET).rateLimitPerSecond(1).rateLimitBurst(1).tokenMode(mode).build();
    }

    @Test
    void shouldRunEveryRequestThroughTheProxySignedOverSeveralConnections() {
        // 45 = three connections; the node's rate limit of 1/s would refuse the second request: not applied
        ProxyWarmUp.Result r = ProxyWarmUp.run(node(MetadataTokenMode.OPTIONAL), 45);
        assertNull(r.failure());
        assertEquals(45, r.requests());
    }

    @Test
    void shouldWorkWhenTheNodeRequiresTokens() {
        ProxyWarmUp.Result r = ProxyWarmUp.run(node(MetadataTokenMode.REQUIRED), 25);
        assertNull(r.failure());
        assertEquals(25, r.requests());
    }

    @Test
    void shouldStopAtTheFirstFailureAndSayWhatTheGuestGot() {
        ProxyWarmUp.Result r = ProxyWarmUp.run(node(MetadataTokenMode.OPTIONAL), 10,
                signature -> req -> Response.of(500, Map.of("error", "nova is unwell")));
        assertEquals(1, r.requests(), "the token PUT (answered by the proxy) went through, the first GET did not");
        assertTrue(r.failure().startsWith("GET answered HTTP/1.1 500 "), r.failure());
        assertTrue(r.failure().contains("nova is unwell"), r.failure());
    }

    @Test
    void shouldReportAnAnswerWithAnotherVmsData() {
        ProxyWarmUp.Result r = ProxyWarmUp.run(node(MetadataTokenMode.OPTIONAL), 10,
                signature -> req -> Response.ok(Map.of("uuid", "someone-else")));
        assertEquals(1, r.requests());
        assertTrue(r.failure().contains("without the warm-up instance's data"), r.failure());
    }

    @Test
    void shouldRefuseToRunNoRequest() {
        assertThrows(IllegalArgumentException.class, () -> ProxyWarmUp.run(node(MetadataTokenMode.OPTIONAL), 0));
    }

    @Test
    void shouldReadAResponseFramedByContentLength() throws IOException {
        String[] r = ProxyWarmUp.readResponse(in("HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello+extra"));
        assertEquals("HTTP/1.1 200 OK", r[0]);
        assertEquals("hello", r[1]);
    }

    @Test
    void shouldRejectAResponseWithoutContentLengthOrCutShort() {
        assertThrows(IOException.class, () -> ProxyWarmUp.readResponse(in("HTTP/1.1 200 OK\r\n\r\nhello")));
        assertThrows(IOException.class, () -> ProxyWarmUp.readResponse(in("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhello")));
        assertThrows(IOException.class, () -> ProxyWarmUp.readResponse(in("HTTP/1.1 200 OK\r\nContent-Le")));
    }

    private static ByteArrayInputStream in(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.US_ASCII));
    }
}
