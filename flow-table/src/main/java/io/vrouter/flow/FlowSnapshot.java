package io.vrouter.flow;

import io.vrouter.drop.DropReason;

/**
 * A consistent copy of one flow entry, filled by {@link FlowTable#read(int, FlowSnapshot)} from any
 * thread (the seqlock guarantees every word comes from the same version of the entry). Mutable
 * and reusable: a reader keeps one and refills it while it walks the table. Holds the entry's
 * words as the record has them; the accessors decode them through {@link FlowRecord}.
 */
public final class FlowSnapshot extends FlowKeyFields {
    int index;
    int generation;
    int state;
    int link;
    int lastSeenTick;
    int packetsLo;
    int bytesLo;
    int countersHi;

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

    /**
     * Copies the key into {@code into}; returns it.
     *
     * @throws IllegalStateException for an IPv6 flow, whose words hold address ids: use
     *                               {@link FlowTable#key(long, FlowKey)} on the writer thread
     */
    public FlowKey key(FlowKey into) {
        if (isIpv6()) {
            throw new IllegalStateException("IPv6 flow " + index + ": its key holds address ids; use FlowTable.key");
        }
        into.set(nh(), proto(), sip, dip, sport(), dport());
        return into;
    }

    /** A {@link FlowAction} code. */
    public int action() {
        return FlowRecord.action(state);
    }

    /** {@link FlowFlags} bits. */
    public int flags() {
        return FlowRecord.flags(state);
    }

    /** The drop reason stored with a DROP flow, or {@code null}. */
    public DropReason dropReason() {
        return DropReason.ofCode(FlowRecord.dropReason(state));
    }

    /** TCP flags seen, as {@link FlowRecord#TCP_FIN}.. bits. */
    public int tcpState() {
        return FlowRecord.tcpState(state);
    }

    /** Index of the partner flow, or -1 (LINK holds a hold-queue slot while in HOLD). */
    public int reverseIndex() {
        return action() == FlowAction.HOLD ? FlowEntries.NONE : link;
    }

    /** Packets counted (40 bits, wrapping). */
    public long packets() {
        return FlowRecord.packets(packetsLo, countersHi);
    }

    /** Bytes counted (56 bits, wrapping). */
    public long bytes() {
        return FlowRecord.bytes(bytesLo, countersHi);
    }

    /** Last-seen time in {@link FlowRecord#TICK_SHIFT ticks} (wrapping 32-bit). */
    public int lastSeenTick() {
        return lastSeenTick;
    }

    @Override
    public String toString() {
        DropReason reason = dropReason();
        return "flow#" + index + "/gen" + generation + " " + keyString() + " " + FlowAction.name(action())
                + (reason != null ? "(" + reason + ")" : "") + " flags=" + FlowFlags.describe(flags())
                + " rflow=" + reverseIndex() + " packets=" + packets() + " bytes=" + bytes();
    }
}
