package io.vrouter.plumbing.stats;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fixed set of monotonic event counters, one per constant of the enum {@code E}: the counters
 * of a service held as one object instead of a run of {@code AtomicLong} fields.
 *
 * <p>Any thread may count and read; each counter is atomic on its own (a reader taking several
 * values may see one event counted and a later one not yet, as with separate fields). Counting
 * does not allocate. Counters only grow; they wrap past {@link Long#MAX_VALUE}, which at a
 * billion events a second takes 292 years.
 *
 * @param <E> the names of the counters; the enum's order is the storage order
 */
public final class Counters<E extends Enum<E>> {
    private final AtomicLongArray values;

    public Counters(Class<E> names) {
        this.values = new AtomicLongArray(names.getEnumConstants().length);
    }

    /** Counts one event of kind {@code name}. */
    public void increment(E name) {
        values.incrementAndGet(name.ordinal());
    }

    /** Counts {@code n} events of kind {@code name} at once ({@code n >= 0}). */
    public void add(E name, long n) {
        if (n < 0) {
            throw new IllegalArgumentException("counters only grow: " + name + " += " + n);
        }
        values.addAndGet(name.ordinal(), n);
    }

    /** Events of kind {@code name} counted so far. */
    public long get(E name) {
        return values.get(name.ordinal());
    }
}
