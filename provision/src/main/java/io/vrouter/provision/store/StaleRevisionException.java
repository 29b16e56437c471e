package io.vrouter.provision.store;

/** A compare-and-swap write named a revision that is no longer the current one. */
public final class StaleRevisionException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final long expected;
    private final long current;

    public StaleRevisionException(long expected, long current) {
        super("revision " + expected + " is stale; current is " + current);
        this.expected = expected;
        this.current = current;
    }

    public long expected() {
        return expected;
    }

    public long current() {
        return current;
    }
}
