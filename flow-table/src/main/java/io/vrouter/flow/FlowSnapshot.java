package io.vrouter.flow;

import io.vrouter.drop.DropReason;

/**
 * A consistent copy of one flow entry, filled by {@link FlowTable#read(int, FlowSnapshot)} from any
 * thread (the seqlock guarantees every field comes from the same version of the entry). Mutable
 * and reusable: a reader keeps one and refills it while it walks the table.
 */
public final class FlowSnapshot extends FlowKeyFields {
    int index;
    int generation;
    int action;
    int flags;
    int dropReason;
    int tcpState;
    int reverseIndex;
    long packets;
    long bytes;
    int lastSeenTick;

    public int index() {
        return index;
    }

    public int generation() {
        return generation;
    }

    /** The handle of the flow this snapshot was taken from. */
    public long handle() {
        return FlowResult.handle(generation, index);
    }

    /** Copies the key into {@code into}; returns it. */
    public FlowKey key(FlowKey into) {
        into.fillWords(sip, dip, ports, protoNh);
        return into;
    }

    /** A {@link FlowAction} code. */
    public int action() {
        return action;
    }

    /** {@link FlowFlags} bits. */
    public int flags() {
        return flags;
    }

    /** The drop reason stored with a DROP flow, or {@code null}. */
    public DropReason dropReason() {
        return DropReason.ofCode(dropReason);
    }

    /** TCP flags seen, as {@link FlowRecord#TCP_FIN}.. bits. */
    public int tcpState() {
        return tcpState;
    }

    /** Index of the partner flow, or -1. */
    public int reverseIndex() {
        return reverseIndex;
    }

    public long packets() {
        return packets;
    }

    public long bytes() {
        return bytes;
    }

    /** Last-seen time in {@link FlowRecord#TICK_SHIFT ticks} (wrapping 32-bit). */
    public int lastSeenTick() {
        return lastSeenTick;
    }

    @Override
    public String toString() {
        return "flow#" + index + "/gen" + generation + " " + keyString() + " " + FlowAction.name(action)
                + (dropReason != 0 ? "(" + dropReason() + ")" : "") + " flags=" + FlowFlags.describe(flags)
                + " rflow=" + reverseIndex + " packets=" + packets + " bytes=" + bytes;
    }
}
