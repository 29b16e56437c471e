package io.vrouter.agent.dataplane;

import java.lang.invoke.VarHandle;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.IdleStrategy;

/**
 * How the dataplane thread waits after a duty cycle that did nothing: an Agrona
 * {@link IdleStrategy} for its {@code AgentRunner}, woken at once by the threads that hand it work.
 *
 * <p>After a cycle that did work, the next frame usually follows within microseconds (the rest of
 * a burst, the other direction of a round trip): for up to {@code busyPollNs} the thread waits for
 * it awake, spinning briefly and then yielding, without a full duty cycle. Then it parks for at
 * most {@code idleParkNs} (so aging still runs that often). Agrona's own strategies park for a
 * fixed or growing time and have no way to be woken early, which would add up to
 * {@code idleParkNs} to a guest's first packet after a quiet spell.
 *
 * <h2>Wake-up without lost frames</h2>
 * The dataplane thread sets {@code sleeping} (volatile), re-checks every queue, then parks. A
 * producer publishes its frame or command and then calls {@link #wake()}, which issues a full
 * fence before it reads {@code sleeping}: Agrona's queues publish with a release store, which a
 * later load may overtake, so without the fence the producer could read a stale {@code false}
 * while the dataplane thread, not yet seeing the frame, parks. With it, either the dataplane
 * thread sees the frame or the producer sees the flag and unparks it. A producer unparks only a
 * parked thread, so a busy dataplane takes frames without a park/unpark each.
 */
final class DataplaneIdleStrategy implements IdleStrategy {
    /** Busy-poll iterations that only spin ({@link Thread#onSpinWait}) before yielding instead. */
    private static final int BUSY_POLL_SPINS = 64;

    private final BooleanSupplier hasWork;
    private final long idleParkNs;
    private final long busyPollNs;
    private long lastWorkNs = System.nanoTime();
    private volatile boolean sleeping;
    private volatile Thread sleeper;

    /**
     * @param hasWork    true when a queue holds a frame or a command (any thread, lock-free)
     * @param idleParkNs longest park
     * @param busyPollNs how long to poll awake after the last cycle that did work; 0: park at once
     */
    DataplaneIdleStrategy(BooleanSupplier hasWork, long idleParkNs, long busyPollNs) {
        this.hasWork = hasWork;
        this.idleParkNs = idleParkNs;
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
            return; // something arrived while polling: no park/unpark for it
        }
        idle();
    }

    /** Parks until woken, or for at most {@code idleParkNs}. */
    @Override
    public void idle() {
        if (sleeper == null) {
            sleeper = Thread.currentThread();
        }
        sleeping = true;
        if (!hasWork.getAsBoolean()) {
            LockSupport.parkNanos(this, idleParkNs);
        }
        sleeping = false;
    }

    @Override
    public void reset() {
        lastWorkNs = System.nanoTime();
    }

    @Override
    public String alias() {
        return "dataplane";
    }

    /** Producers, after publishing: unparks the dataplane thread if it sleeps (see the class comment). */
    void wake() {
        VarHandle.fullFence();
        if (sleeping) {
            unpark();
        }
    }

    /** Unparks the dataplane thread whatever it is doing (close). */
    void unpark() {
        Thread t = sleeper;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private boolean busyPoll(long deadlineNs) {
        for (int i = 0; ; i++) {
            if (hasWork.getAsBoolean()) {
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
