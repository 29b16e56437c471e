package io.vrouter.plumbing.http;

/**
 * The server's authentication hook, run before routing on every request (on the handler's
 * executor, so it may block: a password hash takes tens of milliseconds by design).
 */
public interface HttpAuth {
    /**
     * @param req the request as received (its credential headers: {@code Authorization},
     *            {@code X-Auth-Token}, ...)
     * @return who sent the request (handed to the handler as {@link Request#principal()}), or
     *         null to answer 401 with {@link #challenge()}
     * @throws HttpError when the hook cannot decide (e.g. 503: the identity service is down)
     */
    Object authenticate(Request req) throws HttpError;

    /** The {@code WWW-Authenticate} value of a 401, e.g. {@code Basic realm="config-api"}. */
    String challenge();
}
