package io.vrouter.plumbing.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Routes by method and path pattern. A pattern is literal segments and parameters:
 * {@code /port/{id}} matches one non-empty segment, {@code /port/{id*}} the non-empty rest of
 * the path (slashes included), so that a handler, not the router, refuses a bad id. A trailing
 * slash is ignored. A path some route matches with another method is a 405 with {@code Allow};
 * a path no route matches goes to {@link #otherwise} (a 404 naming the path by default).
 * Routes are tried in the order added; build the router before the server starts.
 */
public final class Router implements Handler {
    private record Route(HttpMethod method, String[] segments, Handler handler) {
    }

    private final List<Route> routes = new ArrayList<>();
    private Handler otherwise = req -> {
        throw new HttpError(404, "no such resource: " + req.path());
    };

    public Router route(HttpMethod method, String pattern, Handler handler) {
        if (!pattern.startsWith("/")) {
            throw new IllegalArgumentException("a route pattern starts with /: " + pattern);
        }
        routes.add(new Route(method, segments(pattern), handler));
        return this;
    }

    public Router get(String pattern, Handler handler) {
        return route(HttpMethod.GET, pattern, handler);
    }

    public Router post(String pattern, Handler handler) {
        return route(HttpMethod.POST, pattern, handler);
    }

    public Router put(String pattern, Handler handler) {
        return route(HttpMethod.PUT, pattern, handler);
    }

    public Router delete(String pattern, Handler handler) {
        return route(HttpMethod.DELETE, pattern, handler);
    }

    /** What answers a path no route matches. */
    public Router otherwise(Handler fallback) {
        this.otherwise = fallback;
        return this;
    }

    @Override
    public Response handle(Request req) throws HttpError {
        String[] path = segments(req.path());
        List<String> allowed = new ArrayList<>();
        for (Route r : routes) {
            Map<String, String> params = match(r.segments, path);
            if (params == null) {
                continue;
            }
            if (r.method.equals(req.method())) {
                return r.handler.handle(req.with(params, req.principal()));
            }
            if (!allowed.contains(r.method.name())) {
                allowed.add(r.method.name());
            }
        }
        if (!allowed.isEmpty()) {
            String allow = String.join(", ", allowed);
            throw new HttpError(405, "method " + req.method() + " is not allowed on " + req.path()
                    + " (allowed: " + allow + ")").header(HttpHeaderNames.ALLOW.toString(), allow);
        }
        return otherwise.handle(req);
    }

    private static String[] segments(String path) {
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return p.isEmpty() ? new String[0] : p.substring(1).split("/", -1);
    }

    /** The parameters when {@code path} matches {@code pattern}, else null. */
    private static Map<String, String> match(String[] pattern, String[] path) {
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String seg = pattern[i];
            boolean param = seg.startsWith("{") && seg.endsWith("}");
            if (param && seg.endsWith("*}")) {
                if (i >= path.length) {
                    return null;
                }
                String rest = String.join("/", java.util.Arrays.copyOfRange(path, i, path.length));
                params.put(seg.substring(1, seg.length() - 2), rest);
                return params;
            }
            if (i >= path.length || path[i].isEmpty()) {
                return null;
            }
            if (param) {
                params.put(seg.substring(1, seg.length() - 1), path[i]);
            } else if (!seg.equals(path[i])) {
                return null;
            }
        }
        return pattern.length == path.length ? params : null;
    }
}
