package io.vrouter.provision.store;

/** A compare-and-swap write named a revision that is no longer the current one. */
public final class StaleRevisionException extends StoreException {
    private static final long serialVersionUID = 1L;
    private final Conflict conflict;

    public StaleRevisionException(long expected, long current) {
        this(new Conflict(expected, current));
    }

    private StaleRevisionException(Conflict conflict) {
        super(conflict.message());
        this.conflict = conflict;
    }

    /** The revision the write named and the one the store had. */
    public Conflict conflict() {
        return conflict;
    }

    /**
     * The two revisions of a lost compare-and-swap.
     *
     * @param expected the revision the write named
     * @param current  the revision the store had instead
     */
    public record Conflict(long expected, long current) {
        /** {@code revision 3 is stale; current is 5}: the text a 412 answer carries. */
        public String message() {
            return "revision " + expected + " is stale; current is " + current;
        }
    }
}
