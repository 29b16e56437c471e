package io.vrouter.linklocal.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.AsciiString;
import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a guest's request into the request nova gets: same method, path, query and body;
 * every guest-supplied identity header and every hop-by-hop header removed; the proxy's own
 * X-Instance-ID, X-Tenant-ID, X-Forwarded-For, X-Instance-ID-Signature and Host added.
 *
 * <p>Removed, case-insensitively and in all repeats: {@code X-Instance-ID},
 * {@code X-Instance-ID-Signature}, {@code X-Tenant-ID}, {@code X-Forwarded-For},
 * {@code Forwarded}, {@code X-Metadata-Provider*}, {@code X-Neutron-*}, {@code X-OVN-*},
 * {@code X-aws-ec2-metadata-token*} (the IMDSv2 token and its TTL: tokens never reach nova), and the
 * hop-by-hop headers (RFC 9110 §7.6.1) including any the guest lists in {@code Connection}.
 * Also every header whose name contains {@code _}, as nginx drops them by default
 * ({@code underscores_in_headers off}): WSGI servers fold {@code _} into {@code -}, so nova would
 * read {@code X_Instance_ID} as a second X-Instance-ID and {@code X_Metadata_Provider} as the
 * load-balancer switch. Dropping every such name also covers each stripped name spelled with
 * {@code _}. Contrail forwarded the guest's identity headers next to its own; nova then sees duplicates
 * (400) or, with {@code X-Metadata-Provider}, switches to a mode where the guest names itself.
 */
public final class RequestRewriter {
    private static final Set<String> STRIPPED = Set.of(
            "x-instance-id", "x-instance-id-signature", "x-tenant-id", "x-forwarded-for", "forwarded",
            // hop-by-hop, or recomputed here
            "connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate",
            "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length", "expect");
    // x-aws-ec2-metadata-token*: the IMDSv2 token and TTL are the proxy's business (TokenGate), never nova's.
    private static final String[] STRIPPED_PREFIXES = {"x-metadata-provider", "x-neutron-", "x-ovn-",
            "x-aws-ec2-metadata-token"};

    private static final AsciiString X_INSTANCE_ID = AsciiString.cached("X-Instance-ID");
    private static final AsciiString X_TENANT_ID = AsciiString.cached("X-Tenant-ID");
    private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
    private static final AsciiString X_INSTANCE_ID_SIGNATURE = AsciiString.cached("X-Instance-ID-Signature");
    private static final AsciiString ZERO = AsciiString.cached("0");
    private static final byte[] SP_HTTP_1_1_CRLF = " HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int CRLF = ('\r' << 8) | '\n';
    private static final int COLON_SP = (':' << 8) | ' ';
    /** Request line and headers of a typical request (cloud-init's), identity headers included. */
    private static final int ENCODED_SIZE_GUESS = 512;
    /** Bound on each cache below (VMs per node, fabric addresses): cleared when reached. */
    static final int MAX_CACHED = 4096;

    private final InstanceSigner signer;
    private final boolean stripProjectIdDashes;
    private final ConcurrentHashMap<VmIdentity, Signed> signedById = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetSocketAddress, AsciiString> hostByAddress = new ConcurrentHashMap<>();

    public RequestRewriter(InstanceSigner signer, boolean stripProjectIdDashes) {
        this.signer = signer;
        this.stripProjectIdDashes = stripProjectIdDashes;
    }

    /** True when {@code name} is one the proxy never lets through from a guest. */
    static boolean isStripped(CharSequence name) {
        int n = name.length();
        for (int i = 0; i < n; i++) {
            if (name.charAt(i) == '_') {
                return true;
            }
        }
        if (n >= 2 && n <= 23 && name.charAt(0) < 0x80) {
            // Every stripped name or prefix starts with one of c e f h k p t u x (ASCII, any case):
            // the common headers (Accept, User-Agent...) pass without a lookup. Names over 23
            // chars (the longest stripped name) take the full check, so prefixes match there.
            // A non-ASCII first char takes the full check (toLowerCase maps e.g. U+212A to 'k').
            switch (name.charAt(0) | 0x20) {
                case 'c', 'e', 'f', 'h', 'k', 'p', 't', 'u', 'x' -> {
                }
                default -> {
                    return false;
                }
            }
        }
        String lower = name.toString().toLowerCase(Locale.ROOT);
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
     * The request nova gets, encoded: the bytes {@code HttpRequestEncoder} would write for the
     * rewritten request (HTTP/1.1, the guest's method and {@code target}, the guest's surviving
     * headers in their order, then Host, X-Instance-ID, X-Tenant-ID, X-Forwarded-For when the VM
     * has an IP, X-Instance-ID-Signature, and Content-Length when there is a body or the method is
     * POST/PUT; the guest's body). Built in one buffer from {@code alloc} without an intermediate
     * request object, so the upstream write is one buffer and one syscall; the proxy's own values
     * come from per-VM and per-address caches. The caller still owns {@code guest}; the returned
     * buffer must be written (or released) once.
     *
     * @param target origin-form target from {@link #originForm(String)}
     */
    public ByteBuf encode(ByteBufAllocator alloc, FullHttpRequest guest, String target, VmIdentity id,
                          InetSocketAddress upstream) {
        HttpMethod method = guest.method();
        ByteBuf body = guest.content();
        int len = body.readableBytes();
        Signed s = signed(id);
        AsciiString host = host(upstream);
        ByteBuf buf = alloc.buffer(ENCODED_SIZE_GUESS + target.length() + len);
        boolean ok = false;
        try {
            buf.writeCharSequence(method.asciiName(), StandardCharsets.US_ASCII);
            buf.writeByte(' ');
            // As HttpRequestEncoder: the target as UTF-8, header names and values as in
            // HttpHeadersEncoder (chars up to 0xFF as one byte each).
            buf.writeCharSequence(target, StandardCharsets.UTF_8);
            buf.writeBytes(SP_HTTP_1_1_CRLF);
            HttpHeaders in = guest.headers();
            Set<String> connectionTokens = in.contains(HttpHeaderNames.CONNECTION) ? connectionTokens(in) : null;
            for (Iterator<Map.Entry<CharSequence, CharSequence>> it = in.iteratorCharSequence(); it.hasNext(); ) {
                Map.Entry<CharSequence, CharSequence> e = it.next();
                CharSequence name = e.getKey();
                if (isStripped(name) || (connectionTokens != null
                        && connectionTokens.contains(name.toString().toLowerCase(Locale.ROOT)))) {
                    continue;
                }
                header(buf, name, e.getValue());
            }
            header(buf, HttpHeaderNames.HOST, host);
            header(buf, X_INSTANCE_ID, s.instanceId);
            header(buf, X_TENANT_ID, s.tenant);
            if (s.vmIp != null) {
                header(buf, X_FORWARDED_FOR, s.vmIp);
            }
            header(buf, X_INSTANCE_ID_SIGNATURE, s.signature);
            if (len > 0 || method == HttpMethod.POST || method == HttpMethod.PUT) {
                header(buf, HttpHeaderNames.CONTENT_LENGTH, len == 0 ? ZERO : Integer.toString(len));
            }
            buf.writeShort(CRLF);
            buf.writeBytes(body, body.readerIndex(), len);
            ok = true;
            return buf;
        } finally {
            if (!ok) {
                buf.release();
            }
        }
    }

    private static void header(ByteBuf buf, CharSequence name, CharSequence value) {
        buf.writeCharSequence(name, StandardCharsets.US_ASCII);
        buf.writeShort(COLON_SP);
        buf.writeCharSequence(value, StandardCharsets.US_ASCII);
        buf.writeShort(CRLF);
    }

    /** The identity header values of {@code id}, computed (and HMAC-signed) once per VM. */
    private Signed signed(VmIdentity id) {
        Signed s = signedById.get(id);
        if (s == null) {
            if (signedById.size() >= MAX_CACHED) {
                signedById.clear(); // bounded: VMs come and go; recomputing is only an HMAC
            }
            String ip = id.vmIp() != null && !id.vmIp().isEmpty() ? id.vmIp() : null;
            s = new Signed(new AsciiString(id.instanceId()), new AsciiString(tenantHeader(id.projectId())),
                    ip == null ? null : new AsciiString(ip), new AsciiString(signer.sign(id.instanceId())));
            signedById.put(id, s);
        }
        return s;
    }

    private AsciiString host(InetSocketAddress upstream) {
        AsciiString h = hostByAddress.get(upstream);
        if (h == null) {
            if (hostByAddress.size() >= MAX_CACHED) {
                hostByAddress.clear();
            }
            h = new AsciiString(hostHeader(upstream));
            hostByAddress.put(upstream, h);
        }
        return h;
    }

    /** A VM's identity headers as sent to nova. */
    private record Signed(AsciiString instanceId, AsciiString tenant, AsciiString vmIp, AsciiString signature) {
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
