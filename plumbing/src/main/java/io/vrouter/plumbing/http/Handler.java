package io.vrouter.plumbing.http;

/**
 * Answers one request. Runs on the server's event loop, or on its blocking-work executor when
 * the server has one; must not block in the first case.
 */
@FunctionalInterface
public interface Handler {
    /**
     * @return the answer, or {@link Response#DEFERRED} after {@link Request#defer()} to answer
     *         later through the returned {@link Deferred}
     * @throws HttpError to answer with the one error shape; any other exception is a 500
     */
    Response handle(Request request) throws HttpError;
}
