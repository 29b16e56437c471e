package io.vrouter.linklocal.configclient;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the config API is and how to talk to it.
 *
 * <p>TLS: an {@code https} base URI verifies the server against {@code caCertFile} (PEM, one or
 * more certificates) or, when that is null, the JVM's default trust store. Verification is
 * switched off only by {@code insecure = true}, never implicitly (Contrail skips it silently
 * when no CA is configured; we do not).
 *
 * @param baseUri        e.g. {@code http://127.0.0.1:8082}; no trailing path
 * @param user           HTTP Basic user, or null to send no credentials
 * @param password       HTTP Basic password (null is treated as empty when {@code user} is set)
 * @param caCertFile     PEM CA bundle for https, or null for the JVM default trust store
 * @param insecure       accept any server certificate and host name (explicit opt-in only)
 * @param requestTimeout timeout of ordinary (non-watch) requests, also the connect timeout
 */
public record ConfigApiEndpoint(URI baseUri, String user, String password, Path caCertFile,
                                boolean insecure, Duration requestTimeout) {

    /** Ordinary requests answer in milliseconds; 10 s only guards against a hung server. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    public ConfigApiEndpoint {
        Objects.requireNonNull(baseUri, "baseUri");
        String scheme = baseUri.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("config API URI must be http or https: " + baseUri);
        }
        if (baseUri.getHost() == null) {
            throw new IllegalArgumentException("config API URI has no host: " + baseUri);
        }
        String s = baseUri.toString();
        if (s.endsWith("/")) {
            baseUri = URI.create(s.substring(0, s.length() - 1));
        }
        requestTimeout = requestTimeout == null ? DEFAULT_REQUEST_TIMEOUT : requestTimeout;
    }

    /** Plain http, no credentials: for tests and local tools. */
    public static ConfigApiEndpoint of(URI baseUri, String user, String password) {
        return new ConfigApiEndpoint(baseUri, user, password, null, false, null);
    }

    public boolean isTls() {
        return "https".equals(baseUri.getScheme());
    }

    @Override
    public String toString() {
        // Never the password: this string goes into logs and "source" descriptions.
        return baseUri + (user == null ? "" : " as " + user);
    }
}
