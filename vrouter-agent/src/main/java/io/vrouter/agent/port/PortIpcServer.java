package io.vrouter.agent.port;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.netty.channel.EventLoopGroup;
import io.vrouter.linklocal.config.FieldError;
import io.vrouter.plumbing.http.Handler;
import io.vrouter.plumbing.http.HttpError;
import io.vrouter.plumbing.http.JsonHttpServer;
import io.vrouter.plumbing.http.Request;
import io.vrouter.plumbing.http.Response;
import io.vrouter.plumbing.http.Router;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The port IPC REST endpoint {@code vrouter-port-control} talks to (Contrail: localhost:9091).
 *
 * <table>
 *   <caption>Routes</caption>
 *   <tr><th>request</th><th>answer</th></tr>
 *   <tr><td>{@code POST /port}</td><td>200 + the port (new or identical re-POST); a JSON
 *       array of ports (Contrail's batch form) is all or none: 200 + the array;
 *       400 bad JSON / field / no such interface; 409 id clash, system-name clash or not a
 *       guest's interface, no free index; 413 body over {@value #MAX_BODY_BYTES} bytes;
 *       500 state not writable</td></tr>
 *   <tr><td>{@code GET /port/<uuid>}</td><td>200 + the port; 400 not a UUID; 404</td></tr>
 *   <tr><td>{@code DELETE /port/<uuid>}</td><td>200 + the removed port, or {@code {}} when
 *       there was none (as Contrail: {@code vrouter-port-control} deletes the port file
 *       first, and a failure would fail nova's unplug); 400 not a UUID</td></tr>
 *   <tr><td>{@code PUT /enable-port/<uuid>}, {@code PUT /disable-port/<uuid>}</td><td>as
 *       Contrail: these set the link state of ESXi ports (type 2) only, which this agent does
 *       not serve, so 404 for an unknown port and 400 "incorrect port type" for any other;
 *       a VM's link state is its tap's</td></tr>
 *   <tr><td>{@code POST /syncports}</td><td>200 {@code {}}; as Contrail: a plugin that
 *       restarted re-adds its ports next, and ports not re-added within the stale timeout
 *       (Contrail's {@code stale_interface_cleanup_timeout}, default
 *       {@value #DEFAULT_STALE_TIMEOUT_SECONDS} s) are removed with their files</td></tr>
 *   <tr><td>{@code GET /ports}</td><td>200 + array of ports by interface index (ours: Contrail
 *       has no listing)</td></tr>
 *   <tr><td>other</td><td>404 unknown path, 405 wrong method (with {@code Allow})</td></tr>
 * </table>
 * Every error body is the plumbing's one shape,
 * {@code {"status": n, "error": "...", "field_errors": {"<field>": "<message>"}}}.
 *
 * <p>Threads: requests are handled one at a time on a single "port-ipc" thread (they fsync
 * and call the {@link PortObserver}s), never on the I/O event loop.
 */
public final class PortIpcServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PortIpcServer.class);
    /** Contrail's port IPC port. */
    public static final int DEFAULT_PORT = 9091;
    /** Contrail's {@code Agent::kDefaultStaleInterfaceCleanupTimeout}. */
    public static final int DEFAULT_STALE_TIMEOUT_SECONDS = 60;
    /** A port object is ~500 bytes; this leaves room for Contrail's extra fields. */
    public static final int MAX_BODY_BYTES = 16 * 1024;

    private final JsonHttpServer server;
    private final ScheduledExecutorService staleTimer;

    private PortIpcServer(JsonHttpServer server, ScheduledExecutorService staleTimer) {
        this.server = server;
        this.staleTimer = staleTimer;
    }

    public static PortIpcServer start(InetSocketAddress bind, EventLoopGroup group, PortRegistry registry)
            throws Exception {
        return start(bind, group, registry, Duration.ofSeconds(DEFAULT_STALE_TIMEOUT_SECONDS));
    }

    /** @param staleTimeout how long after {@code POST /syncports} ports not re-added are removed */
    public static PortIpcServer start(InetSocketAddress bind, EventLoopGroup group, PortRegistry registry,
            Duration staleTimeout) throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "port-sync");
            t.setDaemon(true);
            return t;
        });
        try {
            return new PortIpcServer(JsonHttpServer.builder("port IPC", bind, MAX_BODY_BYTES,
                    routes(registry, timer, staleTimeout)).eventLoop(group).blockingThreads(1, "port-ipc").start(), timer);
        } catch (Exception | Error e) {
            timer.shutdownNow();
            throw e;
        }
    }

    public InetSocketAddress localAddress() {
        return server.localAddress();
    }

    @Override
    public void close() {
        server.close();
        staleTimer.shutdownNow();
    }

    /** The routing, separate from the socket so it can be tested directly. */
    static Router routes(PortRegistry registry, ScheduledExecutorService timer, Duration staleTimeout) {
        return new Router()
                .post("/port", refusals(req -> addPorts(registry, req.body())))
                .post("/syncports", req -> {
                    long generation = registry.beginSync();
                    LOG.info("port IPC syncports: ports not re-added within {} s will be removed", staleTimeout.toSeconds());
                    timer.schedule(() -> {
                        try {
                            registry.removeStale(generation);
                        } catch (RuntimeException e) {
                            LOG.error("removing stale ports after syncports failed", e);
                        }
                    }, staleTimeout.toMillis(), TimeUnit.MILLISECONDS);
                    return Response.ok(PortJson.mapper().createObjectNode());
                })
                .get("/ports", req -> {
                    ArrayNode a = PortJson.mapper().createArrayNode();
                    registry.list().forEach(p -> a.add(PortJson.toJson(p)));
                    return Response.ok(a);
                })
                .get("/port/{id*}", refusals(req -> Response.ok(PortJson.toJson(existing(registry, portId(req))))))
                .delete("/port/{id*}", refusals(req -> {
                    VmPort removed = registry.remove(portId(req));
                    return Response.ok(removed == null ? PortJson.mapper().createObjectNode() : PortJson.toJson(removed));
                }))
                .put("/enable-port/{id*}", refusals(req -> linkState(registry, portId(req), "enable")))
                .put("/disable-port/{id*}", refusals(req -> linkState(registry, portId(req), "disable")))
                .otherwise(req -> {
                    throw new HttpError(404, "unknown path " + req.path()
                            + ": expected /port, /port/<uuid>, /ports, /syncports, /enable-port/<uuid> or /disable-port/<uuid>");
                });
    }

    /** One port object, or Contrail's array form: every element valid, then all added or none. */
    private static Response addPorts(PortRegistry registry, byte[] body) throws PortException {
        List<PortRequest> requests = PortJson.parseRequests(body);
        if (requests.size() == 1 && !PortJson.isArray(body)) {
            return Response.ok(PortJson.toJson(registry.add(requests.get(0)).port()));
        }
        List<PortRegistry.AddResult> done = new ArrayList<>();
        try {
            for (PortRequest r : requests) {
                done.add(registry.add(r));
            }
        } catch (PortException e) {
            for (PortRegistry.AddResult r : done) {
                if (r.created()) {
                    registry.remove(r.port().id());
                }
            }
            throw e;
        }
        ArrayNode a = PortJson.mapper().createArrayNode();
        done.forEach(r -> a.add(PortJson.toJson(r.port())));
        return Response.ok(a);
    }

    private static VmPort existing(PortRegistry registry, String id) throws PortException {
        VmPort p = registry.get(id);
        if (p == null) {
            throw new PortException(404, "no port " + id);
        }
        return p;
    }

    private static Response linkState(PortRegistry registry, String id, String what) throws PortException {
        VmPort p = existing(registry, id);
        throw new PortException(400, "incorrect port type for " + what + "-port: port " + id + " is type " + p.type()
                + "; enable/disable set the link state of ESXi ports (type 2) only, and a VM's link state is"
                + " its interface's (" + p.systemName() + ")");
    }

    private static String portId(Request req) throws HttpError {
        String raw = req.pathParam("id");
        String id = PortJson.canonicalUuid(raw);
        if (id == null) {
            throw new HttpError(400, "not a port UUID: \"" + (raw.length() > 64 ? raw.substring(0, 64) + "..." : raw) + "\"");
        }
        return id;
    }

    /** A route that may refuse with a {@link PortException}: its status, message and field errors. */
    private static Handler refusals(Handler.Throwing<PortException> route) {
        return Handler.translating(PortException.class, (req, e) -> {
            LOG.warn("port IPC {} {} refused ({}): {}", req.method(), req.path(), e.status(), e.getMessage());
            HttpError err = new HttpError(e.status(), e.getMessage());
            for (FieldError fe : e.errors()) {
                err.field(fe.field(), fe.message());
            }
            return err;
        }, route);
    }
}
