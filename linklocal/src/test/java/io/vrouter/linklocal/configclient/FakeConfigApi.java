package io.vrouter.linklocal.configclient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.vrouter.linklocal.config.ConfigValidationException;
import io.vrouter.linklocal.config.FieldError;
import io.vrouter.linklocal.config.GlobalVrouterConfig;
import io.vrouter.linklocal.config.LinkLocalJson;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory stand-in for the config API, following the HTTP contract (list, fqname-to-id,
 * GET with ETag, PUT with If-Match 412/428/400, long-poll watch, HTTP Basic with admin/reader
 * roles), for client tests that must not depend on the server module. Shared through the
 * linklocal test-jar. Can be stopped and restarted on the same port, keeping its store, and can
 * be made to hold an invalid object ({@link #forceObject}) as a broken or older server might.
 */
public final class FakeConfigApi implements ConfigApiTestServer {
    public static final String ADMIN = "admin";
    public static final String ADMIN_PASSWORD = "admin-secret";
    public static final String READER = "reader";
    public static final String READER_PASSWORD = "reader-secret";
    public static final TestUsers USERS = new TestUsers(ADMIN, ADMIN_PASSWORD, READER, READER_PASSWORD);

    private static final ObjectMapper M = LinkLocalJson.mapper();
    private static final String TYPE = "global-vrouter-config";

    private final String uuid = UUID.randomUUID().toString();
    private final Object lock = new Object();
    private final AtomicInteger puts = new AtomicInteger();
    private ObjectNode object;
    private long revision = 1;
    private volatile FieldError rejectNext;
    private HttpServer server;
    private javax.net.ssl.SSLContext tls;
    private ExecutorService pool;
    private int port;

    public FakeConfigApi() {
        object = M.createObjectNode();
        object.put("uuid", uuid);
        object.set("fq_name", M.valueToTree(GlobalVrouterConfig.DEFAULT_FQ_NAME));
        object.set("linklocal_services", M.createObjectNode().set("linklocal_service_entry", M.createArrayNode()));
    }

    /** Serves https with this server context from the next {@link #start()} on. */
    public FakeConfigApi tls(javax.net.ssl.SSLContext context) {
        this.tls = context;
        return this;
    }

    /** Starts on an ephemeral loopback port (first call) or on the same port again (restart). */
    public FakeConfigApi start() throws IOException {
        if (tls != null) {
            com.sun.net.httpserver.HttpsServer https =
                    com.sun.net.httpserver.HttpsServer.create(new InetSocketAddress("127.0.0.1", port), 64);
            https.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
            server = https;
        } else {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        }
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-config-api");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
        port = server.getAddress().getPort();
        return this;
    }

    @Override
    public TestUsers users() {
        return USERS;
    }

    @Override
    public void restart() throws IOException {
        start();
    }

    @Override
    public void forceLinklocalServices(String json) throws IOException {
        forceObject(json);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
            pool.shutdownNow();
            server = null;
        }
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    @Override
    public void close() {
        stop();
    }

    @Override
    public URI baseUri() {
        return URI.create((tls != null ? "https" : "http") + "://127.0.0.1:" + port);
    }

    @Override
    public int port() {
        return port;
    }

    public long revision() {
        synchronized (lock) {
            return revision;
        }
    }

    /** Successful PUTs so far. */
    public int writes() {
        return puts.get();
    }

    public GlobalVrouterConfig current() throws IOException {
        synchronized (lock) {
            return M.treeToValue(object, GlobalVrouterConfig.class);
        }
    }

    /**
     * Makes the next PUT fail with 400 and this field error, as a server with stricter rules
     * than the client's would.
     */
    public void rejectNextWrite(String field, String message) {
        rejectNext = new FieldError(field, message);
    }

    /** Stores {@code linklocalServicesJson} without validation and bumps the revision. */
    public void forceObject(String linklocalServicesJson) throws IOException {
        synchronized (lock) {
            object.set("linklocal_services", M.readTree(linklocalServicesJson));
            revision++;
            lock.notifyAll();
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            String role = role(ex);
            if (role == null) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"config-api\"");
                send(ex, 401, error("authentication required"));
                return;
            }
            if (path.equals("/global-vrouter-configs")) {
                ObjectNode ref = M.createObjectNode();
                ref.put("href", baseUri() + "/" + TYPE + "/" + uuid);
                ref.set("fq_name", M.valueToTree(GlobalVrouterConfig.DEFAULT_FQ_NAME));
                ref.put("uuid", uuid);
                ObjectNode body = M.createObjectNode();
                body.putArray("global-vrouter-configs").add(ref);
                send(ex, 200, body);
            } else if (path.equals("/fqname-to-id") && method.equals("POST")) {
                JsonNode req = M.readTree(ex.getRequestBody());
                if (TYPE.equals(req.path("type").asText())
                        && M.valueToTree(GlobalVrouterConfig.DEFAULT_FQ_NAME).equals(req.path("fq_name"))) {
                    send(ex, 200, M.createObjectNode().put("uuid", uuid));
                } else {
                    send(ex, 404, error("no such object"));
                }
            } else if (path.equals("/" + TYPE + "/" + uuid) && method.equals("GET")) {
                synchronized (lock) {
                    ex.getResponseHeaders().add("ETag", "\"" + revision + "\"");
                    send(ex, 200, M.createObjectNode().set(TYPE, object.deepCopy()));
                }
            } else if (path.equals("/" + TYPE + "/" + uuid) && method.equals("PUT")) {
                put(ex, role);
            } else if (path.equals("/watch/" + TYPE) && method.equals("GET")) {
                watch(ex);
            } else if (path.startsWith("/" + TYPE + "/")) {
                send(ex, 404, error("no such object"));
            } else {
                send(ex, 404, error("unknown path " + path));
            }
        } catch (RuntimeException e) {
            send(ex, 500, error(e.toString()));
        }
    }

    private void put(HttpExchange ex, String role) throws IOException {
        if (!role.equals("admin")) {
            send(ex, 403, error("role reader may not write"));
            return;
        }
        String ifMatch = ex.getRequestHeaders().getFirst("If-Match");
        if (ifMatch == null) {
            send(ex, 428, error("If-Match required"));
            return;
        }
        String bodyText = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        JsonNode obj;
        try {
            obj = M.readTree(bodyText).path(TYPE);
            if (!obj.isObject()) {
                send(ex, 400, error("body needs a \"" + TYPE + "\" object"));
                return;
            }
            LinkLocalJson.parseGlobalVrouterConfig(obj.toString());
            FieldError forced = rejectNext;
            if (forced != null) {
                rejectNext = null;
                throw new ConfigValidationException(java.util.List.of(forced));
            }
        } catch (ConfigValidationException e) {
            ObjectNode err = error("invalid linklocal_services");
            ObjectNode fes = err.putObject("field_errors");
            for (FieldError fe : e.errors()) {
                fes.put(fe.field(), fe.message());
            }
            send(ex, 400, err);
            return;
        } catch (IOException e) {
            send(ex, 400, error("malformed JSON"));
            return;
        }
        synchronized (lock) {
            long asked = Long.parseLong(ifMatch.replace("\"", ""));
            if (asked != revision) {
                send(ex, 412, error("revision " + asked + " is stale; current is " + revision));
                return;
            }
            ObjectNode stored = ((ObjectNode) obj).deepCopy();
            stored.put("uuid", uuid);
            stored.set("fq_name", M.valueToTree(GlobalVrouterConfig.DEFAULT_FQ_NAME));
            object = stored;
            revision++;
            puts.incrementAndGet();
            lock.notifyAll();
            ex.getResponseHeaders().add("ETag", "\"" + revision + "\"");
            ObjectNode ref = M.createObjectNode().put("uuid", uuid).put("href", baseUri() + "/" + TYPE + "/" + uuid);
            send(ex, 200, M.createObjectNode().set(TYPE, ref));
        }
    }

    private void watch(HttpExchange ex) throws IOException {
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        long since = Long.parseLong(q.getOrDefault("since", "0"));
        long timeoutMs = Long.parseLong(q.getOrDefault("timeout", "30")) * 1000;
        long deadline = System.currentTimeMillis() + timeoutMs;
        ObjectNode answer;
        synchronized (lock) {
            while (since != 0 && revision <= since && server != null) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    break;
                }
                try {
                    lock.wait(left);
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (server == null || (since != 0 && revision <= since)) {
                answer = null;
            } else {
                answer = M.createObjectNode().put("revision", revision);
                answer.set(TYPE, object.deepCopy());
            }
        }
        if (answer == null) {
            ex.sendResponseHeaders(204, -1);
        } else {
            send(ex, 200, answer);
        }
    }

    private static Map<String, String> query(String raw) {
        java.util.HashMap<String, String> m = new java.util.HashMap<>();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    m.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
        }
        return m;
    }

    private static String role(HttpExchange ex) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Basic ")) {
            return null;
        }
        String pair = new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8);
        if (pair.equals(ADMIN + ":" + ADMIN_PASSWORD)) {
            return "admin";
        }
        if (pair.equals(READER + ":" + READER_PASSWORD)) {
            return "reader";
        }
        return null;
    }

    private static ObjectNode error(String message) {
        return M.createObjectNode().put("error", message);
    }

    /** Errors in the plumbing's one shape: {@code {"status", "error", "field_errors"}}. */
    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        if (status >= 400 && body instanceof ObjectNode err) {
            body = M.createObjectNode().put("status", status).setAll(err);
        }
        byte[] bytes = M.writeValueAsBytes(body);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }
}
