package io.vrouter.plumbing.http;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link Handler} answers: a status, extra headers ({@code ETag}...) and a body written
 * as JSON ({@code Content-Type: application/json}).
 *
 * @param body a value the server's Jackson mapper can serialise (a tree, a map, a record...);
 *             a {@code byte[]} is sent as it is (JSON encoded once, sent to many); {@code null}
 *             sends no body at all (204)
 */
public record Response(int status, Map<String, String> headers, Object body) {
    /** Returned by a handler that took {@link Request#defer()}: the answer comes later. */
    public static final Response DEFERRED = new Response(0, Map.of(), null);

    public Response {
        headers = Map.copyOf(headers);
    }

    public static Response ok(Object body) {
        return new Response(200, Map.of(), body);
    }

    public static Response of(int status, Object body) {
        return new Response(status, Map.of(), body);
    }

    public static Response noContent() {
        return new Response(204, Map.of(), null);
    }

    /** A copy with one more header (replacing one of the same name). */
    public Response withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Response(status, h, body);
    }
}
