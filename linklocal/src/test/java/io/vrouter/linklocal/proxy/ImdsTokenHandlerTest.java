package io.vrouter.linklocal.proxy;

import static io.vrouter.linklocal.proxy.GuestChannels.*;
import static io.vrouter.linklocal.proxy.ProxyFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * IMDSv2 tokens through the guest-side pipeline: every answer {@link TokenGate} gives. There is
 * no upstream, so a request the gate lets through is answered 503 (no metadata service).
 */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ImdsTokenHandlerTest {
    private static final String TOKEN_PUT = "PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\n";
    private final GuestChannels channels = new GuestChannels();
    private final AtomicLong now = new AtomicLong(1_800_000_000L);

    @AfterEach
    void closeChannels() {
        channels.closeAll();
    }

    private MetadataProxy proxy(MetadataTokenMode nodeMode, MetadataTokenPolicy policy) {
        byte[] key = new byte[MetadataTokens.MIN_KEY_BYTES];
        Arrays.fill(key, (byte) 3);
        return new MetadataProxy(MetadataProxyConfig.builder().port(0).sharedSecret(SECRET).tokenMode(nodeMode).build(),
                DIRECTORY, MetadataUpstreams.fixed(List.of()), new MetadataTokens(key, now::get), policy);
    }

    private MetadataProxy proxy() {
        return proxy(MetadataTokenMode.OPTIONAL, MetadataTokenPolicy.NODE);
    }

    /** A token for the VM behind {@code source}, fetched as cloud-init does. */
    private String fetchToken(MetadataProxy p, String source, int ttl) {
        EmbeddedChannel ch = channels.open(p, source);
        List<FullHttpResponse> rs = exchange(ch, TOKEN_PUT + "X-aws-ec2-metadata-token-ttl-seconds: " + ttl + "\r\n\r\n");
        assertEquals(200, rs.get(0).status().code());
        return body(rs.get(0));
    }

    private static String get(String... headers) {
        return "GET /latest/meta-data/instance-id HTTP/1.1\r\nHost: 169.254.169.254\r\n"
                + String.join("", Arrays.stream(headers).map(h -> h + "\r\n").toList()) + "\r\n";
    }

    @Test
    void tokenPutShouldBeAnsweredByTheProxyWithTheTokenAndTheTtlEchoed() {
        MetadataProxy p = proxy();
        EmbeddedChannel ch = channels.open(p, SRC_A);
        // cloud-init's request: PUT, the TTL header, no body (python requests adds Content-Length: 0).
        List<FullHttpResponse> rs = exchange(ch, TOKEN_PUT + "User-Agent: Cloud-Init/24.1\r\n"
                + "X-aws-ec2-metadata-token-ttl-seconds: 21600\r\nContent-Length: 0\r\n\r\n");
        FullHttpResponse r = rs.get(0);
        assertEquals(200, r.status().code(), "answered here although no metadata service is configured");
        assertEquals("21600", r.headers().get("X-aws-ec2-metadata-token-ttl-seconds"));
        assertEquals("text/plain", r.headers().get("Content-Type"));
        String token = body(r);
        assertEquals(MetadataTokens.TOKEN_CHARS, token.length(), "the bare token, no newline: " + token);
        assertTrue(ch.isOpen());
        assertEquals(1, p.counters().tokensIssued());
        assertEquals(0, p.counters().forwarded());
        List<MetadataTrace.Entry> trace = p.trace().vm(addr(SRC_A)).recent();
        assertEquals(200, trace.get(0).status());
        assertNull(trace.get(0).upstream(), "never forwarded");
    }

    @Test
    void tokenShouldLetItsVmThroughAndBe401OnAnotherVm() {
        MetadataProxy p = proxy();
        String token = fetchToken(p, SRC_A, 60);
        EmbeddedChannel a = channels.open(p, SRC_A);
        assertEquals(List.of(503), statuses(exchange(a, get("X-aws-ec2-metadata-token: " + token))));
        EmbeddedChannel b = channels.open(p, SRC_B);
        List<FullHttpResponse> rs = exchange(b, get("X-aws-ec2-metadata-token: " + token));
        assertEquals(401, rs.get(0).status().code());
        assertEquals("text/html", rs.get(0).headers().get("Content-Type"));
        assertTrue(body(rs.get(0)).contains("<title>401 - Unauthorized</title>"));
        assertTrue(b.isOpen(), "a 401 keeps the connection: the client fetches a token and retries");
        assertEquals(1, p.counters().rejections(RejectReason.TOKEN_INVALID));
    }

    @Test
    void expiredTokenShouldBe401Expired() {
        MetadataProxy p = proxy();
        String token = fetchToken(p, SRC_A, 1);
        now.incrementAndGet();
        EmbeddedChannel ch = channels.open(p, SRC_A);
        assertEquals(List.of(401), statuses(exchange(ch, get("X-aws-ec2-metadata-token: " + token))));
        assertEquals(1, p.counters().rejections(RejectReason.TOKEN_EXPIRED));
        assertEquals(RejectReason.TOKEN_EXPIRED, p.trace().vm(addr(SRC_A)).recent().get(1).rejectReason());
    }

    @Test
    void invalidOrRepeatedTokenShouldBe401EvenInOptionalMode() {
        MetadataProxy p = proxy();
        String token = fetchToken(p, SRC_A, 60);
        EmbeddedChannel ch = channels.open(p, SRC_A);
        assertEquals(List.of(401, 401, 401), statuses(exchange(ch, get("X-aws-ec2-metadata-token: forged")
                + get("x-aws-ec2-metadata-token: " + token.substring(1) + "A")
                + get("X-aws-ec2-metadata-token: " + token, "X-aws-ec2-metadata-token: " + token))));
        assertEquals(3, p.counters().rejections(RejectReason.TOKEN_INVALID));
    }

    @Test
    void tokenPutThroughAProxyInTheGuestShouldBe403() {
        MetadataProxy p = proxy();
        EmbeddedChannel ch = channels.open(p, SRC_A);
        List<FullHttpResponse> rs = exchange(ch, TOKEN_PUT + "X-aws-ec2-metadata-token-ttl-seconds: 60\r\n"
                + "X-Forwarded-For: 10.1.1.1\r\n\r\n" + TOKEN_PUT + "X-aws-ec2-metadata-token-ttl-seconds: 60\r\n"
                + "forwarded: for=10.1.1.1\r\n\r\n");
        assertEquals(403, rs.get(0).status().code());
        assertTrue(rs.get(0).content().toString(java.nio.charset.StandardCharsets.ISO_8859_1)
                .contains("<h1>403 - Forbidden</h1>"));
        assertEquals(List.of(403, 403), statuses(rs));
        assertEquals(2, p.counters().rejections(RejectReason.TOKEN_FORWARDED));
        assertEquals(0, p.counters().tokensIssued());
    }

    @Test
    void tokenPutWithoutAValidTtlShouldBe400() {
        MetadataProxy p = proxy();
        EmbeddedChannel ch = channels.open(p, SRC_A);
        String ttl = "X-aws-ec2-metadata-token-ttl-seconds: ";
        assertEquals(List.of(400, 400, 400, 400, 400, 400), statuses(exchange(ch, TOKEN_PUT + "\r\n"
                + TOKEN_PUT + ttl + "0\r\n\r\n" + TOKEN_PUT + ttl + "21601\r\n\r\n" + TOKEN_PUT + ttl + "abc\r\n\r\n"
                + TOKEN_PUT + ttl + "-5\r\n\r\n" + TOKEN_PUT + ttl + "60\r\n" + ttl + "60\r\n\r\n")));
        assertEquals(6, p.counters().rejections(RejectReason.TOKEN_TTL_INVALID));
        assertTrue(ch.isOpen());
    }

    @Test
    void otherMethodsOnTheTokenPathShouldBe405WithAllowPut() {
        MetadataProxy p = proxy();
        EmbeddedChannel ch = channels.open(p, SRC_A);
        for (String m : List.of("GET", "POST", "DELETE")) {
            List<FullHttpResponse> rs = exchange(ch, m + " /latest/api/token HTTP/1.1\r\nHost: x\r\n"
                    + "X-aws-ec2-metadata-token-ttl-seconds: 60\r\n\r\n");
            assertEquals(405, rs.get(0).status().code(), m);
            assertEquals("PUT", rs.get(0).headers().get("Allow"), m);
            rs.forEach(FullHttpResponse::release);
        }
        assertEquals(3, p.counters().rejections(RejectReason.TOKEN_METHOD_NOT_ALLOWED));
        // Not the token path: nova's business, as before.
        assertEquals(List.of(503, 503), statuses(exchange(ch, "PUT /latest/api/tokens HTTP/1.1\r\nHost: x\r\n"
                + "Content-Length: 0\r\n\r\nGET /latest/api/ HTTP/1.1\r\nHost: x\r\n\r\n")));
    }

    @Test
    void requiredModeShouldRefusePlainRequestsWith401AndServeTokenedOnes() {
        MetadataProxy p = proxy(MetadataTokenMode.REQUIRED, MetadataTokenPolicy.NODE);
        EmbeddedChannel ch = channels.open(p, SRC_A);
        // The underscore spelling is not the header: nginx and this proxy drop such names.
        assertEquals(List.of(401, 401), statuses(exchange(ch, get() + get("X_aws_ec2_metadata_token: x"))));
        assertEquals(2, p.counters().rejections(RejectReason.TOKEN_MISSING));
        String token = fetchToken(p, SRC_A, 60);
        assertEquals(List.of(503), statuses(exchange(ch, get("X-aws-ec2-metadata-token: " + token))));
    }

    @Test
    void optionalModeShouldLeavePlainRequestsAsTheyWere() {
        MetadataProxy p = proxy();
        EmbeddedChannel ch = channels.open(p, SRC_A);
        assertEquals(List.of(503), statuses(exchange(ch, get())));
        assertEquals(0, p.counters().rejections(RejectReason.TOKEN_MISSING));
    }

    @Test
    void perInterfaceModeShouldOverrideTheNodes() throws Exception {
        InetAddress b = addr(SRC_B);
        MetadataProxy p = proxy(MetadataTokenMode.OPTIONAL, s -> s.equals(b) ? MetadataTokenMode.REQUIRED : null);
        assertEquals(List.of(503), statuses(exchange(channels.open(p, SRC_A), get())));
        assertEquals(List.of(401), statuses(exchange(channels.open(p, SRC_B), get())));
        MetadataProxy q = proxy(MetadataTokenMode.REQUIRED, s -> s.equals(b) ? MetadataTokenMode.OPTIONAL : null);
        assertEquals(List.of(401), statuses(exchange(channels.open(q, SRC_A), get())));
        assertEquals(List.of(503), statuses(exchange(channels.open(q, SRC_B), get())));
    }

    @Test
    void tokenPutShouldBeRateLimitedLikeAnyRequest() {
        MetadataProxy p = new MetadataProxy(MetadataProxyConfig.builder().port(0).sharedSecret(SECRET)
                .rateLimitPerSecond(1).rateLimitBurst(2).build(), DIRECTORY, MetadataUpstreams.fixed(List.of()));
        EmbeddedChannel ch = channels.open(p, SRC_A);
        String put = TOKEN_PUT + "X-aws-ec2-metadata-token-ttl-seconds: 60\r\n\r\n";
        assertEquals(List.of(200, 200, 429), statuses(exchange(ch, put.repeat(3))));
        assertEquals(2, p.counters().tokensIssued());
    }

    @Test
    void unknownSourceShouldGetNoToken() {
        MetadataProxy p = proxy();
        EmbeddedChannel ch = channels.open(p, SRC_UNKNOWN);
        assertEquals(List.of(403), statuses(exchange(ch, TOKEN_PUT + "X-aws-ec2-metadata-token-ttl-seconds: 60\r\n\r\n")));
        assertEquals(1, p.counters().rejections(RejectReason.UNKNOWN_SOURCE));
        assertEquals(0, p.counters().tokensIssued());
    }

    private static InetAddress addr(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
