package io.vrouter.agent.introspect;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpMethod;
import io.vrouter.plumbing.http.Handler;
import io.vrouter.plumbing.http.HttpError;
import io.vrouter.plumbing.http.JsonHttpServer;
import io.vrouter.plumbing.http.Response;
import io.vrouter.plumbing.http.Router;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The agent's introspect endpoint (Contrail: {@code DEFAULT.http_server_port}, 8085): JSON pages,
 * and routes answered by handlers of their own ({@code Snh_*} XML pages, {@code /metrics}).
 *
 * <table>
 *   <caption>Routes (GET only; others 405)</caption>
 *   <tr><td>{@code /}</td><td>the list of routes</td></tr>
 *   <tr><td>{@code /stats}</td><td>every {@link StatsSource} section by name</td></tr>
 *   <tr><td>{@code /stats/<name>}</td><td>one section; 404 when none</td></tr>
 *   <tr><td>{@code /<page>}</td><td>each page given at start, e.g. {@code /ports}</td></tr>
 * </table>
 * Errors are the plumbing's one shape, {@code {"status": n, "error": "..."}}.
 */
public final class IntrospectServer implements AutoCloseable {
    public static final int DEFAULT_PORT = 8085;
    private static final int MAX_BODY_BYTES = 1024;
    static final String WORKER_THREAD = "introspect-pages";

    private final JsonHttpServer server;

    private IntrospectServer(JsonHttpServer server) {
        this.server = server;
    }

    /**
     * @param pages extra GET pages by path ({@code "/ports"}), each answering with its supplier's
     *              JSON-serialisable value, on the event loop (must not block)
     */
    public static IntrospectServer start(InetSocketAddress bind, EventLoopGroup group, StatsRegistry stats,
            Map<String, Supplier<?>> pages) throws Exception {
        return start(bind, group, stats, pages, Map.of());
    }

    /**
     * @param handlers more GET routes by path, each answering with its own {@link Response}
     *                 (content type included); listed on {@code /} as {@code handlers}. Pages and
     *                 handlers run on one introspect thread of their own ({@value #WORKER_THREAD}),
     *                 so a page that reads a large flow table never holds the shared event loop.
     */
    public static IntrospectServer start(InetSocketAddress bind, EventLoopGroup group, StatsRegistry stats,
            Map<String, Supplier<?>> pages, Map<String, Handler> handlers) throws Exception {
        Router routes = routes(stats, pages, handlers);
        return new IntrospectServer(JsonHttpServer.builder("introspect", bind, MAX_BODY_BYTES, req -> {
            if (!HttpMethod.GET.equals(req.method())) {
                throw new HttpError(405, "introspect is read-only: use GET").header("Allow", "GET");
            }
            return routes.handle(req);
        }).eventLoop(group).blockingThreads(1, WORKER_THREAD).start());
    }

    public InetSocketAddress localAddress() {
        return server.localAddress();
    }

    @Override
    public void close() {
        server.close();
    }

    private static Router routes(StatsRegistry stats, Map<String, Supplier<?>> pages, Map<String, Handler> handlers) {
        Router r = new Router()
                .get("/", req -> {
                    Map<String, Object> index = new LinkedHashMap<>();
                    index.put("stats", "/stats");
                    index.put("stats_sections", stats.snapshot().keySet());
                    index.put("pages", pages.keySet().stream().sorted().toList());
                    index.put("handlers", handlers.keySet().stream().sorted().toList());
                    return Response.ok(index);
                })
                .get("/stats", req -> Response.ok(stats.snapshot()))
                .get("/stats/{name}", req -> {
                    String name = req.pathParam("name");
                    Object section = stats.snapshot(name);
                    if (section == null) {
                        throw new HttpError(404, "no stats section " + clip(name));
                    }
                    return Response.ok(section);
                });
        Map.copyOf(pages).forEach((path, page) -> r.get(path, req -> Response.ok(page.get())));
        Map.copyOf(handlers).forEach(r::get);
        return r.otherwise(req -> {
            throw new HttpError(404, "unknown path " + clip(req.path()) + ": try /, /stats or " + pages.keySet());
        });
    }

    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
