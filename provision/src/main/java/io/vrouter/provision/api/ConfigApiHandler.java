package io.vrouter.provision.api;

import io.vrouter.linklocal.config.VersionedConfig;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.vrouter.linklocal.config.ConfigValidationException;
import io.vrouter.linklocal.config.FieldError;
import io.vrouter.linklocal.config.GlobalVrouterConfig;
import io.vrouter.linklocal.config.LinkLocalJson;
import io.vrouter.plumbing.http.Deferred;
import io.vrouter.plumbing.http.Handler;
import io.vrouter.plumbing.http.HttpError;
import io.vrouter.plumbing.http.Request;
import io.vrouter.plumbing.http.Response;
import io.vrouter.plumbing.http.Router;
import io.vrouter.provision.auth.Principal;
import io.vrouter.provision.store.ConfigStore;
import io.vrouter.provision.store.StaleRevisionException;
import io.vrouter.provision.store.StoreException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The config API's routes (see the package documentation for the contract). Runs on the
 * server's blocking-work executor, never on an I/O thread: store calls fsync or talk to etcd.
 * Authentication has already run (the server's auth hook): {@link Request#principal()} is the
 * {@link Principal}. Watches are parked in the {@link WatchHub} and hold no thread.
 */
final class ConfigApiHandler implements Handler {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigApiHandler.class);

    static final String TYPE = "global-vrouter-config";
    static final String LIST_PATH = "/global-vrouter-configs";
    static final String OBJECT_PREFIX = "/global-vrouter-config/";
    static final String FQNAME_PATH = "/fqname-to-id";
    static final String WATCH_PATH = "/watch/global-vrouter-config";
    static final int DEFAULT_WATCH_TIMEOUT_S = 30;
    static final int MAX_WATCH_TIMEOUT_S = 300;

    /** Compact output, as VNC API clients expect. */
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SAFE_HOST = Pattern.compile("[A-Za-z0-9.\\-:\\[\\]]{1,255}");

    private final ConfigStore store;
    private final WatchHub hub;
    private final String scheme;
    private final String defaultHost;
    private final Router router;
    private volatile EncodedWatch lastEncoded;
    /** Sent by VNC clients with every write, never stored: the server derives them (uuid, fq_name checked above). */
    private static final java.util.Set<String> IDENTITY_FIELDS = java.util.Set.of("uuid", "href", "parent_type",
            "parent_uuid", "name");
    /** A PUT without If-Match retries its merge this often when other writers keep winning. */
    static final int UNCONDITIONAL_ATTEMPTS = 10;

    ConfigApiHandler(ConfigStore store, WatchHub hub, boolean tls, String defaultHost) {
        this.store = store;
        this.hub = hub;
        this.scheme = tls ? "https" : "http";
        this.defaultHost = defaultHost;
        VncRoutes vnc = new VncRoutes(store, this::current, this::root);
        this.router = new Router()
                .get("/", vnc::home)
                .get(LIST_PATH, storeRoute(vnc::list))
                .post(LIST_PATH, storeRoute(vnc::create))
                .post(FQNAME_PATH, storeRoute(this::fqnameToId))
                .post(VncRoutes.ID_TO_FQNAME_PATH, storeRoute(vnc::idToFqname))
                .get(OBJECT_PREFIX + "{uuid}", storeRoute(this::read))
                .put(OBJECT_PREFIX + "{uuid}", storeRoute(this::put))
                .get(WATCH_PATH, storeRoute(this::watch));
    }

    @Override
    public Response handle(Request req) throws HttpError {
        return router.handle(req);
    }

    /** A store failure is a 503: the API itself is fine, what it serves from is not. */
    private static Handler storeRoute(Handler.Throwing<StoreException> route) {
        return Handler.translating(StoreException.class, (req, e) -> {
            LOG.warn("store failure on {} {}: {}", req.method(), req.uri(), e.getMessage());
            return new HttpError(503, "store unavailable: " + e.getMessage());
        }, route);
    }

    private VersionedConfig current() throws StoreException {
        VersionedConfig v = store.current();
        if (v == null) {
            throw new StoreException("the store holds no global-vrouter-config");
        }
        hub.offer(v);
        return v;
    }

    private VersionedConfig require(String uuid) throws HttpError, StoreException {
        VersionedConfig v = current();
        if (!v.config().uuid().equals(uuid)) {
            throw new HttpError(404, "no " + TYPE + " with uuid " + uuid);
        }
        return v;
    }

    /** {@code http://host:port} as the client addressed us (a sane Host header) or as we listen. */
    private String root(Request req) {
        String host = req.header(HttpHeaderNames.HOST);
        if (host == null || !SAFE_HOST.matcher(host).matches()) {
            host = defaultHost;
        }
        return scheme + "://" + host;
    }

    private String href(Request req, String uuid) {
        return root(req) + OBJECT_PREFIX + uuid;
    }

    private Response fqnameToId(Request req) throws HttpError, StoreException {
        JsonNode body = req.jsonObject();
        JsonNode type = body.get("type");
        JsonNode fq = body.get("fq_name");
        if (type == null || !type.isTextual()) {
            throw HttpError.badField("type", "is required and must be a string");
        }
        if (fq == null || !fq.isArray()) {
            throw HttpError.badField("fq_name", "is required and must be a list of strings");
        }
        VersionedConfig v = current();
        if (!TYPE.equals(type.asText()) || !fq.equals(JSON.valueToTree(v.config().fqName()))) {
            throw new HttpError(404, "no " + type.asText() + " named " + fq);
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("uuid", v.config().uuid());
        return Response.ok(out);
    }

    private Response read(Request req) throws HttpError, StoreException {
        VersionedConfig v = require(req.pathParam("uuid"));
        ObjectNode body = JSON.createObjectNode();
        body.set(TYPE, LinkLocalJson.mapper().valueToTree(v.config()));
        return Response.ok(body).withHeader(HttpHeaderNames.ETAG.toString(), etag(v.revision()));
    }

    static Principal requireWriter(Request req) throws HttpError {
        Principal who = (Principal) req.principal();
        if (!who.role().canWrite()) {
            throw new HttpError(403, "user '" + who.user() + "' has role " + who.role().label() + " and may not write");
        }
        return who;
    }

    /** The body {@code {"global-vrouter-config": {...}}}'s inner object. */
    static ObjectNode objectBody(Request req) throws HttpError {
        JsonNode body = req.jsonObject();
        JsonNode obj = body.get(TYPE);
        if (obj == null || !obj.isObject() || body.size() != 1) {
            throw new HttpError(400, "body must be {\"" + TYPE + "\": {...}}");
        }
        return (ObjectNode) obj;
    }

    /**
     * With {@code If-Match}: compare-and-swap on that revision (412 when stale), as our CLI and
     * agents use it. Without: last writer wins, as in Contrail (vnc_api never sends If-Match); the
     * merge is redone on the newest revision when another write lands in between, and the write
     * is logged as unconditional.
     */
    private Response put(Request req) throws HttpError, StoreException {
        Principal who = requireWriter(req);
        String uuid = req.pathParam("uuid");
        String ifMatch = req.header(HttpHeaderNames.IF_MATCH);
        Long expected = ifMatch == null ? null : parseRevision(ifMatch);
        ObjectNode obj = objectBody(req);
        for (int attempt = 1; ; attempt++) {
            VersionedConfig now = require(uuid);
            if (expected != null && now.revision() != expected) {
                throw new HttpError(412, new StaleRevisionException.Conflict(expected, now.revision()).message());
            }
            GlobalVrouterConfig next = merge(now.config(), obj);
            long revision;
            try {
                revision = store.replace(now.revision(), next);
            } catch (StaleRevisionException e) {
                if (expected != null) {
                    throw new HttpError(412, e.getMessage());
                }
                if (attempt == UNCONDITIONAL_ATTEMPTS) {
                    throw new HttpError(503, "the object kept changing under " + attempt
                            + " unconditional writes; retry, or send If-Match").header("Retry-After", "1");
                }
                continue;
            }
            LOG.info("write by {} from {}{}: revision {} -> {}: {}", who.user(), req.remoteAddress(),
                    expected == null ? " WITHOUT If-Match (last writer wins, as Contrail)" : "",
                    now.revision(), revision, ConfigDiff.summarize(now.config(), next));
            ObjectNode inner = JSON.createObjectNode();
            inner.put("uuid", uuid);
            inner.put("href", href(req, uuid));
            ObjectNode out = JSON.createObjectNode();
            out.set(TYPE, inner);
            return Response.ok(out).withHeader(HttpHeaderNames.ETAG.toString(), etag(revision));
        }
    }

    /**
     * VNC-API update semantics: properties in the body replace the stored ones, properties not
     * in the body are kept, a property set to {@code null} is removed. The result passes the
     * shared validator or the write is refused naming each bad field.
     */
    private static GlobalVrouterConfig merge(GlobalVrouterConfig current, ObjectNode update) throws HttpError {
        if (update.hasNonNull("uuid") && !update.get("uuid").equals(JSON.getNodeFactory().textNode(current.uuid()))) {
            throw HttpError.badField("uuid", "does not match the object's uuid " + current.uuid());
        }
        if (update.has("fq_name") && !update.get("fq_name").equals(JSON.valueToTree(current.fqName()))) {
            throw HttpError.badField("fq_name", "does not match the object's fq_name " + current.fqName());
        }
        ObjectNode merged = LinkLocalJson.mapper().valueToTree(current);
        Iterator<Map.Entry<String, JsonNode>> it = update.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            if (IDENTITY_FIELDS.contains(f.getKey())) {
                continue; // computed by the server; vnc_api and read-modify-write clients echo them
            }
            if (f.getValue().isNull()) {
                merged.remove(f.getKey());
            } else {
                merged.set(f.getKey(), f.getValue());
            }
        }
        return parse(merged);
    }

    /** The object a client wrote, validated; 400 naming each bad field. */
    static GlobalVrouterConfig parse(ObjectNode obj) throws HttpError {
        try {
            return LinkLocalJson.parseGlobalVrouterConfig(obj.toString());
        } catch (ConfigValidationException e) {
            List<FieldError> errors = e.errors();
            String summary = errors.size() == 1 ? "invalid linklocal_services: " + errors.get(0)
                    : "invalid linklocal_services: " + errors.size() + " errors, first " + errors.get(0);
            HttpError err = new HttpError(400, summary);
            for (FieldError fe : errors) {
                err.field(fe.field(), fe.message());
            }
            throw err;
        }
    }

    private Response watch(Request req) throws HttpError, StoreException {
        long since = longParam(req.query(), "since", 0, 0, Long.MAX_VALUE);
        long timeoutS = longParam(req.query(), "timeout", DEFAULT_WATCH_TIMEOUT_S, 0, MAX_WATCH_TIMEOUT_S);
        VersionedConfig latest = hub.latest();
        if (latest == null || since == 0 || latest.revision() <= since) {
            // Ask the store itself: another instance may have written (etcd) before our watch said so.
            latest = current();
        }
        if (since == 0 || latest.revision() > since) {
            return watchResponse(latest);
        }
        Deferred answer = req.defer();
        WatchHub.Waiter w = hub.await(since, timeoutS * 1000, answer.executor(),
                changed -> answer.reply(changed == null ? Response.noContent() : watchResponse(changed)));
        if (w == null) {
            throw new HttpError(503, "too many watches in progress; retry");
        }
        answer.onClose(w::cancel);
        return Response.DEFERRED;
    }

    /**
     * One write wakes every waiter with the same revision: encode its body once and let every
     * response send the same bytes.
     */
    private Response watchResponse(VersionedConfig v) {
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
        return Response.ok(cached.body);
    }

    /** The encoded watch answer for one revision; the array is never modified once built. */
    private record EncodedWatch(long revision, byte[] body) {
    }

    private static long longParam(Map<String, List<String>> params, String name, long dflt, long min, long max)
            throws HttpError {
        List<String> values = params.get(name);
        if (values == null || values.isEmpty()) {
            return dflt;
        }
        if (values.size() > 1) {
            throw new HttpError(400, "parameter " + name + " is given more than once");
        }
        long v;
        try {
            v = Long.parseLong(values.get(0));
        } catch (NumberFormatException e) {
            throw new HttpError(400, "parameter " + name + "='" + values.get(0) + "' is not a number");
        }
        if (v < min || v > max) {
            throw new HttpError(400, "parameter " + name + "=" + v + " is outside " + min + "-" + max);
        }
        return v;
    }

    /** Accepts {@code "N"}, {@code W/"N"} is refused (weak tags cannot guard a write), bare N. */
    static long parseRevision(String ifMatch) throws HttpError {
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
        throw new HttpError(400, "If-Match '" + ifMatch + "' is not a revision (expected \"N\" as sent in the ETag)");
    }

    static String etag(long revision) {
        return "\"" + revision + "\"";
    }
}
