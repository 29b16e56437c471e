package io.vrouter.flow;

import io.vrouter.drop.DropReason;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded HOLD queues of a {@link FlowTable}: one queue of at most {@code holdQueueLength}
 * packets per flow in HOLD, at most {@code maxHoldFlows} queues. A HOLD entry keeps its queue's
 * slot number in its LINK word. All arrays are allocated once; slots are recycled through a stack.
 *
 * <p>Writer thread only, except {@link #flowCount()} (any thread).
 *
 * @param <P> the caller's packet type
 */
final class HoldQueues<P> {
    private final HeldPacketSink<? super P> sink;
    private final DropCounters drops;
    private final int queueLength;
    private final int maxFlows;
    private final Object[] packets;
    private final byte[] lengths;
    private final int[] free;
    private int freeTop;
    /** Flows in HOLD: written by the writer with opaque stores, read by any thread. */
    private final AtomicInteger flows = new AtomicInteger();

    HoldQueues(int maxFlows, int queueLength, HeldPacketSink<? super P> sink, DropCounters drops) {
        this.sink = sink;
        this.drops = drops;
        this.queueLength = queueLength;
        this.maxFlows = maxFlows;
        packets = new Object[Math.max(1, maxFlows * queueLength)];
        lengths = new byte[maxFlows];
        free = new int[maxFlows];
        for (int i = 0; i < maxFlows; i++) {
            free[i] = maxFlows - 1 - i;
        }
        freeTop = maxFlows;
    }

    /** Whether every queue is taken (a new HOLD flow is refused with HOLD_LIMIT). */
    boolean full() {
        return flows.getPlain() >= maxFlows;
    }

    /** Takes an empty queue for a new HOLD flow; the caller checked {@link #full()}. */
    int acquire() {
        int g = free[--freeTop];
        lengths[g] = 0;
        flows.setOpaque(flows.getPlain() + 1);
        return g;
    }

    /** Appends a packet to queue {@code g}; when it is full, counts HOLD_QUEUE_FULL and returns false. */
    boolean offer(int g, P packet) {
        int n = lengths[g];
        if (n >= queueLength) {
            drops.count(DropReason.HOLD_QUEUE_FULL.code());
            return false;
        }
        packets[g * queueLength + n] = packet;
        lengths[g] = (byte) (n + 1);
        return true;
    }

    /**
     * Empties queue {@code g} and gives it back: with FORWARD or NAT each packet goes to the sink in
     * arrival order; otherwise each is counted as dropped under {@code dropReason} (or DROP_FLOW
     * when 0). The flow's state is final before this runs, so the sink may read the flow.
     */
    void release(int g, long handle, int action, int dropReason) {
        flows.setOpaque(flows.getPlain() - 1);
        boolean deliver = action == FlowAction.FORWARD || action == FlowAction.NAT;
        int n = lengths[g];
        lengths[g] = 0;
        int base = g * queueLength;
        for (int i = 0; i < n; i++) {
            @SuppressWarnings("unchecked")
            P p = (P) packets[base + i];
            packets[base + i] = null;
            if (deliver) {
                sink.release(p, handle, action);
            } else {
                drops.countFlowDrop(dropReason);
            }
        }
        free[freeTop++] = g;
    }

    /** Flows in HOLD. Any thread. */
    int flowCount() {
        return flows.getOpaque();
    }

    /** Heap bytes of the queue arrays (excluding the held packets themselves). */
    long memoryBytes() {
        return 4L * (packets.length + free.length) + lengths.length;
    }
}
