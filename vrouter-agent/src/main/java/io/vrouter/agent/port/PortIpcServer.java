package io.vrouter.agent.port;

import com.fasterxml.jackson.databind.node.ArrayNode;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;
import io.vrouter.agent.introspect.JsonHttpServer;
import io.vrouter.agent.introspect.JsonHttpServer.Request;
import io.vrouter.agent.introspect.JsonHttpServer.Response;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
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
 *   <tr><td>other</td><td>404 unknown path, 405 wrong method</td></tr>
 * </table>
 * Every error body is {@code {"status": n, "error": "...", "errors": [{"field","message"}]}}.
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
    private final EventExecutorGroup ipcThread;

    private PortIpcServer(JsonHttpServer server, EventExecutorGroup ipcThread) {
        this.server = server;
        this.ipcThread = ipcThread;
    }

    public static PortIpcServer start(InetSocketAddress bind, EventLoopGroup group, PortRegistry registry)
            throws Exception {
        EventExecutorGroup ipcThread = new DefaultEventExecutorGroup(1, new DefaultThreadFactory("port-ipc", true));
        try {
            JsonHttpServer server = JsonHttpServer.start("port IPC", bind, group, ipcThread,
                    new Routes(registry), MAX_BODY_BYTES);
            return new PortIpcServer(server, ipcThread);
        } catch (Exception e) {
            ipcThread.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
    }

    public InetSocketAddress localAddress() {
        return server.localAddress();
    }

    @Override
    public void close() {
        server.close();
        ipcThread.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** The routing, separate from the socket so it can be tested directly. */
    static final class Routes implements JsonHttpServer.Handler {
        private final PortRegistry registry;

        Routes(PortRegistry registry) {
            this.registry = registry;
        }

        @Override
        public Response handle(Request req) {
            String path = req.path();
            if (path.length() > 1 && path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            try {
                if ("/port".equals(path)) {
                    if (!HttpMethod.POST.equals(req.method())) {
                        return Response.error(405, req.method() + " not allowed on /port: use POST");
                    }
                    PortRegistry.AddResult r = registry.add(PortJson.parseRequest(req.body()));
                    return Response.ok(PortJson.toJson(r.port()));
                }
                if ("/ports".equals(path)) {
                    if (!HttpMethod.GET.equals(req.method())) {
                        return Response.error(405, req.method() + " not allowed on /ports: use GET");
                    }
                    ArrayNode a = PortJson.mapper().createArrayNode();
                    registry.list().forEach(p -> a.add(PortJson.toJson(p)));
                    return Response.ok(a);
                }
                if (path.startsWith("/port/")) {
                    String raw = path.substring("/port/".length());
                    String id = PortJson.canonicalUuid(raw);
                    if (id == null) {
                        return Response.error(400, "not a port UUID: \"" + (raw.length() > 64 ? raw.substring(0, 64) + "..." : raw) + "\"");
                    }
                    if (HttpMethod.GET.equals(req.method())) {
                        VmPort p = registry.get(id);
                        return p == null ? Response.error(404, "no port " + id) : Response.ok(PortJson.toJson(p));
                    }
                    if (HttpMethod.DELETE.equals(req.method())) {
                        return Response.ok(PortJson.toJson(registry.remove(id)));
                    }
                    return Response.error(405, req.method() + " not allowed on /port/<uuid>: use GET or DELETE");
                }
                return Response.error(404, "unknown path " + path + ": expected /port, /port/<uuid> or /ports");
            } catch (PortException e) {
                LOG.warn("port IPC {} {} refused ({}): {}", req.method(), path, e.status(), e.getMessage());
                return Response.error(e.status(), e.getMessage(), e.errors());
            }
        }
    }
}
