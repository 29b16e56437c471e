package io.vrouter.provision.auth;

/**
 * Checks the {@code Authorization} header of a request. Implementations may block (a password
 * hash costs tens of milliseconds by design), so callers run them off I/O threads.
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

    /** False when every request is let through (no credentials file configured). */
    boolean enabled();
}
