package io.vrouter.plumbing.http;

import io.netty.util.concurrent.EventExecutor;

/**
 * A request whose answer comes later (a long poll). Holds no thread: the handler keeps this
 * object and calls {@link #reply} once, from any thread; a reply after the connection closed
 * is dropped.
 */
public interface Deferred {
    /** The executor the request was handled on, for timeouts and the reply's own work. */
    EventExecutor executor();

    /** Sends the answer; only the first call counts. */
    void reply(Response response);

    /** Runs {@code action} when the connection closes (at once when it already has). */
    void onClose(Runnable action);
}
