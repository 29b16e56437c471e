package io.vrouter.provision.api;

import io.netty.handler.ssl.SslContext;
import io.vrouter.linklocal.config.GlobalVrouterConfig;
import io.vrouter.linklocal.config.LinkLocalServices;
import io.vrouter.linklocal.config.VersionedConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.vrouter.plumbing.http.Handler;
import io.vrouter.plumbing.http.HttpAuth;
import io.vrouter.plumbing.http.HttpError;
import io.vrouter.plumbing.http.JsonHttpServer;
import io.vrouter.plumbing.http.Request;
import io.vrouter.provision.auth.AuthGate;
import io.vrouter.provision.auth.Authenticator;
import io.vrouter.provision.auth.Principal;
import io.vrouter.provision.store.ConfigStore;
import io.vrouter.provision.store.StoreException;
import io.vrouter.provision.ui.AgentRegistry;
import io.vrouter.provision.ui.WebUi;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The config API HTTP server: the plumbing's {@link JsonHttpServer} with the
 * {@link ConfigApiHandler} routes and the {@link WebUi} under {@code /ui/}, HTTP Basic (or Keystone)
 * through the {@link Authenticator}, optional TLS.
 * Serves the one {@code global-vrouter-config} object of a {@link ConfigStore}; creates it
 * (random UUID, no link-local services) when the store is empty.
 *
 * <table>
 *   <caption>Limits</caption>
 *   <tr><td>{@link #DEFAULT_MAX_BODY_BYTES}</td><td>1 MiB request body (1024 entries of a few
 *       hundred bytes fit easily); larger → 413</td></tr>
 *   <tr><td>{@link #DEFAULT_WORKER_THREADS}</td><td>4 threads for blocking work (fsync, etcd);
 *       I/O threads never block; password checks run on the {@link AuthGate}'s own bounded pool,
 *       failures throttled per source and user, so a wrong-password flood does not reach these</td></tr>
 *   <tr><td>{@link #DEFAULT_IDLE_TIMEOUT_MS}</td><td>330 s without a byte either way closes the
 *       connection (a held watch answers within 300 s)</td></tr>
 *   <tr><td>{@link WatchHub#DEFAULT_MAX_WAITERS}</td><td>concurrent watches; more → 503</td></tr>
 * </table>
 *
 * <p>Use: {@code try (ConfigApiServer s = ConfigApiServer.start(addr, store, auth, ssl)) {...}};
 * the caller keeps ownership of the store.
 */
public final class ConfigApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigApiServer.class);

    public static final int DEFAULT_PORT = 8082;
    /** Keystone's token header, as Contrail's clients send it. */
    static final String X_AUTH_TOKEN = "X-Auth-Token";
    public static final String DEFAULT_LISTEN_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;
    public static final int DEFAULT_WORKER_THREADS = 4;
    /** Longer than the longest watch (300 s), so only abandoned or stalled connections are cut. */
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 330_000;
    private static final int IO_THREADS = 2;

    private final JsonHttpServer http;
    private final AutoCloseable storeWatch;
    private final WatchHub hub;
    private final AuthGate gate;
    private final boolean tls;

    private ConfigApiServer(JsonHttpServer http, AutoCloseable storeWatch, WatchHub hub, AuthGate gate, boolean tls) {
        this.http = http;
        this.gate = gate;
        this.storeWatch = storeWatch;
        this.hub = hub;
        this.tls = tls;
    }

    /**
     * Makes sure the object exists, then binds and serves.
     *
     * @param sslContext server TLS context, or {@code null} for plain HTTP
     * @throws StoreException when the store cannot be read or the object created
     * @throws IOException naming the address when it cannot be bound
     * @throws InterruptedException when interrupted while binding
     */
    public static ConfigApiServer start(InetSocketAddress listen, ConfigStore store, Authenticator auth,
            SslContext sslContext) throws StoreException, IOException, InterruptedException {
        return start(listen, store, auth, sslContext, DEFAULT_IDLE_TIMEOUT_MS);
    }

    static ConfigApiServer start(InetSocketAddress listen, ConfigStore store, Authenticator auth,
            SslContext sslContext, long idleTimeoutMs) throws StoreException, IOException, InterruptedException {
        VersionedConfig initial = store.createIfAbsent(new GlobalVrouterConfig(
                UUID.randomUUID().toString(), GlobalVrouterConfig.DEFAULT_FQ_NAME, LinkLocalServices.EMPTY));
        WatchHub hub = new WatchHub(WatchHub.DEFAULT_MAX_WAITERS);
        AutoCloseable storeWatch = store.watch(hub);
        hub.offer(initial);
        String defaultHost = listen.getAddress().isAnyLocalAddress() ? "127.0.0.1" : listen.getHostString();
        ConfigApiHandler handler = new ConfigApiHandler(store, hub, sslContext != null,
                defaultHost.contains(":") ? "[" + defaultHost + "]:" + listen.getPort() : defaultHost + ":" + listen.getPort());
        AgentRegistry agents = new AgentRegistry();
        WebUi ui = new WebUi(store, agents, WebUi.strategyOf(auth.enabled(), auth.challenge()));
        AuthGate gate = new AuthGate(auth);
        JsonHttpServer http;
        try {
            http = JsonHttpServer.builder("config-api", listen, DEFAULT_MAX_BODY_BYTES, withUi(handler, ui, agents))
                    .ioThreads(IO_THREADS)
                    .blockingThreads(DEFAULT_WORKER_THREADS, "config-api-worker")
                    .idleTimeout(Duration.ofMillis(idleTimeoutMs))
                    .tls(sslContext)
                    .auth(hook(auth, gate))
                    .mapper(ConfigApiHandler.JSON)
                    .start();
        } catch (IOException | InterruptedException | RuntimeException e) {
            gate.close();
            closeQuietly(storeWatch);
            throw e;
        }
        ConfigApiServer s = new ConfigApiServer(http, storeWatch, hub, gate, sslContext != null);
        LOG.info("config-api serving {} on {}://{} (auth {}), object uuid {} at revision {}",
                store.describe(), s.tls ? "https" : "http", s.address().getHostString() + ":" + s.port(),
                auth.enabled() ? "on" : "OFF", initial.config().uuid(), initial.revision());
        if (!auth.enabled()) {
            LOG.warn("authentication is OFF: anyone who can connect may change link-local services"
                    + " (give a credentials file to switch it on)");
        }
        return s;
    }

    /** The web UI's paths go to the UI; an agent's watch is recorded (who holds what) before it is served. */
    private static Handler withUi(Handler api, WebUi ui, AgentRegistry agents) {
        return req -> {
            if (WebUi.owns(req.path())) {
                return ui.handle(req);
            }
            if (req.path().equals(ConfigApiHandler.WATCH_PATH)) {
                List<String> t = req.query().get("timeout");
                agents.heard(req, t != null && t.size() == 1 && t.get(0).matches("[0-9]{1,3}")
                        ? Long.parseLong(t.get(0)) : ConfigApiHandler.DEFAULT_WATCH_TIMEOUT_S);
            }
            return api.handle(req);
        };
    }

    /**
     * Authentication through the {@link AuthGate}: never on the server's threads, throttled on
     * failure. The UI's public pages need none; a failure from the page is a 401 without a
     * challenge, so the page shows its own login, not the browser's box.
     */
    private static HttpAuth hook(Authenticator auth, AuthGate gate) {
        return new HttpAuth() {
            @Override
            public Object authenticate(Request req) throws HttpError {
                try {
                    return authenticateAsync(req).toCompletableFuture().join();
                } catch (CompletionException e) {
                    if (e.getCause() instanceof HttpError err) {
                        throw err;
                    }
                    throw e;
                }
            }

            @Override
            public CompletionStage<Object> authenticateAsync(Request req) {
                Principal page = WebUi.publicPrincipal(req.path());
                if (page != null) {
                    return CompletableFuture.completedFuture(page);
                }
                Object source = req.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : req.remoteAddress();
                return gate.authenticate(req.header(HttpHeaderNames.AUTHORIZATION), req.header(X_AUTH_TOKEN), source)
                        .thenApply(who -> {
                            if (who == null && WebUi.fromPage(req)) {
                                throw new CompletionException(new HttpError(401, "user name, password or token not accepted"));
                            }
                            return who;
                        });
            }

            @Override
            public String challenge() {
                return auth.challenge();
            }
        };
    }

    /** The address actually bound (the port is real even when 0 was asked for). */
    public InetSocketAddress address() {
        return http.localAddress();
    }

    public int port() {
        return address().getPort();
    }

    public boolean tls() {
        return tls;
    }

    /** The server's counters now (for tests, introspection and the benchmark). */
    public Stats stats() {
        return new Stats(gate.counts(), hub.waiting());
    }

    /**
     * A snapshot of the server's counters.
     *
     * @param auth           the authentication gate's: throttled, busy, failed
     * @param watchesWaiting watches currently held
     */
    public record Stats(AuthGate.Counts auth, int watchesWaiting) {
    }

    @Override
    public void close() {
        http.close();
        gate.close();
        closeQuietly(storeWatch);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("closing store watch failed", e);
        }
    }
}
