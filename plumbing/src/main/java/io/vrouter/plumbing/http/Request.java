package io.vrouter.plumbing.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One request as a {@link Handler} sees it: method, decoded path (no query), query parameters,
 * headers, the whole body, the {@link Router}'s path parameters and the {@link HttpAuth}'s
 * principal. Immutable but for {@link #defer()}.
 */
public final class Request {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpMethod method;
    private final String uri;
    private final String path;
    private final Map<String, List<String>> query;
    private final HttpHeaders headers;
    private final byte[] body;
    private final SocketAddress remote;
    private final Map<String, String> pathParams;
    private final Object principal;
    private final Supplier<Deferred> deferral;

    Request(HttpMethod method, String uri, HttpHeaders headers, byte[] body, SocketAddress remote,
            Map<String, String> pathParams, Object principal, Supplier<Deferred> deferral) {
        QueryStringDecoder qs = new QueryStringDecoder(uri);
        this.method = method;
        this.uri = uri;
        this.path = qs.path();
        this.query = qs.parameters();
        this.headers = headers;
        this.body = body;
        this.remote = remote;
        this.pathParams = Map.copyOf(pathParams);
        this.principal = principal;
        this.deferral = deferral;
    }

    /** A request outside any connection, for tests of routes (it cannot be deferred). */
    public static Request of(HttpMethod method, String uri, byte[] body) {
        return new Request(method, uri, new DefaultHttpHeaders(), body, null, Map.of(), null, () -> {
            throw new IllegalStateException("a request made with Request.of cannot be deferred");
        });
    }

    public HttpMethod method() {
        return method;
    }

    /** The request target as sent, query included (for logs). */
    public String uri() {
        return uri;
    }

    /** The percent-decoded path, without the query. */
    public String path() {
        return path;
    }

    public Map<String, List<String>> query() {
        return query;
    }

    /** The first value of a header, or null. */
    public String header(CharSequence name) {
        return headers.get(name);
    }

    public byte[] body() {
        return body;
    }

    public SocketAddress remoteAddress() {
        return remote;
    }

    /** A path parameter the {@link Router} matched ({@code id} of {@code /port/{id}}), or null. */
    public String pathParam(String name) {
        return pathParams.get(name);
    }

    /** What the server's {@link HttpAuth} returned; null when the server has none. */
    public Object principal() {
        return principal;
    }

    /**
     * Takes the answer out of the handler's hands: the handler returns {@link Response#DEFERRED}
     * and replies later through the returned object.
     */
    public Deferred defer() {
        return deferral.get();
    }

    Request with(Map<String, String> params, Object who) {
        return new Request(method, uri, headers, body, remote, params, who, deferral);
    }

    /**
     * The body as a JSON object.
     *
     * @throws HttpError 400 when the body is empty, not JSON (naming line and column) or not an object
     */
    public JsonNode jsonObject() throws HttpError {
        String text = new String(body, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            throw new HttpError(400, "request body is empty; expected JSON");
        }
        JsonNode n;
        try {
            n = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + " column " + e.getLocation().getColumnNr();
            throw new HttpError(400, "malformed JSON" + where + ": " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw new HttpError(400, "request body must be a JSON object");
        }
        return n;
    }
}
