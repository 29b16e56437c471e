package io.vrouter.linklocal.registry;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

/**
 * A deterministic {@link Scheduler} for tests: a clock that only moves in {@link #advance}, and
 * tasks run on the calling thread. A task submitted while another runs is queued behind it
 * (never nested), as on a real single-threaded executor. Shared through linklocal's test-jar
 * with the agent's tests.
 */
public final class ManualScheduler implements Scheduler {
    private final Deque<Runnable> ready = new ArrayDeque<>();
    private final List<Timer> timers = new ArrayList<>();
    private long nowNs;
    private long sequence;
    private boolean running;
    private boolean closed;

    private static final class Timer {
        final Runnable task;
        final long delayNs;
        final long seq;
        long dueNs;
        boolean cancelled;

        Timer(Runnable task, long dueNs, long delayNs, long seq) {
            this.task = task;
            this.dueNs = dueNs;
            this.delayNs = delayNs;
            this.seq = seq;
        }
    }

    @Override
    public void execute(Runnable task) {
        if (closed) {
            throw new RejectedExecutionException("closed");
        }
        ready.add(task);
        drain();
    }

    @Override
    public Cancellable scheduleWithFixedDelay(Runnable task, long initialDelayNs, long delayNs) {
        Timer t = new Timer(task, nowNs + initialDelayNs, delayNs, sequence++);
        timers.add(t);
        return () -> t.cancelled = true;
    }

    /** Moves the clock forward, running every timer that falls due on the way, in time order. */
    public void advance(Duration d) {
        long target = nowNs + d.toNanos();
        while (true) {
            Timer next = timers.stream()
                    .filter(t -> !t.cancelled && t.dueNs <= target)
                    .min(Comparator.<Timer>comparingLong(t -> t.dueNs).thenComparingLong(t -> t.seq))
                    .orElse(null);
            if (next == null) {
                break;
            }
            nowNs = next.dueNs;
            execute(next.task);
            next.dueNs = nowNs + next.delayNs;
        }
        nowNs = target;
    }

    public long nowNs() {
        return nowNs;
    }

    public int activeTimers() {
        return (int) timers.stream().filter(t -> !t.cancelled).count();
    }

    @Override
    public void close() {
        closed = true;
    }

    private void drain() {
        if (running) {
            return;
        }
        running = true;
        try {
            Runnable r;
            while ((r = ready.poll()) != null) {
                r.run();
            }
        } finally {
            running = false;
        }
    }
}
