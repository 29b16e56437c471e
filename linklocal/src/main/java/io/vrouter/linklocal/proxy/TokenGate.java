package io.vrouter.linklocal.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The proxy's IMDSv2 side, answered without nova: {@code PUT /latest/api/token} issues a
 * {@link MetadataTokens token} bound to the VM, and every other request's
 * {@code X-aws-ec2-metadata-token} is checked. Status codes as AWS's instance metadata service:
 *
 * <table>
 * <caption>What the gate answers</caption>
 * <tr><th>request</th><th>answer</th></tr>
 * <tr><td>{@code PUT /latest/api/token} with {@code X-aws-ec2-metadata-token-ttl-seconds: 1..21600}</td>
 *     <td>200, the token as text/plain (no newline: cloud-init sends the body back as it is),
 *     the TTL header echoed</td></tr>
 * <tr><td>... carrying {@code X-Forwarded-For} (or {@code Forwarded}, ours)</td>
 *     <td>403 {@link RejectReason#TOKEN_FORWARDED}</td></tr>
 * <tr><td>... TTL header missing, not an integer, or out of range</td>
 *     <td>400 {@link RejectReason#TOKEN_TTL_INVALID}</td></tr>
 * <tr><td>any other method on {@code /latest/api/token}</td>
 *     <td>405 {@link RejectReason#TOKEN_METHOD_NOT_ALLOWED}, {@code Allow: PUT}</td></tr>
 * <tr><td>any other request with a token not issued for this VM, or with two tokens</td>
 *     <td>401 {@link RejectReason#TOKEN_INVALID}</td></tr>
 * <tr><td>... with an expired token</td><td>401 {@link RejectReason#TOKEN_EXPIRED}</td></tr>
 * <tr><td>... without a token, {@link MetadataTokenMode#REQUIRED}</td>
 *     <td>401 {@link RejectReason#TOKEN_MISSING}</td></tr>
 * <tr><td>... without a token, {@link MetadataTokenMode#OPTIONAL}</td><td>forwarded, as before</td></tr>
 * </table>
 *
 * <p>Refusals carry AWS's body: a small XHTML page titled with the status ("401 - Unauthorized"),
 * text/html; clients act on the status only (cloud-init: 401 drops its token and fetches a new
 * one; 403 on the PUT means "IMDS disabled", any other 4xx on the PUT is fatal; botocore falls
 * back to token-less requests on 403/404/405 and fails on 400). Why the proxy refused is in
 * the trace, the counters and the agent's log, not in the body.
 *
 * <p>A request without a token in optional mode costs a path prefix test, one header lookup
 * and the policy's answer: no allocation, no crypto. The token headers themselves never reach
 * nova ({@link RequestRewriter} strips every {@code X-aws-ec2-metadata-token*} name).
 * Thread-safe (stateless but for {@link MetadataTokens}' per-thread MACs).
 */
final class TokenGate {
    static final AsciiString TOKEN_HEADER = AsciiString.cached("X-aws-ec2-metadata-token");
    static final AsciiString TTL_HEADER = AsciiString.cached("X-aws-ec2-metadata-token-ttl-seconds");
    static final String TOKEN_PATH = "/latest/api/token";
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
    private static final AsciiString FORWARDED = AsciiString.cached("Forwarded");

    private final MetadataTokens tokens;
    private final MetadataTokenMode nodeMode;
    private final MetadataTokenPolicy policy;

    TokenGate(MetadataTokens tokens, MetadataTokenMode nodeMode, MetadataTokenPolicy policy) {
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.nodeMode = Objects.requireNonNull(nodeMode, "nodeMode");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** Whether {@code target} (origin-form) names the token endpoint, with or without a query. */
    static boolean isTokenPath(String target) {
        return target.startsWith(TOKEN_PATH)
                && (target.length() == TOKEN_PATH.length() || target.charAt(TOKEN_PATH.length()) == '?');
    }

    /**
     * A request to the token endpoint: null when a token may be issued (then {@link #ttl}),
     * else why not.
     */
    static RejectReason tokenRequest(HttpMethod method, HttpHeaders h) {
        if (method != HttpMethod.PUT) {
            return RejectReason.TOKEN_METHOD_NOT_ALLOWED;
        }
        if (h.contains(X_FORWARDED_FOR) || h.contains(FORWARDED)) {
            return RejectReason.TOKEN_FORWARDED;
        }
        return ttl(h) < 0 ? RejectReason.TOKEN_TTL_INVALID : null;
    }

    /** The requested TTL in seconds, or -1 when missing, repeated or invalid. */
    static int ttl(HttpHeaders h) {
        String v = h.get(TTL_HEADER);
        if (v == null || h.getAll(TTL_HEADER).size() != 1) {
            return -1;
        }
        return MetadataTokens.parseTtl(v);
    }

    /** A token for {@code vm}, valid for {@code ttlSeconds}. */
    String issue(VmIdentity vm, int ttlSeconds) {
        return tokens.issue(vm.instanceId(), ttlSeconds);
    }

    /**
     * Any request but a token request: null when it may go on to nova, else why not.
     *
     * @param source the connection's source address, for the per-interface mode
     */
    RejectReason check(HttpHeaders h, VmIdentity vm, InetAddress source) {
        String token = h.get(TOKEN_HEADER);
        if (token == null) {
            MetadataTokenMode m = policy.mode(source);
            return (m != null ? m : nodeMode) == MetadataTokenMode.REQUIRED ? RejectReason.TOKEN_MISSING : null;
        }
        if (h.getAll(TOKEN_HEADER).size() != 1) {
            return RejectReason.TOKEN_INVALID; // which one would count? neither
        }
        return switch (tokens.check(token, vm.instanceId())) {
            case VALID -> null;
            case EXPIRED -> RejectReason.TOKEN_EXPIRED;
            case INVALID -> RejectReason.TOKEN_INVALID;
        };
    }

    /** The answer to a token PUT that passed {@link #tokenRequest}. */
    static FullHttpResponse issued(String token, int ttlSeconds) {
        ByteBuf body = Unpooled.copiedBuffer(token, StandardCharsets.US_ASCII);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .setInt(TTL_HEADER, ttlSeconds);
        return r;
    }

    /** A token refusal as AWS words it. */
    static FullHttpResponse refusal(RejectReason reason) {
        HttpResponseStatus status = HttpResponseStatus.valueOf(reason.status());
        String title = status.code() + " - " + status.reasonPhrase();
        ByteBuf body = Unpooled.copiedBuffer("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n"
                + "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n"
                + "\t\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
                + "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n"
                + " <head>\n  <title>" + title + "</title>\n </head>\n"
                + " <body>\n  <h1>" + title + "</h1>\n </body>\n</html>\n", StandardCharsets.ISO_8859_1);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        if (reason == RejectReason.TOKEN_METHOD_NOT_ALLOWED) {
            r.headers().set(HttpHeaderNames.ALLOW, "PUT");
        }
        return r;
    }
}
