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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The port IPC REST endpoint {@code vrouter-port-control} talks to (Contrail: localhost:9091).
 *
 * <table>
 *   <caption>Routes</caption>
 *   <tr><th>request</th><th>answer</th></tr>
 *   <tr><td>{@code POST /port}</td><td>200 + the port (new or identical re-POST);
 *       400 bad JSON / field / no such interface; 409 id clash, system-name clash, no free
 *       index; 413 body over {@value #MAX_BODY_BYTES} bytes; 500 state not writable</td></tr>
 *   <tr><td>{@code GET /port/<uuid>}</td><td>200 + the port; 400 not a UUID; 404</td></tr>
 *   <tr><td>{@code DELETE /port/<uuid>}</td><td>200 + the removed port; 400; 404</td></tr>
 *   <tr><td>{@code GET /ports}</td><td>200 + array of ports by interface index</td></tr>
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
    /** A port object is ~500 bytes; this leaves room for Contrail's extra fields. */
    public static final int MAX_BODY_BYTES = 16 * 1024;

    private final JsonHttpServer server;

    private PortIpcServer(JsonHttpServer server) {
        this.server = server;
    }

    public static PortIpcServer start(InetSocketAddress bind, EventLoopGroup group, PortRegistry registry)
            throws Exception {
        return new PortIpcServer(JsonHttpServer.builder("port IPC", bind, MAX_BODY_BYTES, routes(registry))
                .eventLoop(group).blockingThreads(1, "port-ipc").start());
    }

    public InetSocketAddress localAddress() {
        return server.localAddress();
    }

    @Override
    public void close() {
        server.close();
    }

    /** The routing, separate from the socket so it can be tested directly. */
    static Router routes(PortRegistry registry) {
        return new Router()
                .post("/port", refusals(req -> {
                    PortRegistry.AddResult r = registry.add(PortJson.parseRequest(req.body()));
                    return Response.ok(PortJson.toJson(r.port()));
                }))
                .get("/ports", req -> {
                    ArrayNode a = PortJson.mapper().createArrayNode();
                    registry.list().forEach(p -> a.add(PortJson.toJson(p)));
                    return Response.ok(a);
                })
                .get("/port/{id*}", refusals(req -> {
                    String id = portId(req);
                    VmPort p = registry.get(id);
                    if (p == null) {
                        throw new HttpError(404, "no port " + id);
                    }
                    return Response.ok(PortJson.toJson(p));
                }))
                .delete("/port/{id*}", refusals(req -> Response.ok(PortJson.toJson(registry.remove(portId(req))))))
                .otherwise(req -> {
                    throw new HttpError(404, "unknown path " + req.path() + ": expected /port, /port/<uuid> or /ports");
                });
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
