package io.vrouter.provision.auth;

/**
 * Checks the credentials of a request: the {@code Authorization} header (HTTP Basic) or the
 * {@code X-Auth-Token} header (Keystone). Implementations may block (a password hash costs tens
 * of milliseconds by design, a Keystone validation one round trip), so callers run them off I/O
 * threads. An implementation that cannot decide (Keystone unreachable) throws
 * {@link AuthUnavailableException}, which the server answers with 503, not 401.
 */
public interface Authenticator {

    /** Accepts every request as {@link Principal#ANONYMOUS_ADMIN}: authentication switched off. */
    Authenticator NONE = new Authenticator() {
        @Override
        public Principal authenticate(String authorization) {
            return Principal.ANONYMOUS_ADMIN;
        }

        @Override
        public boolean enabled() {
            return false;
        }
    };

    /**
     * @param authorization the header value, or {@code null} when absent
     * @return the caller, or {@code null} when the credentials are missing, malformed or wrong
     */
    Principal authenticate(String authorization);

    /**
     * Both credential headers of a request; the server calls this one. By default only
     * {@code Authorization} counts.
     *
     * @param authorization the {@code Authorization} header value, or {@code null} when absent
     * @param authToken     the {@code X-Auth-Token} header value, or {@code null} when absent
     * @return the caller, or {@code null} when the credentials are missing, malformed or wrong
     */
    default Principal authenticate(String authorization, String authToken) {
        return authenticate(authorization);
    }

    /**
     * The caller when these credentials were verified recently and are still valid, answered
     * without blocking (no hash, no network); {@code null} when a full check is needed. Lets the
     * server accept known callers at once while failed attempts are throttled. By default none.
     */
    default Principal cached(String authorization, String authToken) {
        return null;
    }

    /** The user a request claims to be, for per-user throttling of failures; null when none is named. */
    default String claimedUser(String authorization, String authToken) {
        return null;
    }

    /** The {@code WWW-Authenticate} value of a 401 answer. */
    default String challenge() {
        return "Basic realm=\"config-api\"";
    }

    /** False when every request is let through (no credentials file configured). */
    boolean enabled();
}
