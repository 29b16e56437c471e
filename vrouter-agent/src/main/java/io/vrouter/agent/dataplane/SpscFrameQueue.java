package io.vrouter.agent.dataplane;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A bounded, lock-free single-producer/single-consumer queue of frames: one interface's capture
 * thread offers, the dataplane thread polls. Replaces {@code ArrayBlockingQueue}, whose lock the
 * dataplane thread took on every poll and every has-work check, even on an empty queue,
 * contending with the capture thread's offer.
 *
 * <p>The capacity is exact (a queue of capacity 3 takes 3 frames and refuses the 4th); the ring
 * underneath is the next power of two, indexed with a mask. Head and tail are monotonically
 * increasing {@code long} counters: {@code tail - head} is the number of frames queued.
 *
 * <p>Memory ordering: the producer writes the slot, then publishes {@code tail + 1} (a volatile
 * store, so a later read of the dataplane thread's sleeping flag cannot move before it: see
 * {@link Dataplane} wake-up); the consumer reads {@code tail} with acquire, takes the slot,
 * clears it and publishes {@code head + 1} with release, so the producer reuses a slot only
 * after the consumer has let go of it. Each side caches the other's counter and re-reads it only
 * when the cache says full (producer) or empty (consumer). Head and tail sit on different cache
 * lines (padding by inheritance, as Agrona's queues do).
 *
 * <p>Thread rules: {@link #offer} from one producer thread at a time; {@link #poll} and
 * {@link #drain} from one consumer thread at a time; {@link #isEmpty} and {@link #size} from any
 * thread (a snapshot).
 */
final class SpscFrameQueue extends SpscTailFields {
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(SpscHeadFields.class, "head", long.class);
            TAIL = l.findVarHandle(SpscTailFields.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final byte[][] ring;
    private final int mask;
    private final int capacity;

    /** @param capacity frames the queue holds, 1 to 2^30 */
    SpscFrameQueue(int capacity) {
        if (capacity < 1 || capacity > (1 << 30)) {
            throw new IllegalArgumentException("capacity must be in [1, 2^30], got " + capacity);
        }
        int size = Integer.highestOneBit(capacity);
        if (size < capacity) {
            size <<= 1;
        }
        this.ring = new byte[size][];
        this.mask = size - 1;
        this.capacity = capacity;
    }

    int capacity() {
        return capacity;
    }

    /**
     * Producer: queues {@code frame}.
     *
     * @return false when the queue holds {@link #capacity()} frames (the frame is not queued)
     */
    boolean offer(byte[] frame) {
        long t = tail; // only this thread writes tail
        if (t - headCache >= capacity) {
            headCache = (long) HEAD.getAcquire(this);
            if (t - headCache >= capacity) {
                return false;
            }
        }
        ring[(int) t & mask] = frame;
        TAIL.setVolatile(this, t + 1);
        return true;
    }

    /** Consumer: the oldest frame, or null when empty. */
    byte[] poll() {
        long h = head; // only this thread writes head
        if (h >= tailCache) {
            tailCache = (long) TAIL.getAcquire(this);
            if (h >= tailCache) {
                return null;
            }
        }
        int i = (int) h & mask;
        byte[] f = ring[i];
        ring[i] = null;
        HEAD.setRelease(this, h + 1);
        return f;
    }

    /** Consumer: drops every queued frame. @return frames dropped */
    int drain() {
        int n = 0;
        while (poll() != null) {
            n++;
        }
        return n;
    }

    /** Any thread: true when no frame is queued (a volatile read of both counters, no lock). */
    boolean isEmpty() {
        return (long) HEAD.getVolatile(this) >= (long) TAIL.getVolatile(this);
    }

    /** Any thread: frames queued (a snapshot). */
    int size() {
        long h = (long) HEAD.getVolatile(this);
        long t = (long) TAIL.getVolatile(this);
        return (int) Math.max(0, Math.min(capacity, t - h));
    }
}

// Field layout of SpscFrameQueue: head (the consumer's) and tail (the producer's) on separate cache lines.
@SuppressWarnings("unused")
abstract class SpscPad0 {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p08, p09, p10, p11, p12, p13, p14, p15;
}

abstract class SpscHeadFields extends SpscPad0 {
    /** Consumer: next index to take. */
    volatile long head;
    /** Consumer's cached copy of tail. */
    long tailCache;
}

@SuppressWarnings("unused")
abstract class SpscPad1 extends SpscHeadFields {
    long q00, q01, q02, q03, q04, q05, q06, q07;
    long q08, q09, q10, q11, q12, q13, q14, q15;
}

abstract class SpscTailFields extends SpscPad1 {
    /** Producer: next index to fill. */
    volatile long tail;
    /** Producer's cached copy of head. */
    long headCache;
}
