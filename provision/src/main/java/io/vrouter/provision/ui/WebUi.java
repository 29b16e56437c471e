package io.vrouter.provision.ui;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.vrouter.linklocal.config.VersionedConfig;
import io.vrouter.plumbing.http.Handler;
import io.vrouter.plumbing.http.HttpError;
import io.vrouter.plumbing.http.Request;
import io.vrouter.plumbing.http.Response;
import io.vrouter.plumbing.http.Router;
import io.vrouter.provision.auth.Principal;
import io.vrouter.provision.auth.Role;
import io.vrouter.provision.store.ConfigStore;
import io.vrouter.provision.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The web UI's routes on the config API's own server (same port, TLS, users and roles). The
 * page itself is static and public — it holds no data — and every piece of data it shows comes
 * from the API under the user's credentials. The UI adds two read-only endpoints of its own.
 *
 * <table>
 *   <caption>Routes</caption>
 *   <tr><td>GET /ui</td><td>302 to {@code /ui/}</td></tr>
 *   <tr><td>GET /ui/, /ui/&lt;asset&gt;</td><td>the page and its scripts and styles (public)</td></tr>
 *   <tr><td>GET /ui/auth.json</td><td>{@code {"strategy": "basic" | "keystone" | "none"}}: which login to show (public)</td></tr>
 *   <tr><td>GET /ui/api/session</td><td>{@code {"user", "role", "can_write"}}: checks a login</td></tr>
 *   <tr><td>GET /ui/api/agents</td><td>{@code {"revision", "agents": [{"node", "revision", "last_seen",
 *       "seconds_ago", "address", "stale"}]}}: who has applied what ({@link AgentRegistry})</td></tr>
 * </table>
 *
 * <p>A request the page makes carries {@value #PAGE_HEADER}; when its credentials are wrong the
 * server answers 401 without {@code WWW-Authenticate}, so the browser does not pop up a login
 * box of its own over the page's.
 */
public final class WebUi implements Handler {
    public static final String PREFIX = "/ui";
    /** Sent by the page's scripts on every API call. */
    public static final String PAGE_HEADER = "X-Requested-With";
    static final String ASSET_DIR = "io/vrouter/provision/ui/assets/";
    /** The page's files; nothing else under /ui is served. */
    static final Map<String, String> ASSETS = assetTypes();
    /** Scripts and styles from this server only; no inline script, no framing. */
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
    private static final Principal ASSET_READER = new Principal("(web UI page)", Role.READER);

    private final Map<String, byte[]> files = loadAll();
    private final ConfigStore store;
    private final Router router = new Router()
            .get(PREFIX + "/", req -> asset("index.html"))
            .get(PREFIX + "/auth.json", req -> page(Response.ok(Map.of("strategy", strategy()))))
            .get(PREFIX + "/api/session", this::session)
            .get(PREFIX + "/api/agents", this::agentsView)
            .get(PREFIX + "/{asset}", req -> asset(req.pathParam("asset")));
    private final AgentRegistry agents;
    private final String strategy;

    /**
     * @param strategy the login the page offers: {@code basic}, {@code keystone} or {@code none}
     */
    public WebUi(ConfigStore store, AgentRegistry agents, String strategy) {
        this.store = Objects.requireNonNull(store, "store");
        this.agents = Objects.requireNonNull(agents, "agents");
        this.strategy = Objects.requireNonNull(strategy, "strategy");
    }

    /** True for paths this handler serves. */
    public static boolean owns(String path) {
        return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
    }

    /**
     * The principal of a request for the public page (its files and the login choice), or null
     * when the path needs credentials.
     */
    public static Principal publicPrincipal(String path) {
        if (path.equals(PREFIX) || path.equals(PREFIX + "/") || path.equals(PREFIX + "/auth.json")) {
            return ASSET_READER;
        }
        if (path.startsWith(PREFIX + "/") && ASSETS.containsKey(path.substring(PREFIX.length() + 1))) {
            return ASSET_READER;
        }
        return null;
    }

    /** True when the request comes from the page's scripts (see the class comment). */
    public static boolean fromPage(Request req) {
        return "XMLHttpRequest".equals(req.header(PAGE_HEADER));
    }

    /** The login strategy an authenticator's challenge stands for. */
    public static String strategyOf(boolean authEnabled, String challenge) {
        if (!authEnabled) {
            return "none";
        }
        return challenge != null && challenge.startsWith("Keystone") ? "keystone" : "basic";
    }

    public String strategy() {
        return strategy;
    }

    @Override
    public Response handle(Request req) throws HttpError {
        if (req.path().equals(PREFIX)) {
            // The page's links are relative to /ui/ (the router does not tell the two apart).
            return new Response(302, Map.of(HttpHeaderNames.LOCATION.toString(), PREFIX + "/"), null);
        }
        return router.handle(req);
    }

    private Response asset(String name) throws HttpError {
        byte[] body = files.get(name);
        if (body == null) {
            throw new HttpError(404, "no such page: " + PREFIX + "/" + name);
        }
        return page(new Response(200, Map.of(HttpHeaderNames.CONTENT_TYPE.toString(), ASSETS.get(name)), body));
    }

    private static Response page(Response r) {
        return r.withHeader("Content-Security-Policy", CSP)
                .withHeader("X-Content-Type-Options", "nosniff")
                .withHeader("Referrer-Policy", "no-referrer")
                .withHeader(HttpHeaderNames.CACHE_CONTROL.toString(), "no-cache");
    }

    private Response session(Request req) {
        Principal who = (Principal) req.principal();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("user", who.user());
        out.put("role", who.role().label());
        out.put("can_write", who.role().canWrite());
        out.put("strategy", strategy);
        return page(Response.ok(out));
    }

    private Response agentsView(Request req) throws HttpError {
        VersionedConfig current;
        try {
            current = store.current();
        } catch (StoreException e) {
            throw new HttpError(503, "store unavailable: " + e.getMessage());
        }
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("revision", current == null ? 0 : current.revision());
        out.put("now", agents.now().toString());
        ArrayNode list = out.putArray("agents");
        for (AgentRegistry.Agent a : agents.agents()) {
            ObjectNode n = list.addObject();
            n.put("node", a.node());
            n.put("revision", a.revision());
            n.put("last_seen", a.lastSeen().toString());
            n.put("seconds_ago", Math.max(0, agents.now().getEpochSecond() - a.lastSeen().getEpochSecond()));
            n.put("address", a.address());
            n.put("stale", agents.isStale(a));
        }
        return page(Response.ok(out));
    }

    private static Map<String, byte[]> loadAll() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        ASSETS.keySet().forEach(name -> m.put(name, load(name)));
        return m;
    }

    private static byte[] load(String name) {
        try (InputStream in = WebUi.class.getClassLoader().getResourceAsStream(ASSET_DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("web UI asset " + ASSET_DIR + name + " is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> assetTypes() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("index.html", "text/html; charset=utf-8");
        m.put("ui.css", "text/css; charset=utf-8");
        for (String js : new String[] {"api.js", "entries.js", "grid.js", "dialog.js", "conflict.js", "agents.js", "app.js"}) {
            m.put(js, "text/javascript; charset=utf-8");
        }
        return Map.copyOf(m);
    }
}
