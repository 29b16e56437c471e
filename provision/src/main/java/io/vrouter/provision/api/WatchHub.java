package io.vrouter.provision.api;

import io.vrouter.linklocal.config.VersionedConfig;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The long-poll waiters of {@code GET /watch/global-vrouter-config}. A waiter is an entry in a
 * set plus one scheduled timeout on its channel's executor — no thread per waiter — so
 * thousands of agents can hold a watch at once.
 *
 * <p>The hub is a store listener: each new revision completes every waiter whose
 * {@code since} is below it, on the waiter's own executor. Every waiter completes exactly once:
 * with a revision, with its timeout, or silently when its connection closes first
 * ({@link Waiter#cancel()}).
 *
 * <table>
 *   <caption>Limits</caption>
 *   <tr><td>{@link #DEFAULT_MAX_WAITERS}</td><td>10000 concurrent watches; one more is refused
 *       (the caller answers 503) rather than growing without bound</td></tr>
 * </table>
 */
final class WatchHub implements Consumer<VersionedConfig> {
    static final int DEFAULT_MAX_WAITERS = 10_000;

    /** What a completed waiter does: {@code null} means its timeout passed with no change. */
    interface Completion {
        void complete(VersionedConfig changed);
    }

    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
    private final AtomicInteger count = new AtomicInteger();
    private final int maxWaiters;
    private volatile VersionedConfig latest;

    WatchHub(int maxWaiters) {
        this.maxWaiters = maxWaiters;
    }

    /** The newest revision seen (from the store listener or {@link #offer}); may be null. */
    VersionedConfig latest() {
        return latest;
    }

    /** Records a revision read directly from the store, waking waiters it satisfies. */
    void offer(VersionedConfig v) {
        accept(v);
    }

    @Override
    public void accept(VersionedConfig v) {
        synchronized (this) {
            VersionedConfig prev = latest;
            if (prev != null && prev.revision() >= v.revision()) {
                return;
            }
            latest = v;
        }
        for (Waiter w : waiters) {
            if (w.since < v.revision()) {
                w.fire(v);
            }
        }
    }

    int waiting() {
        return count.get();
    }

    /**
     * Holds a watch until a revision above {@code since} is seen or {@code timeoutMs} passes.
     *
     * @return the waiter (to cancel when the connection closes), or {@code null} when the
     *         limit of concurrent watches is reached
     */
    Waiter await(long since, long timeoutMs, EventExecutor executor, Completion completion) {
        if (count.incrementAndGet() > maxWaiters) {
            count.decrementAndGet();
            return null;
        }
        Waiter w = new Waiter(since, executor, completion);
        waiters.add(w);
        w.timeout = executor.schedule(() -> w.fire(null), timeoutMs, TimeUnit.MILLISECONDS);
        // A write may have landed between the caller's check and add(): look again.
        VersionedConfig now = latest;
        if (now != null && now.revision() > since) {
            w.fire(now);
        }
        return w;
    }

    /** One held watch request. */
    final class Waiter {
        private final long since;
        private final EventExecutor executor;
        private final Completion completion;
        private final AtomicBoolean done = new AtomicBoolean();
        private volatile ScheduledFuture<?> timeout;

        private Waiter(long since, EventExecutor executor, Completion completion) {
            this.since = since;
            this.executor = executor;
            this.completion = completion;
        }

        private void fire(VersionedConfig v) {
            if (finish()) {
                executor.execute(() -> completion.complete(v));
            }
        }

        /** The connection went away: forget the waiter without answering. */
        void cancel() {
            finish();
        }

        private boolean finish() {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            waiters.remove(this);
            count.decrementAndGet();
            ScheduledFuture<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
            return true;
        }
    }
}
