package io.vrouter.plumbing.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

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

    /**
     * The same decision, possibly later: an implementation that must block (a password hash, an
     * identity service) answers with a stage completed on its own threads, so the server's
     * threads never wait. While it is pending the server reads no further request from that
     * connection. A stage failing with an {@link HttpError} is answered with that error. By
     * default, {@link #authenticate} at once.
     */
    default CompletionStage<Object> authenticateAsync(Request req) {
        try {
            return CompletableFuture.completedFuture(authenticate(req));
        } catch (HttpError e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The {@code WWW-Authenticate} value of a 401, e.g. {@code Basic realm="config-api"}. */
    String challenge();
}
