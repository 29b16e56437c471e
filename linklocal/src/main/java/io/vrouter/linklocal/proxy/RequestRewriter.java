package io.vrouter.linklocal.proxy;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns a guest's request into the request nova gets: same method, path, query and body;
 * every guest-supplied identity header and every hop-by-hop header removed; the proxy's own
 * X-Instance-ID, X-Tenant-ID, X-Forwarded-For, X-Instance-ID-Signature and Host added.
 *
 * <p>Removed, case-insensitively and in all repeats: {@code X-Instance-ID},
 * {@code X-Instance-ID-Signature}, {@code X-Tenant-ID}, {@code X-Forwarded-For},
 * {@code Forwarded}, {@code X-Metadata-Provider*}, {@code X-Neutron-*}, {@code X-OVN-*}, and the
 * hop-by-hop headers (RFC 9110 §7.6.1) including any the guest lists in {@code Connection}.
 * Contrail forwarded the guest's identity headers next to its own; nova then sees duplicates
 * (400) or, with {@code X-Metadata-Provider}, switches to a mode where the guest names itself.
 */
public final class RequestRewriter {
    private static final Set<String> STRIPPED = Set.of(
            "x-instance-id", "x-instance-id-signature", "x-tenant-id", "x-forwarded-for", "forwarded",
            // hop-by-hop, or recomputed here
            "connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate",
            "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length", "expect");
    private static final String[] STRIPPED_PREFIXES = {"x-metadata-provider", "x-neutron-", "x-ovn-"};

    private final InstanceSigner signer;
    private final boolean stripProjectIdDashes;

    public RequestRewriter(InstanceSigner signer, boolean stripProjectIdDashes) {
        this.signer = signer;
        this.stripProjectIdDashes = stripProjectIdDashes;
    }

    /** True when {@code name} is one the proxy never lets through from a guest. */
    static boolean isStripped(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (STRIPPED.contains(lower)) {
            return true;
        }
        for (String p : STRIPPED_PREFIXES) {
            if (lower.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The origin-form target ({@code /path?query}) of a request target, or null when it is
     * neither origin-form nor absolute-form. Absolute-form ({@code http://host/path}) is reduced
     * so nova never sees a guest-chosen authority.
     */
    static String originForm(String uri) {
        if (uri.startsWith("/")) {
            return uri;
        }
        int scheme = uri.indexOf("://");
        if (scheme > 0 && uri.regionMatches(true, 0, "http", 0, 4)) {
            int slash = uri.indexOf('/', scheme + 3);
            int query = uri.indexOf('?', scheme + 3);
            if (slash < 0 && query < 0) {
                return "/";
            }
            if (slash < 0 || (query >= 0 && query < slash)) {
                return "/" + uri.substring(query);
            }
            return uri.substring(slash);
        }
        return null;
    }

    /** {@code projectId} as X-Tenant-ID: dashes stripped unless configured otherwise. */
    String tenantHeader(String projectId) {
        return stripProjectIdDashes ? projectId.replace("-", "") : projectId;
    }

    static String hostHeader(InetSocketAddress upstream) {
        String host = upstream.getHostString();
        if (upstream.getAddress() instanceof Inet6Address && NetUtil.isValidIpV6Address(host)) {
            host = "[" + NetUtil.toAddressString(upstream.getAddress()) + "]";
        }
        return host + ":" + upstream.getPort();
    }

    /**
     * The upstream request. The body is a retained duplicate of the guest's: the caller still
     * owns {@code guest}, and the returned request must be written (or released) once.
     *
     * @param target origin-form target from {@link #originForm(String)}
     */
    public FullHttpRequest rewrite(FullHttpRequest guest, String target, VmIdentity id,
                                   InetSocketAddress upstream) {
        HttpMethod method = guest.method();
        DefaultFullHttpRequest out = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1, method, target, guest.content().retainedDuplicate());
        HttpHeaders in = guest.headers();
        Set<String> connectionTokens = connectionTokens(in);
        HttpHeaders h = out.headers();
        for (Iterator<Map.Entry<String, String>> it = in.iteratorAsString(); it.hasNext(); ) {
            Map.Entry<String, String> e = it.next();
            String name = e.getKey();
            if (isStripped(name) || (connectionTokens != null
                    && connectionTokens.contains(name.toLowerCase(Locale.ROOT)))) {
                continue;
            }
            h.add(name, e.getValue());
        }
        h.set(HttpHeaderNames.HOST, hostHeader(upstream));
        h.set("X-Instance-ID", id.instanceId());
        h.set("X-Tenant-ID", tenantHeader(id.projectId()));
        if (id.vmIp() != null && !id.vmIp().isEmpty()) {
            h.set("X-Forwarded-For", id.vmIp());
        }
        h.set("X-Instance-ID-Signature", signer.sign(id.instanceId()));
        int len = out.content().readableBytes();
        if (len > 0 || method == HttpMethod.POST || method == HttpMethod.PUT) {
            h.setInt(HttpHeaderNames.CONTENT_LENGTH, len);
        }
        return out;
    }

    private static Set<String> connectionTokens(HttpHeaders in) {
        if (!in.contains(HttpHeaderNames.CONNECTION)) {
            return null;
        }
        java.util.HashSet<String> tokens = new java.util.HashSet<>();
        for (String v : in.getAll(HttpHeaderNames.CONNECTION)) {
            for (String t : v.split(",")) {
                String s = t.trim().toLowerCase(Locale.ROOT);
                if (!s.isEmpty()) {
                    tokens.add(s);
                }
            }
        }
        return tokens;
    }
}
