package io.vrouter.flow;

/**
 * A fast path outside the table that forwards some flows' packets itself (the agent's in-kernel
 * fast path for established link-local TCP flows). The table no longer sees those packets, so
 * before aging expires a pair with an {@link FlowFlags#OFFLOADED} half it asks what the fast path
 * forwarded (which refreshes the pair's last-seen and counters), and it says when such a flow is
 * deleted, so the fast path forgets it in the same step.
 *
 * <p>Called on the table's writer thread only, from {@link FlowTable#age} and every delete path;
 * implementations must not call back into the table except its writer-thread readers
 * ({@link FlowTable#key}).
 */
public interface FlowOffload {
    /**
     * Writes the packets ({@code into[0]}) and bytes ({@code into[1]}) the fast path forwarded for
     * flow {@code handle} since the last call; 0 and 0 when it forwarded none or does not know it.
     */
    void drain(long handle, long[] into);

    /** Flow {@code handle} is being deleted (its key still readable): forget it. */
    void removed(long handle);
}
