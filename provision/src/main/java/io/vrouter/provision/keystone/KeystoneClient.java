package io.vrouter.provision.keystone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vrouter.linklocal.configclient.ConfigApiEndpoint;
import io.vrouter.linklocal.configclient.TlsContexts;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A small Keystone v3 client: the three token calls Contrail's API server and its clients make.
 *
 * <table>
 *   <caption>Calls</caption>
 *   <tr><th>method</th><th>request</th><th>answers used</th></tr>
 *   <tr><td>{@link #issue}</td><td>{@code POST /v3/auth/tokens?nocatalog}, password method,
 *       scoped to a project by name</td><td>201: token in {@code X-Subject-Token}, details in the
 *       body; 401: wrong credentials</td></tr>
 *   <tr><td>{@link #validate}</td><td>{@code GET /v3/auth/tokens?nocatalog} with
 *       {@code X-Auth-Token} (the caller's own token) and {@code X-Subject-Token}</td><td>200:
 *       valid; 404: unknown, expired or revoked; 401: the caller's own token is no good;
 *       403: the caller may not validate tokens</td></tr>
 *   <tr><td>{@link #revoke}</td><td>{@code DELETE /v3/auth/tokens}</td><td>204</td></tr>
 * </table>
 *
 * <p>Every request has a timeout ({@link #DEFAULT_TIMEOUT}); no connection, a timeout or a 5xx
 * is {@link KeystoneException.Kind#UNAVAILABLE}. Thread-safe; a shared {@link HttpClient}.
 * Tokens never appear in exception messages or logs.
 */
public final class KeystoneClient {
    /** Keystone answers in well under a second; 10 s only guards against a hung server. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKENS = "/auth/tokens";

    private final URI v3;
    private final HttpClient http;
    private final Duration timeout;

    /**
     * @param v3Url   the identity v3 root, e.g. {@code http://keystone:5000/v3} (see
     *                {@link KeystoneSettings#v3Url(String)} for the forms accepted in config files)
     * @param http    the client to send with (TLS settings included)
     * @param timeout per request, also used as the connect timeout of {@link #create}
     */
    public KeystoneClient(URI v3Url, HttpClient http, Duration timeout) {
        this.v3 = Objects.requireNonNull(v3Url, "v3Url");
        this.http = Objects.requireNonNull(http, "http");
        this.timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    }

    /**
     * A client with its own {@link HttpClient}. For {@code https}, the server certificate is
     * verified against {@code caFile} (PEM) or the JVM's trust store, and switched off only by
     * {@code insecure} — the same rules as the config API client.
     */
    public static KeystoneClient create(URI v3Url, java.nio.file.Path caFile, boolean insecure, Duration timeout)
            throws IOException {
        Duration t = timeout == null ? DEFAULT_TIMEOUT : timeout;
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(t)
                .followRedirects(HttpClient.Redirect.NEVER);
        if ("https".equals(v3Url.getScheme())) {
            b.sslContext(TlsContexts.forEndpoint(new ConfigApiEndpoint(v3Url, null, null, caFile, insecure, t)));
        }
        return new KeystoneClient(v3Url, b.build(), t);
    }

    public URI url() {
        return v3;
    }

    /** Password authentication scoped to {@code c.project()}: a new token. */
    public KeystoneToken issue(PasswordCredentials c) throws KeystoneException {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode auth = root.putObject("auth");
        ObjectNode identity = auth.putObject("identity");
        identity.putArray("methods").add("password");
        ObjectNode user = identity.putObject("password").putObject("user");
        user.put("name", c.user());
        user.putObject("domain").put("name", c.userDomain());
        user.put("password", c.password());
        ObjectNode project = auth.putObject("scope").putObject("project");
        project.put("name", c.project());
        project.putObject("domain").put("name", c.projectDomain());
        HttpRequest req = request(TOKENS + "?nocatalog")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(root.toString()))
                .build();
        HttpResponse<String> rsp = send(req);
        switch (rsp.statusCode()) {
            case 200, 201 -> {
                String id = rsp.headers().firstValue("X-Subject-Token").orElseThrow(() -> new KeystoneException(
                        KeystoneException.Kind.PROTOCOL, "Keystone at " + v3 + " issued a token without X-Subject-Token"));
                return parse(id, rsp.body());
            }
            case 401 -> throw new KeystoneException(KeystoneException.Kind.UNAUTHORIZED,
                    "Keystone at " + v3 + " refused the credentials of " + c + ": " + message(rsp));
            default -> throw unexpected("issuing a token for " + c, rsp);
        }
    }

    /**
     * What {@code subjectToken} is, asked with our own {@code authToken}.
     *
     * @return empty when Keystone does not know the subject token (404: invalid, expired, revoked)
     */
    public Optional<KeystoneToken> validate(String authToken, String subjectToken) throws KeystoneException {
        if (!headerSafe(subjectToken)) {
            return Optional.empty();
        }
        HttpRequest req = request(TOKENS + "?nocatalog")
                .header("X-Auth-Token", authToken)
                .header("X-Subject-Token", subjectToken)
                .GET()
                .build();
        HttpResponse<String> rsp = send(req);
        return switch (rsp.statusCode()) {
            case 200 -> Optional.of(parse(subjectToken, rsp.body()));
            case 404 -> Optional.empty();
            case 401 -> throw new KeystoneException(KeystoneException.Kind.UNAUTHORIZED,
                    "Keystone at " + v3 + " refused our own token while validating: " + message(rsp));
            case 403 -> throw new KeystoneException(KeystoneException.Kind.FORBIDDEN,
                    "Keystone at " + v3 + " does not let our service user validate tokens"
                            + " (it needs the admin or service role): " + message(rsp));
            default -> throw unexpected("validating a token", rsp);
        };
    }

    /** Revokes {@code subjectToken} ({@code DELETE /v3/auth/tokens}); a token may revoke itself. */
    public void revoke(String authToken, String subjectToken) throws KeystoneException {
        HttpRequest req = request(TOKENS)
                .header("X-Auth-Token", authToken)
                .header("X-Subject-Token", subjectToken)
                .DELETE()
                .build();
        HttpResponse<String> rsp = send(req);
        if (rsp.statusCode() != 204 && rsp.statusCode() != 200) {
            throw unexpected("revoking a token", rsp);
        }
    }

    /** A token a client sends can be anything; never put a value with control characters in a header. */
    private static boolean headerSafe(String token) {
        if (token == null || token.isEmpty() || token.length() > 8192) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            char ch = token.charAt(i);
            if (ch <= 0x20 || ch >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(v3 + path))
                .timeout(timeout)
                .header("Accept", "application/json");
    }

    private HttpResponse<String> send(HttpRequest req) throws KeystoneException {
        HttpResponse<String> rsp;
        try {
            rsp = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new KeystoneException(KeystoneException.Kind.UNAVAILABLE,
                    "Keystone at " + v3 + " did not answer within " + timeout.toMillis() + " ms", e);
        } catch (ConnectException e) {
            throw new KeystoneException(KeystoneException.Kind.UNAVAILABLE, "cannot connect to Keystone at " + v3, e);
        } catch (IOException e) {
            throw new KeystoneException(KeystoneException.Kind.UNAVAILABLE, "Keystone at " + v3 + " unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeystoneException(KeystoneException.Kind.UNAVAILABLE, "interrupted while calling Keystone", e);
        }
        if (rsp.statusCode() >= 500) {
            throw new KeystoneException(KeystoneException.Kind.UNAVAILABLE,
                    "Keystone at " + v3 + " answered " + rsp.statusCode() + ": " + message(rsp));
        }
        return rsp;
    }

    private KeystoneException unexpected(String what, HttpResponse<String> rsp) {
        return new KeystoneException(KeystoneException.Kind.PROTOCOL,
                "Keystone at " + v3 + " answered " + rsp.statusCode() + " " + what + ": " + message(rsp));
    }

    /** Keystone's {@code {"error": {"message": ...}}}, or the start of the body. */
    private static String message(HttpResponse<String> rsp) {
        String body = rsp.body() == null ? "" : rsp.body();
        try {
            JsonNode m = JSON.readTree(body).path("error").path("message");
            if (m.isTextual()) {
                return m.asText();
            }
        } catch (IOException | RuntimeException e) {
            // Not JSON: fall through.
        }
        return body.length() > 200 ? body.substring(0, 200) + "..." : body;
    }

    /** The body's {@code token} object. */
    KeystoneToken parse(String id, String body) throws KeystoneException {
        try {
            JsonNode t = JSON.readTree(body).path("token");
            String expires = t.path("expires_at").asText(null);
            String user = t.path("user").path("name").asText(null);
            if (expires == null || user == null) {
                throw new KeystoneException(KeystoneException.Kind.PROTOCOL,
                        "Keystone at " + v3 + " sent a token without expires_at or user.name");
            }
            String project = t.path("project").path("name").asText(null);
            List<String> roles = new ArrayList<>();
            for (JsonNode r : t.path("roles")) {
                String name = r.path("name").asText(null);
                if (name != null) {
                    roles.add(name);
                }
            }
            return new KeystoneToken(id, parseTime(expires), user, project, roles);
        } catch (IOException e) {
            throw new KeystoneException(KeystoneException.Kind.PROTOCOL, "Keystone at " + v3 + " sent a token body that is not JSON", e);
        }
    }

    /** {@code 2026-12-05T09:10:33.000000Z} (Keystone) or with an offset ({@code +00:00}). */
    static Instant parseTime(String text) throws KeystoneException {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            throw new KeystoneException(KeystoneException.Kind.PROTOCOL, "token expires_at '" + text + "' is not an ISO 8601 time", e);
        }
    }
}
