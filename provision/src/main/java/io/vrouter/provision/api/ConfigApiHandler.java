package io.vrouter.provision.api;

import io.vrouter.linklocal.config.VersionedConfig;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.vrouter.linklocal.config.ConfigValidationException;
import io.vrouter.linklocal.config.FieldError;
import io.vrouter.linklocal.config.GlobalVrouterConfig;
import io.vrouter.linklocal.config.LinkLocalJson;
import io.vrouter.provision.auth.AuthUnavailableException;
import io.vrouter.provision.auth.Authenticator;
import io.vrouter.provision.auth.Principal;
import io.vrouter.provision.store.ConfigStore;
import io.vrouter.provision.store.StaleRevisionException;
import io.vrouter.provision.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The config API's routes (see the package documentation for the contract). Runs on a
 * blocking-work executor group, never on an I/O thread: authentication hashes passwords and
 * store calls fsync or talk to etcd. Watches are parked in the {@link WatchHub} and hold no
 * thread.
 */
@ChannelHandler.Sharable
final class ConfigApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigApiHandler.class);

    static final String TYPE = "global-vrouter-config";
    static final String LIST_PATH = "/global-vrouter-configs";
    static final String OBJECT_PREFIX = "/global-vrouter-config/";
    static final String FQNAME_PATH = "/fqname-to-id";
    static final String WATCH_PATH = "/watch/global-vrouter-config";
    static final int DEFAULT_WATCH_TIMEOUT_S = 30;
    static final int MAX_WATCH_TIMEOUT_S = 300;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SAFE_HOST = Pattern.compile("[A-Za-z0-9.\\-:\\[\\]]{1,255}");

    private final ConfigStore store;
    private final WatchHub hub;
    private final Authenticator auth;
    private final String scheme;
    private final String defaultHost;
    private volatile EncodedWatch lastEncoded;

    ConfigApiHandler(ConfigStore store, WatchHub hub, Authenticator auth, boolean tls, String defaultHost) {
        super(true);
        this.store = store;
        this.hub = hub;
        this.auth = auth;
        this.scheme = tls ? "https" : "http";
        this.defaultHost = defaultHost;
    }

    /** An answer other than 200; carries the status and the JSON body. */
    static final class ApiException extends Exception {
        private static final long serialVersionUID = 1L;
        final HttpResponseStatus status;
        final transient List<FieldError> fieldErrors;

        ApiException(HttpResponseStatus status, String message) {
            this(status, message, List.of());
        }

        ApiException(HttpResponseStatus status, String message, List<FieldError> fieldErrors) {
            super(message);
            this.status = status;
            this.fieldErrors = fieldErrors;
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        try {
            if (!req.decoderResult().isSuccess()) {
                throw new ApiException(HttpResponseStatus.BAD_REQUEST,
                        "malformed HTTP request: " + req.decoderResult().cause());
            }
            Principal who = auth.authenticate(req.headers().get(HttpHeaderNames.AUTHORIZATION),
                    req.headers().get("X-Auth-Token"));
            if (who == null) {
                FullHttpResponse r = error(HttpResponseStatus.UNAUTHORIZED, "authentication required", List.of());
                r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, auth.challenge());
                send(ctx, r, keepAlive);
                return;
            }
            route(ctx, req, who, keepAlive);
        } catch (ApiException e) {
            send(ctx, error(e.status, e.getMessage(), e.fieldErrors), keepAlive);
        } catch (StoreException e) {
            LOG.warn("store failure on {} {}: {}", req.method(), req.uri(), e.getMessage());
            send(ctx, error(HttpResponseStatus.SERVICE_UNAVAILABLE, "store unavailable: " + e.getMessage(),
                    List.of()), keepAlive);
        } catch (AuthUnavailableException e) {
            send(ctx, error(HttpResponseStatus.SERVICE_UNAVAILABLE, e.getMessage(), List.of()), keepAlive);
        } catch (RuntimeException e) {
            LOG.error("internal error on {} {}", req.method(), req.uri(), e);
            send(ctx, error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error", List.of()), keepAlive);
        }
    }

    private void route(ChannelHandlerContext ctx, FullHttpRequest req, Principal who, boolean keepAlive)
            throws ApiException, StoreException {
        QueryStringDecoder q = new QueryStringDecoder(req.uri());
        String path = q.path();
        HttpMethod m = req.method();
        if (path.equals(LIST_PATH)) {
            allow(m, HttpMethod.GET);
            send(ctx, ok(list(req)), keepAlive);
        } else if (path.equals(FQNAME_PATH)) {
            allow(m, HttpMethod.POST);
            send(ctx, ok(fqnameToId(req)), keepAlive);
        } else if (path.startsWith(OBJECT_PREFIX) && path.length() > OBJECT_PREFIX.length()
                && path.indexOf('/', OBJECT_PREFIX.length()) < 0) {
            String uuid = path.substring(OBJECT_PREFIX.length());
            if (m.equals(HttpMethod.GET)) {
                VersionedConfig v = require(uuid);
                ObjectNode body = JSON.createObjectNode();
                body.set(TYPE, LinkLocalJson.mapper().valueToTree(v.config()));
                FullHttpResponse r = ok(body);
                r.headers().set(HttpHeaderNames.ETAG, etag(v.revision()));
                send(ctx, r, keepAlive);
            } else if (m.equals(HttpMethod.PUT)) {
                if (!who.role().canWrite()) {
                    throw new ApiException(HttpResponseStatus.FORBIDDEN,
                            "user '" + who.user() + "' has role " + who.role().label() + " and may not write");
                }
                put(ctx, req, uuid, who, keepAlive);
            } else {
                throw methodNotAllowed(m, "GET, PUT");
            }
        } else if (path.equals(WATCH_PATH)) {
            allow(m, HttpMethod.GET);
            watch(ctx, q.parameters(), keepAlive);
        } else {
            throw new ApiException(HttpResponseStatus.NOT_FOUND, "no such resource: " + path);
        }
    }

    private static void allow(HttpMethod m, HttpMethod allowed) throws ApiException {
        if (!m.equals(allowed)) {
            throw methodNotAllowed(m, allowed.name());
        }
    }

    private static ApiException methodNotAllowed(HttpMethod m, String allowed) {
        return new ApiException(HttpResponseStatus.METHOD_NOT_ALLOWED,
                "method " + m + " is not allowed here (allowed: " + allowed + ")");
    }

    private VersionedConfig current() throws StoreException {
        VersionedConfig v = store.current();
        if (v == null) {
            throw new StoreException("the store holds no global-vrouter-config");
        }
        hub.offer(v);
        return v;
    }

    private VersionedConfig require(String uuid) throws ApiException, StoreException {
        VersionedConfig v = current();
        if (!v.config().uuid().equals(uuid)) {
            throw new ApiException(HttpResponseStatus.NOT_FOUND, "no " + TYPE + " with uuid " + uuid);
        }
        return v;
    }

    private String href(FullHttpRequest req, String uuid) {
        String host = req.headers().get(HttpHeaderNames.HOST);
        if (host == null || !SAFE_HOST.matcher(host).matches()) {
            host = defaultHost;
        }
        return scheme + "://" + host + OBJECT_PREFIX + uuid;
    }

    private ObjectNode list(FullHttpRequest req) throws StoreException {
        VersionedConfig v = current();
        ObjectNode item = JSON.createObjectNode();
        item.put("href", href(req, v.config().uuid()));
        item.set("fq_name", JSON.valueToTree(v.config().fqName()));
        item.put("uuid", v.config().uuid());
        ObjectNode body = JSON.createObjectNode();
        body.putArray(TYPE + "s").add(item);
        return body;
    }

    private ObjectNode fqnameToId(FullHttpRequest req) throws ApiException, StoreException {
        JsonNode body = parseBody(req);
        JsonNode type = body.get("type");
        JsonNode fq = body.get("fq_name");
        if (type == null || !type.isTextual()) {
            throw badField("type", "is required and must be a string");
        }
        if (fq == null || !fq.isArray()) {
            throw badField("fq_name", "is required and must be a list of strings");
        }
        VersionedConfig v = current();
        if (!TYPE.equals(type.asText()) || !fq.equals(JSON.valueToTree(v.config().fqName()))) {
            throw new ApiException(HttpResponseStatus.NOT_FOUND,
                    "no " + type.asText() + " named " + fq);
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("uuid", v.config().uuid());
        return out;
    }

    private void put(ChannelHandlerContext ctx, FullHttpRequest req, String uuid, Principal who, boolean keepAlive)
            throws ApiException, StoreException {
        String ifMatch = req.headers().get(HttpHeaderNames.IF_MATCH);
        if (ifMatch == null) {
            throw new ApiException(HttpResponseStatus.PRECONDITION_REQUIRED,
                    "If-Match with the revision you read (its ETag) is required");
        }
        long expected = parseRevision(ifMatch);
        VersionedConfig now = require(uuid);
        if (now.revision() != expected) {
            throw new ApiException(HttpResponseStatus.PRECONDITION_FAILED,
                    new StaleRevisionException(expected, now.revision()).getMessage());
        }
        JsonNode body = parseBody(req);
        JsonNode obj = body.get(TYPE);
        if (obj == null || !obj.isObject() || body.size() != 1) {
            throw new ApiException(HttpResponseStatus.BAD_REQUEST,
                    "body must be {\"" + TYPE + "\": {...}}");
        }
        GlobalVrouterConfig next = merge(now.config(), (ObjectNode) obj);
        long revision;
        try {
            revision = store.replace(expected, next);
        } catch (StaleRevisionException e) {
            throw new ApiException(HttpResponseStatus.PRECONDITION_FAILED, e.getMessage());
        }
        LOG.info("write by {} from {}: revision {} -> {}: {}", who.user(), ctx.channel().remoteAddress(),
                expected, revision, ConfigDiff.summarize(now.config(), next));
        ObjectNode inner = JSON.createObjectNode();
        inner.put("uuid", uuid);
        inner.put("href", href(req, uuid));
        ObjectNode out = JSON.createObjectNode();
        out.set(TYPE, inner);
        FullHttpResponse r = ok(out);
        r.headers().set(HttpHeaderNames.ETAG, etag(revision));
        send(ctx, r, keepAlive);
    }

    /**
     * VNC-API update semantics: properties in the body replace the stored ones, properties not
     * in the body are kept, a property set to {@code null} is removed. The result passes the
     * shared validator or the write is refused naming each bad field.
     */
    private static GlobalVrouterConfig merge(GlobalVrouterConfig current, ObjectNode update) throws ApiException {
        if (update.has("uuid") && !update.get("uuid").equals(JSON.getNodeFactory().textNode(current.uuid()))) {
            throw badField("uuid", "does not match the object's uuid " + current.uuid());
        }
        if (update.has("fq_name") && !update.get("fq_name").equals(JSON.valueToTree(current.fqName()))) {
            throw badField("fq_name", "does not match the object's fq_name " + current.fqName());
        }
        ObjectNode merged = LinkLocalJson.mapper().valueToTree(current);
        Iterator<Map.Entry<String, JsonNode>> it = update.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals("href")) {
                continue; // computed by the server, echoed back by read-modify-write clients
            }
            if (f.getValue().isNull()) {
                merged.remove(f.getKey());
            } else {
                merged.set(f.getKey(), f.getValue());
            }
        }
        try {
            return LinkLocalJson.parseGlobalVrouterConfig(merged.toString());
        } catch (ConfigValidationException e) {
            List<FieldError> errors = e.errors();
            String summary = errors.size() == 1 ? "invalid linklocal_services: " + errors.get(0)
                    : "invalid linklocal_services: " + errors.size() + " errors, first " + errors.get(0);
            throw new ApiException(HttpResponseStatus.BAD_REQUEST, summary, errors);
        }
    }

    private void watch(ChannelHandlerContext ctx, Map<String, List<String>> params, boolean keepAlive)
            throws ApiException, StoreException {
        long since = longParam(params, "since", 0, 0, Long.MAX_VALUE);
        long timeoutS = longParam(params, "timeout", DEFAULT_WATCH_TIMEOUT_S, 0, MAX_WATCH_TIMEOUT_S);
        VersionedConfig latest = hub.latest();
        if (latest == null || since == 0 || latest.revision() <= since) {
            // Ask the store itself: another instance may have written (etcd) before our watch said so.
            latest = current();
        }
        if (since == 0 || latest.revision() > since) {
            send(ctx, watchResponse(latest), keepAlive);
            return;
        }
        WatchHub.Waiter w = hub.await(since, timeoutS * 1000, ctx.executor(), changed -> {
            if (!ctx.channel().isActive()) {
                return;
            }
            if (changed == null) {
                FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
                send(ctx, r, keepAlive);
            } else {
                send(ctx, watchResponse(changed), keepAlive);
            }
        });
        if (w == null) {
            throw new ApiException(HttpResponseStatus.SERVICE_UNAVAILABLE, "too many watches in progress; retry");
        }
        ctx.channel().closeFuture().addListener(f -> w.cancel());
    }

    /**
     * One write wakes every waiter with the same revision: encode its body once and let every
     * response wrap the same bytes (a ByteBuf per response, no copy).
     */
    private FullHttpResponse watchResponse(VersionedConfig v) {
        EncodedWatch cached = lastEncoded;
        if (cached == null || cached.revision != v.revision()) {
            ObjectNode out = JSON.createObjectNode();
            out.put("revision", v.revision());
            out.set(TYPE, LinkLocalJson.mapper().valueToTree(v.config()));
            try {
                cached = new EncodedWatch(v.revision(), JSON.writeValueAsBytes(out));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            lastEncoded = cached;
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(cached.body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        return r;
    }

    /** The encoded watch answer for one revision; the array is never modified once built. */
    private record EncodedWatch(long revision, byte[] body) {
    }

    private static long longParam(Map<String, List<String>> params, String name, long dflt, long min, long max)
            throws ApiException {
        List<String> values = params.get(name);
        if (values == null || values.isEmpty()) {
            return dflt;
        }
        if (values.size() > 1) {
            throw new ApiException(HttpResponseStatus.BAD_REQUEST, "parameter " + name + " is given more than once");
        }
        try {
            long v = Long.parseLong(values.get(0));
            if (v < min || v > max) {
                throw new ApiException(HttpResponseStatus.BAD_REQUEST,
                        "parameter " + name + "=" + v + " is outside " + min + "-" + max);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ApiException(HttpResponseStatus.BAD_REQUEST,
                    "parameter " + name + "='" + values.get(0) + "' is not a number");
        }
    }

    /** Accepts {@code "N"}, {@code W/"N"} is refused (weak tags cannot guard a write), bare N. */
    static long parseRevision(String ifMatch) throws ApiException {
        String s = ifMatch.trim();
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            s = s.substring(1, s.length() - 1);
        }
        try {
            long v = Long.parseLong(s);
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // fall through to the error
        }
        throw new ApiException(HttpResponseStatus.BAD_REQUEST,
                "If-Match '" + ifMatch + "' is not a revision (expected \"N\" as sent in the ETag)");
    }

    static String etag(long revision) {
        return "\"" + revision + "\"";
    }

    private static JsonNode parseBody(FullHttpRequest req) throws ApiException {
        String text = req.content().toString(StandardCharsets.UTF_8);
        if (text.isBlank()) {
            throw new ApiException(HttpResponseStatus.BAD_REQUEST, "request body is empty; expected JSON");
        }
        try {
            JsonNode n = JSON.readTree(text);
            if (n == null || !n.isObject()) {
                throw new ApiException(HttpResponseStatus.BAD_REQUEST, "request body must be a JSON object");
            }
            return n;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
            throw new ApiException(HttpResponseStatus.BAD_REQUEST, "malformed JSON" + where + ": " + e.getOriginalMessage());
        }
    }

    private static ApiException badField(String field, String message) {
        return new ApiException(HttpResponseStatus.BAD_REQUEST, field + " " + message,
                List.of(new FieldError(field, message)));
    }

    private static FullHttpResponse ok(JsonNode body) {
        return json(HttpResponseStatus.OK, body);
    }

    static FullHttpResponse error(HttpResponseStatus status, String message, List<FieldError> fieldErrors) {
        ObjectNode body = JSON.createObjectNode();
        body.put("error", message);
        if (!fieldErrors.isEmpty()) {
            ArrayNode arr = body.putArray("field_errors");
            for (FieldError fe : fieldErrors) {
                arr.addObject().put("field", fe.field()).put("message", fe.message());
            }
        }
        FullHttpResponse r = json(status, body);
        if (status.equals(HttpResponseStatus.METHOD_NOT_ALLOWED)) {
            String msg = message.substring(message.indexOf("(allowed: ") + "(allowed: ".length(), message.length() - 1);
            r.headers().set(HttpHeaderNames.ALLOW, msg);
        }
        return r;
    }

    private static FullHttpResponse json(HttpResponseStatus status, JsonNode body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, buf);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        return r;
    }

    static void send(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive) {
        if (!r.status().equals(HttpResponseStatus.NO_CONTENT)) {
            HttpUtil.setContentLength(r, r.content().readableBytes());
        }
        if (keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(r);
        } else {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            LOG.debug("closing idle connection {}", ctx.channel().remoteAddress());
            ctx.close();
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
