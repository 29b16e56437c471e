package io.vrouter.linklocal.proxy;

import static org.junit.jupiter.api.Assertions.*;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RequestRewriter#encode} against an oracle: {@link #rewrite} builds the same request as
 * a Netty object, header by header from the documented rules, and {@code HttpRequestEncoder}
 * encodes it; the two must agree byte for byte.
 */
class RequestRewriterTest {
    private static final VmIdentity VM = new VmIdentity("11111111-1111-4111-8111-111111111111",
            "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa", "10.0.0.3");
    private static final InetSocketAddress NOVA = new InetSocketAddress("192.0.2.10", 8775);
    private static final InstanceSigner SIGNER = new InstanceSigner("s");
    /** The guest's headers were validated by the decoder, the proxy's are known to be valid. */
    private static final HttpHeadersFactory UNVALIDATED = DefaultHttpHeadersFactory.headersFactory()
            .withNameValidation(false).withValidation(false);
    private final RequestRewriter rewriter = new RequestRewriter(SIGNER, true);

    /**
     * The oracle: the upstream request {@code rw} encodes for {@code guest}, as an object. The
     * body is a retained duplicate of the guest's; the caller releases both.
     */
    private static FullHttpRequest rewrite(RequestRewriter rw, FullHttpRequest guest, String target, VmIdentity id,
                                           InetSocketAddress upstream) {
        FullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, guest.method(), target,
                guest.content().retainedDuplicate(), UNVALIDATED, UNVALIDATED);
        Set<String> named = new HashSet<>();
        for (String v : guest.headers().getAll(HttpHeaderNames.CONNECTION)) {
            Arrays.stream(v.split(",")).map(t -> t.trim().toLowerCase(Locale.ROOT)).forEach(named::add);
        }
        guest.headers().iteratorCharSequence().forEachRemaining(e -> {
            boolean hopByHop = named.contains(e.getKey().toString().toLowerCase(Locale.ROOT));
            if (!RequestRewriter.isStripped(e.getKey()) && !hopByHop) {
                out.headers().add(e.getKey(), e.getValue());
            }
        });
        HttpHeaders h = out.headers().add(HttpHeaderNames.HOST, RequestRewriter.hostHeader(upstream))
                .add("X-Instance-ID", id.instanceId())
                .add("X-Tenant-ID", rw.tenantHeader(id.projectId()));
        if (id.vmIp() != null && !id.vmIp().isEmpty()) {
            h.add("X-Forwarded-For", id.vmIp());
        }
        h.add("X-Instance-ID-Signature", SIGNER.sign(id.instanceId()));
        int len = out.content().readableBytes();
        if (len > 0 || guest.method() == HttpMethod.POST || guest.method() == HttpMethod.PUT) {
            h.add(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(len));
        }
        return out;
    }

    /** What {@code rw} sends nova for {@code guest}, decoded back into a request. */
    private static FullHttpRequest sent(RequestRewriter rw, FullHttpRequest guest, String target, VmIdentity id) {
        EmbeddedChannel dec = new EmbeddedChannel(new HttpRequestDecoder(), new HttpObjectAggregator(1 << 20));
        dec.writeInbound(rw.encode(UnpooledByteBufAllocator.DEFAULT, guest, target, id, NOVA));
        FullHttpRequest out = dec.readInbound();
        dec.finishAndReleaseAll();
        return out;
    }

    private static FullHttpRequest guest(HttpMethod m, String uri, String body, String... headers) {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, m, uri,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    @Test
    void shouldStripEveryGuestIdentityHeaderCaseInsensitivelyAndInAllRepeats() {
        FullHttpRequest g = guest(HttpMethod.GET, "/latest/meta-data/", "",
                "x-INSTANCE-id", "evil", "X-Instance-ID", "evil2", "X-Instance-ID-Signature", "sig",
                "X-TENANT-ID", "t", "X-Forwarded-For", "1.2.3.4", "x-forwarded-for", "5.6.7.8",
                "FORWARDED", "for=1.2.3.4", "X-Metadata-Provider", "p", "x-metadata-provider-signature", "q",
                "X-Neutron-Router-ID", "r", "x-ovn-network-id", "o", "Accept", "*/*");
        FullHttpRequest out = sent(rewriter, g, "/latest/meta-data/", VM);
        try {
            assertEquals(List.of(VM.instanceId()), out.headers().getAll("X-Instance-ID"));
            assertEquals(List.of("aaaaaaaaaaaa4aaa8aaaaaaaaaaaaaaa"), out.headers().getAll("X-Tenant-ID"));
            assertEquals(List.of("10.0.0.3"), out.headers().getAll("X-Forwarded-For"));
            assertEquals(List.of(new InstanceSigner("s").sign(VM.instanceId())),
                    out.headers().getAll("X-Instance-ID-Signature"));
            assertFalse(out.headers().contains("Forwarded"));
            assertFalse(out.headers().contains("X-Metadata-Provider"));
            assertFalse(out.headers().contains("X-Metadata-Provider-Signature"));
            assertFalse(out.headers().contains("X-Neutron-Router-ID"));
            assertFalse(out.headers().contains("X-OVN-Network-ID"));
            assertEquals("*/*", out.headers().get("Accept"));
            assertEquals("192.0.2.10:8775", out.headers().get("Host"));
        } finally {
            out.release();
            g.release();
        }
    }

    /** The IMDSv2 token and TTL, in any case or spelling, are the proxy's: never sent to nova. */
    @ParameterizedTest
    @ValueSource(strings = {"X-aws-ec2-metadata-token", "x-aws-ec2-metadata-token-ttl-seconds",
            "X-AWS-EC2-METADATA-TOKEN", "X_aws_ec2_metadata_token", "X_aws_ec2_metadata_token_ttl_seconds"})
    void shouldDropTheImdsTokenHeaders(String name) {
        FullHttpRequest g = guest(HttpMethod.GET, "/latest/meta-data/", "", name, "tok", "Accept", "*/*");
        FullHttpRequest out = sent(rewriter, g, "/latest/meta-data/", VM);
        try {
            assertTrue(RequestRewriter.isStripped(name));
            out.headers().names().forEach(n -> assertFalse(n.toLowerCase(java.util.Locale.ROOT)
                    .replace('_', '-').startsWith("x-aws-ec2-metadata-token"), "forwarded " + n));
            assertEquals("*/*", out.headers().get("Accept"));
        } finally {
            out.release();
            g.release();
        }
    }

    /** WSGI folds {@code _} into {@code -}: each of these would reach nova as the identity header it spells. */
    @ParameterizedTest
    @ValueSource(strings = {"X_Instance_ID", "X_Tenant_ID", "X_Forwarded_For", "X_Instance_ID_Signature",
            "X_Metadata_Provider", "x_instance_id", "X-Instance_ID", "My_Custom_Header"})
    void shouldDropEveryGuestHeaderWhoseNameContainsAnUnderscore(String name) {
        FullHttpRequest g = guest(HttpMethod.GET, "/latest/meta-data/", "", name, "forged", "Accept", "*/*");
        FullHttpRequest out = sent(rewriter, g, "/latest/meta-data/", VM);
        try {
            assertTrue(RequestRewriter.isStripped(name));
            out.headers().names().forEach(n -> assertFalse(n.contains("_"), "forwarded " + n));
            assertFalse(out.headers().contains(name));
            assertEquals(List.of(VM.instanceId()), out.headers().getAll("X-Instance-ID"));
            assertEquals("*/*", out.headers().get("Accept"));
        } finally {
            out.release();
            g.release();
        }
    }

    @Test
    void shouldKeepProjectDashesWhenConfigured() {
        RequestRewriter keep = new RequestRewriter(new InstanceSigner("s"), false);
        FullHttpRequest g = guest(HttpMethod.GET, "/", "");
        FullHttpRequest out = sent(keep, g, "/", VM);
        assertEquals(VM.projectId(), out.headers().get("X-Tenant-ID"));
        out.release();
        g.release();
    }

    @Test
    void shouldKeepMethodTargetAndBodyAndSetContentLength() {
        FullHttpRequest g = guest(HttpMethod.POST, "/openstack/latest/password?a=b", "pw",
                "Transfer-Encoding", "chunked", "Content-Length", "999", "Expect", "100-continue");
        FullHttpRequest out = sent(rewriter, g, "/openstack/latest/password?a=b", VM);
        try {
            assertEquals(HttpMethod.POST, out.method());
            assertEquals("/openstack/latest/password?a=b", out.uri());
            assertEquals("pw", out.content().toString(StandardCharsets.UTF_8));
            assertEquals("2", out.headers().get("Content-Length"));
            assertFalse(out.headers().contains("Transfer-Encoding"));
            assertFalse(out.headers().contains("Expect"));
            assertEquals(1, g.content().refCnt(), "encode copies the body: the guest still owns its own");
        } finally {
            out.release();
            g.release();
        }
    }

    @Test
    void shouldDropHeadersNamedInConnection() {
        FullHttpRequest g = guest(HttpMethod.GET, "/", "", "Connection", "keep-alive, X-Secret-Hop",
                "X-Secret-Hop", "v", "Keep-Alive", "timeout=5", "Upgrade", "h2c");
        FullHttpRequest out = sent(rewriter, g, "/", VM);
        assertFalse(out.headers().contains("X-Secret-Hop"));
        assertFalse(out.headers().contains("Connection"));
        assertFalse(out.headers().contains("Keep-Alive"));
        assertFalse(out.headers().contains("Upgrade"));
        out.release();
        g.release();
    }

    @Test
    void shouldOmitForwardedForWhenVmHasNoIp() {
        FullHttpRequest g = guest(HttpMethod.GET, "/", "");
        FullHttpRequest out = sent(rewriter, g, "/", new VmIdentity("i", "p", null));
        assertFalse(out.headers().contains("X-Forwarded-For"));
        out.release();
        g.release();
    }

    @Test
    void shouldReduceAbsoluteFormTargetsToOriginForm() {
        assertEquals("/latest/meta-data/", RequestRewriter.originForm("/latest/meta-data/"));
        assertEquals("/latest?x=1", RequestRewriter.originForm("http://169.254.169.254/latest?x=1"));
        assertEquals("/", RequestRewriter.originForm("http://169.254.169.254"));
        assertEquals("/?q", RequestRewriter.originForm("HTTP://evil.example?q"));
        assertNull(RequestRewriter.originForm("*"));
        assertNull(RequestRewriter.originForm("ftp://x/y"));
    }

    @Test
    void shouldBracketIpv6HostHeader() {
        assertEquals("[fd00::1]:8775", RequestRewriter.hostHeader(new InetSocketAddress("fd00::1", 8775)));
        assertEquals("nova.example:8775",
                RequestRewriter.hostHeader(InetSocketAddress.createUnresolved("nova.example", 8775)));
    }

    /** encode() is the oracle's request + HttpRequestEncoder in one step: byte for byte the same. */
    @Test
    void encodeShouldWriteExactlyWhatTheEncoderWritesForTheRewrittenRequest() {
        List<FullHttpRequest> guests = List.of(
                guest(HttpMethod.GET, "/latest/meta-data/", "", "Host", "169.254.169.254", "User-Agent", "Cloud-Init/22.4.2",
                        "Accept-Encoding", "gzip, deflate", "Accept", "*/*", "Connection", "keep-alive"),
                guest(HttpMethod.GET, "/", "", "X-Instance-ID", "forged", "x-ovn-x", "o", "Connection", "close, X-Hop",
                        "X-Hop", "h", "Kelvin", "k", "\u212Aeep-Alive", "v", "Obs", "caf\u00e9", "Repeat", "1", "repeat", "2"),
                guest(HttpMethod.POST, "/openstack/latest/password?a=b&c=%20", "pw\u00e9\u0000",
                        "Content-Length", "99", "Expect", "100-continue", "Content-Type", "text/plain"),
                guest(HttpMethod.PUT, "/x", ""),
                guest(HttpMethod.HEAD, "/p\u00e4th", ""),
                guest(HttpMethod.DELETE, "/d", "", "X-Metadata-Provider-Long-Enough-To-Skip-The-Filter", "p"));
        RequestRewriter keep = new RequestRewriter(new InstanceSigner("s"), false);
        for (RequestRewriter rw : List.of(rewriter, keep)) {
            for (VmIdentity vm : List.of(VM, new VmIdentity("i", "p-q", null))) {
                for (InetSocketAddress nova : List.of(NOVA, new InetSocketAddress("fd00::1", 8775))) {
                    for (FullHttpRequest g : guests) {
                        EmbeddedChannel enc = new EmbeddedChannel(new HttpRequestEncoder());
                        enc.writeOutbound(rewrite(rw, g, g.uri(), vm, nova));
                        ByteBuf expected = Unpooled.buffer();
                        ByteBuf part;
                        while ((part = enc.readOutbound()) != null) {
                            expected.writeBytes(part);
                            part.release();
                        }
                        ByteBuf actual = rw.encode(UnpooledByteBufAllocator.DEFAULT, g, g.uri(), vm, nova);
                        assertEquals(expected.toString(StandardCharsets.ISO_8859_1),
                                actual.toString(StandardCharsets.ISO_8859_1), g.method() + " " + g.uri());
                        assertTrue(ByteBufUtil.equals(expected, actual));
                        expected.release();
                        actual.release();
                        enc.finishAndReleaseAll();
                    }
                }
            }
        }
        guests.forEach(FullHttpRequest::release);
    }
}
