package io.vrouter.agent.dataplane;

import io.vrouter.agent.dataplane.io.FrameSelector;
import java.util.function.BooleanSupplier;
import org.agrona.concurrent.IdleStrategy;

/**
 * How the dataplane thread waits after a duty cycle that did nothing: an Agrona
 * {@link IdleStrategy} for its {@code AgentRunner} that sleeps in the {@link FrameSelector} over
 * every port's capture socket, so a frame on any port, or a {@link #wake()} from a thread that
 * handed it a command, ends the sleep at once.
 *
 * <p>After a cycle that did work, the next frame usually follows within microseconds (the rest of
 * a burst, the other direction of a round trip): for up to {@code busyPollNs} the thread polls the
 * selector without sleeping ({@code epoll_wait} with no timeout), spinning briefly and then
 * yielding. Then it sleeps for at most {@code idleParkNs} (so aging still runs that often).
 *
 * <h2>Wake-up without lost frames</h2>
 * Capture sockets are watched level-triggered: a frame waiting when the thread goes to sleep
 * ends the sleep at once. Commands and frames of I/Os without a socket (in-memory, tests) are
 * published first and then {@link #wake()} writes the selector's eventfd, which stays readable
 * until a select consumes it: a wake-up between the producer's publish and the thread's sleep
 * ends that sleep.
 */
final class DataplaneIdleStrategy implements IdleStrategy {
    /** Busy-poll iterations that only spin ({@link Thread#onSpinWait}) before yielding instead. */
    private static final int BUSY_POLL_SPINS = 64;

    private final FrameSelector selector;
    private final BooleanSupplier hasWork;
    private final int idleParkMs;
    private final long busyPollNs;
    private long lastWorkNs = System.nanoTime();

    /**
     * @param selector   the dataplane's selector
     * @param hasWork    true when a command waits (cheap, no system call)
     * @param idleParkNs longest sleep, rounded up to whole milliseconds (epoll's unit)
     * @param busyPollNs how long to poll awake after the last cycle that did work; 0: sleep at once
     */
    DataplaneIdleStrategy(FrameSelector selector, BooleanSupplier hasWork, long idleParkNs, long busyPollNs) {
        this.selector = selector;
        this.hasWork = hasWork;
        this.idleParkMs = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (idleParkNs + 999_999) / 1_000_000));
        this.busyPollNs = busyPollNs;
    }

    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            if (busyPollNs > 0) {
                lastWorkNs = System.nanoTime();
            }
            return;
        }
        if (busyPollNs > 0 && busyPoll(lastWorkNs + busyPollNs)) {
            return; // something arrived while polling: no sleep and wake-up for it
        }
        idle();
    }

    /** Sleeps until a frame or a wake-up, or for at most {@code idleParkNs}. */
    @Override
    public void idle() {
        if (!hasWork.getAsBoolean()) {
            selector.select(idleParkMs);
        }
    }

    @Override
    public void reset() {
        lastWorkNs = System.nanoTime();
    }

    @Override
    public String alias() {
        return "dataplane";
    }

    /** Producers, after publishing: ends the dataplane thread's sleep, or the next one. Any thread. */
    void wake() {
        selector.wake();
    }

    private boolean busyPoll(long deadlineNs) {
        for (int i = 0; ; i++) {
            if (hasWork.getAsBoolean() || selector.select(0) > 0 || selector.woken()) {
                return true;
            }
            if (System.nanoTime() - deadlineNs >= 0) {
                return false;
            }
            if (i < BUSY_POLL_SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }
}
