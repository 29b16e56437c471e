package io.vrouter.flow;

/**
 * Receives packets that waited in a HOLD queue once the agent resolved their flow to FORWARD or
 * NAT. Called on the dataplane (writer) thread, synchronously, from the {@link FlowTable} method
 * that set the action, in arrival order. The flow's state is final before the first call, so the
 * sink may read the flow (e.g. its NAT targets) and account the packet. Packets of flows resolved
 * to DROP, or deleted while held, are not passed here: they are counted per drop reason.
 *
 * @param <P> the caller's packet type
 */
@FunctionalInterface
public interface HeldPacketSink<P> {
    /**
     * @param packet a packet queued by {@link FlowTable#holdPacket(long, Object)}
     * @param handle the flow it matched
     * @param action the flow's action, {@link FlowAction#FORWARD} or {@link FlowAction#NAT}
     */
    void release(P packet, long handle, int action);

    /** A sink that discards (tests, or callers that do not queue packets). */
    static <P> HeldPacketSink<P> discard() {
        return (packet, handle, action) -> { };
    }
}
