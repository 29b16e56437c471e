package io.vrouter.linklocal.configclient;

import io.vrouter.linklocal.config.VersionedConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vrouter.linklocal.config.ConfigValidationException;
import io.vrouter.linklocal.config.FieldError;
import io.vrouter.linklocal.config.GlobalVrouterConfig;
import io.vrouter.linklocal.config.LinkLocalJson;
import io.vrouter.plumbing.http.ErrorBody;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLException;

/**
 * The config API's HTTP contract for {@code global-vrouter-config}, on the JDK's
 * {@link HttpClient}: read (with revision), conditional write (If-Match), and the long-poll
 * watch. Every failure is a {@link ConfigApiException} of a definite {@link ConfigApiException.Kind}.
 *
 * <p>Thread-safe; one instance (and its {@link HttpClient}) may serve many threads, and many
 * clients may share one {@link HttpClient} (see {@link #newHttpClient}).
 *
 * <table>
 *   <caption>Limits</caption>
 *   <tr><th>what</th><th>default</th><th>why</th></tr>
 *   <tr><td>ordinary request timeout</td><td>{@link ConfigApiEndpoint#DEFAULT_REQUEST_TIMEOUT}</td>
 *       <td>guards against a hung server</td></tr>
 *   <tr><td>watch request timeout</td><td>hold time + {@value #WATCH_GRACE_SECONDS} s</td>
 *       <td>the server answers 204 at the hold time; the grace absorbs its scheduling</td></tr>
 *   <tr><td>watch hold time</td><td>1-{@value #MAX_WATCH_SECONDS} s</td><td>the server's maximum</td></tr>
 * </table>
 */
public final class ConfigApiClient {
    public static final String TYPE = "global-vrouter-config";
    public static final int MAX_WATCH_SECONDS = 300;
    /** Sent on an agent's watch: the compute node's name, so the API can show who follows it. */
    public static final String AGENT_NODE_HEADER = "X-Agent-Node";
    /** Sent with {@link #AGENT_NODE_HEADER}: the revision the agent has applied (0: none yet). */
    public static final String AGENT_REVISION_HEADER = "X-Agent-Revision";
    static final int WATCH_GRACE_SECONDS = 10;

    private final ConfigApiEndpoint endpoint;
    private final HttpClient http;
    private final String authHeader;
    private final String authorization;

    /** A client with its own {@link HttpClient}. */
    public ConfigApiClient(ConfigApiEndpoint endpoint) throws IOException {
        this(endpoint, newHttpClient(endpoint, null));
    }

    /** A client on a shared {@link HttpClient} built by {@link #newHttpClient} for the same TLS settings. */
    public ConfigApiClient(ConfigApiEndpoint endpoint, HttpClient http) {
        this(endpoint, http, "Authorization", endpoint.user() == null ? null : "Basic " + Base64.getEncoder().encodeToString(
                (endpoint.user() + ":" + (endpoint.password() == null ? "" : endpoint.password()))
                        .getBytes(StandardCharsets.UTF_8)));
    }

    private ConfigApiClient(ConfigApiEndpoint endpoint, HttpClient http, String authHeader, String authorization) {
        this.endpoint = endpoint;
        this.http = http;
        this.authHeader = authHeader;
        this.authorization = authorization;
    }

    /**
     * A client that sends a Keystone token as {@code X-Auth-Token} instead of HTTP Basic (the
     * endpoint's user and password are then not sent; the user still names the caller in messages).
     */
    public static ConfigApiClient withAuthToken(ConfigApiEndpoint endpoint, String token) throws IOException {
        return new ConfigApiClient(endpoint, newHttpClient(endpoint, null), "X-Auth-Token", token);
    }

    /**
     * An HTTP/1.1 client for {@code endpoint}'s TLS settings; {@code executor} (may be null) runs
     * response handling, so many watch clients can share one small pool.
     */
    public static HttpClient newHttpClient(ConfigApiEndpoint endpoint, Executor executor) throws IOException {
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(endpoint.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER);
        if (endpoint.isTls()) {
            b.sslContext(TlsContexts.forEndpoint(endpoint));
        }
        if (executor != null) {
            b.executor(executor);
        }
        return b.build();
    }

    public ConfigApiEndpoint endpoint() {
        return endpoint;
    }

    /** The uuid of the one {@code global-vrouter-config} (fq_name {@link GlobalVrouterConfig#DEFAULT_FQ_NAME}). */
    public String uuid() throws ConfigApiException {
        ObjectNode body = LinkLocalJson.mapper().createObjectNode();
        body.put("type", TYPE);
        body.putPOJO("fq_name", GlobalVrouterConfig.DEFAULT_FQ_NAME);
        HttpResponse<String> rsp = send(request("/fqname-to-id", endpoint.requestTimeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(LinkLocalJson.write(body))).build());
        requireOk(rsp, "look up " + TYPE);
        JsonNode uuid = parse(rsp).path("uuid");
        if (!uuid.isTextual() || uuid.asText().isEmpty()) {
            throw protocol(rsp, "fqname-to-id answer has no uuid");
        }
        return uuid.asText();
    }

    /**
     * Reads the object and its revision. The object is parsed but, deliberately, not validated:
     * a writer must be able to read (and repair) whatever is stored.
     */
    public VersionedConfig read(String uuid) throws ConfigApiException {
        HttpResponse<String> rsp = send(request("/" + TYPE + "/" + uuid, endpoint.requestTimeout()).GET().build());
        requireOk(rsp, "read " + TYPE + " " + uuid);
        long revision = etag(rsp);
        JsonNode obj = parse(rsp).path(TYPE);
        if (!obj.isObject()) {
            throw protocol(rsp, "answer has no \"" + TYPE + "\" object");
        }
        try {
            return new VersionedConfig(revision, LinkLocalJson.mapper().treeToValue(obj, GlobalVrouterConfig.class));
        } catch (IOException e) {
            throw protocol(rsp, "stored " + TYPE + " cannot be read: " + e.getMessage());
        }
    }

    /**
     * Writes {@code config} if the stored revision is still {@code ifMatch}.
     *
     * @return the new revision
     * @throws ConfigApiException {@link ConfigApiException.Kind#STALE_REVISION} when someone wrote in between
     */
    public long write(String uuid, long ifMatch, GlobalVrouterConfig config) throws ConfigApiException {
        String body = LinkLocalJson.write(Map.of(TYPE, config.withUuid(uuid)));
        HttpResponse<String> rsp = send(request("/" + TYPE + "/" + uuid, endpoint.requestTimeout())
                .header("Content-Type", "application/json")
                .header("If-Match", "\"" + ifMatch + "\"")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
        requireOk(rsp, "write " + TYPE + " " + uuid);
        return etag(rsp);
    }

    /**
     * Long-polls for a revision newer than {@code since} (0: the current snapshot at once).
     * Completes with empty when the server held the request for {@code hold} and nothing changed;
     * exceptionally with a {@link ConfigApiException} (possibly wrapped in a CompletionException).
     */
    public CompletableFuture<Optional<WatchEvent>> watchAsync(long since, Duration hold) {
        return watchAsync(since, hold, null, 0);
    }

    /**
     * {@link #watchAsync(long, Duration)} as an agent: names the node ({@code null}: anonymous) and
     * the revision it has applied, which the API shows as the config's propagation.
     */
    public CompletableFuture<Optional<WatchEvent>> watchAsync(long since, Duration hold, String node, long applied) {
        long seconds = Math.max(1, Math.min(MAX_WATCH_SECONDS, hold.toSeconds()));
        HttpRequest.Builder b = request("/watch/" + TYPE + "?since=" + Math.max(0, since) + "&timeout=" + seconds,
                Duration.ofSeconds(seconds + WATCH_GRACE_SECONDS));
        if (node != null) {
            b.header(AGENT_NODE_HEADER, node).header(AGENT_REVISION_HEADER, Long.toString(Math.max(0, applied)));
        }
        HttpRequest req = b.GET().build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .handle((rsp, err) -> {
                    if (err != null) {
                        throw new CompletionException(transportError(unwrap(err)));
                    }
                    try {
                        return watchResult(rsp);
                    } catch (ConfigApiException e) {
                        throw new CompletionException(e);
                    }
                });
    }

    /** Blocking form of {@link #watchAsync}. */
    public Optional<WatchEvent> watch(long since, Duration hold) throws ConfigApiException, InterruptedException {
        try {
            return watchAsync(since, hold).get();
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof ConfigApiException c) {
                throw c;
            }
            throw new ConfigApiException(ConfigApiException.Kind.PROTOCOL, 0, cause.toString(), List.of(), cause);
        }
    }

    private Optional<WatchEvent> watchResult(HttpResponse<String> rsp) throws ConfigApiException {
        if (rsp.statusCode() == 204) {
            return Optional.empty();
        }
        requireOk(rsp, "watch " + TYPE);
        JsonNode root = parse(rsp);
        JsonNode rev = root.path("revision");
        JsonNode obj = root.path(TYPE);
        if (!rev.canConvertToLong() || !rev.isIntegralNumber() || rev.asLong() < 1 || !obj.isObject()) {
            throw protocol(rsp, "watch answer lacks \"revision\" or \"" + TYPE + "\"");
        }
        try {
            GlobalVrouterConfig config = LinkLocalJson.parseGlobalVrouterConfig(obj.toString());
            return Optional.of(new WatchEvent(rev.asLong(), config, List.of()));
        } catch (ConfigValidationException e) {
            return Optional.of(new WatchEvent(rev.asLong(), null, e.errors()));
        }
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint.baseUri() + path))
                .timeout(timeout)
                .header("Accept", "application/json");
        if (authorization != null) {
            b.header(authHeader, authorization);
        }
        return b;
    }

    private HttpResponse<String> send(HttpRequest req) throws ConfigApiException {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw transportError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConfigApiException(ConfigApiException.Kind.UNREACHABLE, 0, "interrupted", List.of(), e);
        }
    }

    private ConfigApiException transportError(Throwable e) {
        String what;
        if (e instanceof ConnectException || e instanceof HttpConnectTimeoutException) {
            what = "cannot connect to config API at " + endpoint.baseUri()
                    + (e instanceof HttpConnectTimeoutException ? " (connect timed out)" : " (connection refused)");
        } else if (e instanceof HttpTimeoutException) {
            what = "config API at " + endpoint.baseUri() + " did not answer in time";
        } else if (e instanceof SSLException) {
            what = "TLS with config API at " + endpoint.baseUri() + " failed: " + e.getMessage();
        } else {
            what = "config API at " + endpoint.baseUri() + " unreachable: " + e;
        }
        return new ConfigApiException(ConfigApiException.Kind.UNREACHABLE, 0, what, List.of(), e);
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private void requireOk(HttpResponse<String> rsp, String what) throws ConfigApiException {
        int status = rsp.statusCode();
        if (status == 200) {
            return;
        }
        ErrorBody body = ErrorBody.read(status, tryParse(rsp.body()));
        ConfigApiException.Kind kind = switch (status) {
            case 400 -> ConfigApiException.Kind.INVALID;
            case 401 -> ConfigApiException.Kind.UNAUTHORIZED;
            case 403 -> ConfigApiException.Kind.FORBIDDEN;
            case 404 -> ConfigApiException.Kind.NOT_FOUND;
            case 412 -> ConfigApiException.Kind.STALE_REVISION;
            default -> ConfigApiException.Kind.PROTOCOL;
        };
        List<FieldError> fieldErrors = new ArrayList<>();
        body.fieldErrors().forEach((field, message) -> fieldErrors.add(new FieldError(field, message)));
        throw new ConfigApiException(kind, status, "cannot " + what + ": " + status + " " + body.error(), fieldErrors, null);
    }

    private static long etag(HttpResponse<String> rsp) throws ConfigApiException {
        String tag = rsp.headers().firstValue("ETag").orElse(null);
        if (tag == null) {
            throw protocol(rsp, "answer has no ETag");
        }
        String t = tag.startsWith("W/") ? tag.substring(2) : tag;
        if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
            t = t.substring(1, t.length() - 1);
        }
        long revision;
        try {
            revision = Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw protocol(rsp, "ETag " + tag + " is not a revision number");
        }
        if (revision < 1) {
            throw protocol(rsp, "ETag " + tag + " is not a revision (revisions start at 1)");
        }
        return revision;
    }

    private static JsonNode parse(HttpResponse<String> rsp) throws ConfigApiException {
        try {
            return LinkLocalJson.mapper().readTree(rsp.body());
        } catch (IOException e) {
            throw protocol(rsp, "answer is not JSON: " + e.getMessage());
        }
    }

    /** The body as JSON, or null when it is not (an error page from a proxy in between). */
    private static JsonNode tryParse(String body) {
        try {
            return LinkLocalJson.mapper().readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static ConfigApiException protocol(HttpResponse<String> rsp, String message) {
        return new ConfigApiException(ConfigApiException.Kind.PROTOCOL, rsp.statusCode(),
                rsp.request().method() + " " + rsp.uri().getPath() + ": " + message);
    }
}
