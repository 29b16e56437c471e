package io.vrouter.agent.introspect;

import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpMethod;
import io.vrouter.agent.introspect.JsonHttpServer.Request;
import io.vrouter.agent.introspect.JsonHttpServer.Response;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The agent's introspect endpoint (Contrail: {@code DEFAULT.http_server_port}, 8085), JSON only.
 *
 * <table>
 *   <caption>Routes (GET only; others 405)</caption>
 *   <tr><td>{@code /}</td><td>the list of routes</td></tr>
 *   <tr><td>{@code /stats}</td><td>every {@link StatsSource} section by name</td></tr>
 *   <tr><td>{@code /stats/<name>}</td><td>one section; 404 when none</td></tr>
 *   <tr><td>{@code /<page>}</td><td>each page given at start, e.g. {@code /ports}</td></tr>
 * </table>
 */
public final class IntrospectServer implements AutoCloseable {
    public static final int DEFAULT_PORT = 8085;

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
        return new IntrospectServer(JsonHttpServer.start("introspect", bind, group, null,
                new Routes(stats, pages), 1024));
    }

    public InetSocketAddress localAddress() {
        return server.localAddress();
    }

    @Override
    public void close() {
        server.close();
    }

    static final class Routes implements JsonHttpServer.Handler {
        private final StatsRegistry stats;
        private final Map<String, Supplier<?>> pages;

        Routes(StatsRegistry stats, Map<String, Supplier<?>> pages) {
            this.stats = stats;
            this.pages = Map.copyOf(pages);
        }

        @Override
        public Response handle(Request req) {
            String path = req.path();
            if (path.length() > 1 && path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            if (!HttpMethod.GET.equals(req.method())) {
                return Response.error(405, "introspect is read-only: use GET");
            }
            if ("/".equals(path)) {
                Map<String, Object> index = new LinkedHashMap<>();
                index.put("stats", "/stats");
                index.put("stats_sections", stats.snapshot().keySet());
                index.put("pages", pages.keySet().stream().sorted().toList());
                return Response.ok(index);
            }
            if ("/stats".equals(path)) {
                return Response.ok(stats.snapshot());
            }
            if (path.startsWith("/stats/")) {
                String name = path.substring("/stats/".length());
                Object section = stats.snapshot(name);
                return section == null ? Response.error(404, "no stats section " + clip(name)) : Response.ok(section);
            }
            Supplier<?> page = pages.get(path);
            if (page != null) {
                return Response.ok(page.get());
            }
            return Response.error(404, "unknown path " + clip(path) + ": try /, /stats or " + pages.keySet());
        }

        private static String clip(String s) {
            return s.length() <= 64 ? s : s.substring(0, 64) + "...";
        }
    }
}
