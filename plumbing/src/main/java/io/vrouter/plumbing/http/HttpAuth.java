package io.vrouter.plumbing.http;

/**
 * The server's authentication hook, run before routing on every request (on the handler's
 * executor, so it may block: a password hash takes tens of milliseconds by design).
 */
public interface HttpAuth {
    /**
     * @param authorization the {@code Authorization} header, or null when absent
     * @return who sent the request (handed to the handler as {@link Request#principal()}), or
     *         null to answer 401 with {@link #challenge()}
     */
    Object authenticate(String authorization);

    /** The {@code WWW-Authenticate} value of a 401, e.g. {@code Basic realm="config-api"}. */
    String challenge();
}
