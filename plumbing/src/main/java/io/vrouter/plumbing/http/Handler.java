package io.vrouter.plumbing.http;

import java.util.function.BiFunction;

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

    /** A handler body that may also throw one checked exception of the service's own. */
    @FunctionalInterface
    interface Throwing<E extends Exception> {
        Response handle(Request request) throws E, HttpError;
    }

    /**
     * A handler that answers the service's own exception {@code E} (a refused port, an
     * unavailable store) as the {@link HttpError} {@code toError} makes of it and the request.
     */
    static <E extends Exception> Handler translating(Class<E> type, BiFunction<Request, ? super E, HttpError> toError,
            Throwing<E> body) {
        return req -> {
            try {
                return body.handle(req);
            } catch (HttpError | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                if (type.isInstance(e)) {
                    throw toError.apply(req, type.cast(e));
                }
                throw new IllegalStateException("undeclared checked exception", e);
            }
        };
    }
}
