package io.vrouter.agent.dataplane;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * Commands from other threads (port-IPC, dataplane-control, tests) to the dataplane thread, each
 * answered with a future: the only way another thread changes the dataplane's state. Any thread
 * submits; the dataplane thread runs a bounded number per cycle.
 */
final class ControlQueue {
    private final ConcurrentLinkedQueue<Command<?>> commands = new ConcurrentLinkedQueue<>();
    private volatile boolean closed;

    /**
     * Queues {@code body}. After {@link #close()} the future fails at once with
     * {@link IllegalStateException} (also when the close raced with this call).
     */
    <T> CompletableFuture<T> submit(Supplier<T> body) {
        Command<T> c = new Command<>(body);
        if (closed) {
            c.fail();
            return c.future;
        }
        commands.add(c);
        if (closed && commands.remove(c)) {
            c.fail();
        }
        return c.future;
    }

    /** Dataplane thread: runs up to {@code budget} commands. @return commands run */
    int run(int budget) {
        int n = 0;
        for (; n < budget; n++) {
            Command<?> c = commands.poll();
            if (c == null) {
                break;
            }
            c.run();
        }
        return n;
    }

    /** Any thread, lock-free. */
    boolean isEmpty() {
        return commands.isEmpty();
    }

    /** Refuses new commands and fails the queued ones. */
    void close() {
        closed = true;
        Command<?> c;
        while ((c = commands.poll()) != null) {
            c.fail();
        }
    }

    private static final class Command<T> {
        final Supplier<T> body;
        final CompletableFuture<T> future = new CompletableFuture<>();

        Command(Supplier<T> body) {
            this.body = body;
        }

        void run() {
            try {
                future.complete(body.get());
            } catch (Throwable t) {
                future.completeExceptionally(t);
            }
        }

        void fail() {
            future.completeExceptionally(new IllegalStateException("dataplane closed"));
        }
    }
}
