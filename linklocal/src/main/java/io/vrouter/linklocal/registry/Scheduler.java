package io.vrouter.linklocal.registry;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's single writer thread: every change of registry state runs as a task here, one
 * at a time, in submission order. An interface so that tests drive time and ordering by hand.
 */
public interface Scheduler extends AutoCloseable {

    /** Runs {@code task} on the writer thread, after the tasks submitted before it. */
    void execute(Runnable task);

    /**
     * Runs {@code task} on the writer thread after {@code initialDelayNs}, then again
     * {@code delayNs} after each run ends, until cancelled.
     */
    Cancellable scheduleWithFixedDelay(Runnable task, long initialDelayNs, long delayNs);

    /** Stops the thread; pending tasks are dropped. */
    @Override
    void close();

    /** A periodic task's handle. */
    @FunctionalInterface
    interface Cancellable {
        void cancel();
    }

    /** A daemon thread named {@code threadName}, backed by a {@link ScheduledThreadPoolExecutor}. */
    static Scheduler singleThread(String threadName) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return new ExecutorScheduler(executor);
    }

    /** Adapts a single-threaded {@link ScheduledExecutorService}; a task's exception is logged, not fatal. */
    final class ExecutorScheduler implements Scheduler {
        private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
        private final ScheduledExecutorService executor;

        /** @param executor must run one task at a time (a single thread) */
        public ExecutorScheduler(ScheduledExecutorService executor) {
            this.executor = executor;
        }

        @Override
        public void execute(Runnable task) {
            executor.execute(guarded(task));
        }

        @Override
        public Cancellable scheduleWithFixedDelay(Runnable task, long initialDelayNs, long delayNs) {
            // An exception escaping a periodic task would silently cancel it: guard every run.
            ScheduledFuture<?> f = executor.scheduleWithFixedDelay(guarded(task), initialDelayNs, delayNs,
                    TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        }

        @Override
        public void close() {
            executor.shutdownNow();
        }

        private static Runnable guarded(Runnable task) {
            return () -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.error("link-local registry task failed", e);
                }
            };
        }
    }
}
