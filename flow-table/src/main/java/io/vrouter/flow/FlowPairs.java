package io.vrouter.flow;

import static io.vrouter.flow.FlowRecord.LINK;
import static io.vrouter.flow.FlowRecord.STATE;
import static io.vrouter.flow.FlowRecord.STRIDE;

import io.vrouter.drop.DropReason;
import java.util.Objects;

/**
 * The life cycle of a flow pair in a {@link FlowTable}: a HOLD flow for a new flow's first packet,
 * the agent's answer installing the reverse flow and resolving the HOLD (NAT flags derived, held
 * packets released through {@link HoldQueues}), DROP with a reason, and deletion of both halves.
 * Checks the limits ({@link FlowLimits}) before anything is written; results and refusals are
 * the {@link FlowResult} codes documented on {@link FlowTable}. Writer thread only.
 *
 * @param <P> the caller's packet type
 */
final class FlowPairs<P> {
    private static final int NONE = FlowEntries.NONE;
    private static final int TCP = 6;
    private final OffloadSync offloads;

    private final FlowEntries entries;
    private final int[] rec;
    private final FlowHashIndex index;
    private final HoldQueues<P> hold;
    private final FlowLimits limits;
    private final DropCounters drops;
    private final FlowAddresses6 addresses;
    /** Result of {@link #admit} when nothing refuses the new flow. */
    private static final long ADMITTED = 0;

    FlowPairs(FlowEntries entries, FlowHashIndex index, HoldQueues<P> hold, FlowLimits limits, DropCounters drops,
              FlowAddresses6 addresses, OffloadSync offloads) {
        this.addresses = addresses;
        this.offloads = offloads;
        this.entries = entries;
        this.rec = entries.rec;
        this.index = index;
        this.hold = hold;
        this.limits = limits;
        this.drops = drops;
    }

    /** See {@link FlowTable#addHold(int, int, int, int, int, int, int, long)}. */
    long addHold(int nh, int proto, int sip, int dip, int sport, int dport, int tcpFlags, long nowNs) {
        if (!FlowRecord.packable(proto, sport, dport) || nh < 0) {
            return FlowResult.BAD_KEY;
        }
        long refused = admit(nh, proto, tcpFlags, nowNs);
        if (refused != ADMITTED) {
            return refused;
        }
        return insertHold(nh, sip, dip, FlowRecord.ports(sport, dport), FlowRecord.protoNh(proto, nh), nowNs);
    }

    /** {@link #addHold} of an IPv4 key object, whose words are packed and checked already. */
    long addHold(FlowKey k, int tcpFlags, long nowNs) {
        int nh = k.nh();
        long refused = admit(nh, k.proto(), tcpFlags, nowNs);
        if (refused != ADMITTED) {
            return refused;
        }
        return insertHold(nh, k.sip, k.dip, k.ports, k.protoNh, nowNs);
    }

    /** See {@link FlowTable#addHold6}: {@link #addHold} with the two addresses interned first. */
    long addHold6(int nh, int proto, long sHi, long sLo, long dHi, long dLo, int sport, int dport, int tcpFlags,
                  long nowNs) {
        if (!FlowRecord.packable(proto, sport, dport) || nh < 0) {
            return FlowResult.BAD_KEY;
        }
        long refused = admit(nh, proto, tcpFlags, nowNs);
        if (refused != ADMITTED) {
            return refused;
        }
        long ids = addresses.acquirePair(sHi, sLo, dHi, dLo);
        if (ids == FlowAddresses6.NONE) {
            return refuse(DropReason.IPV6_ADDRESS_TABLE_FULL);
        }
        long h = insertHold(nh, FlowAddresses6.sourceId(ids), FlowAddresses6.destinationId(ids),
                FlowRecord.ports(sport, dport), FlowRecord.protoNh6(proto, nh), nowNs);
        if (!FlowResult.isHandle(h)) {
            addresses.releasePair(ids);
        }
        return h;
    }

    /**
     * The checks of a new flow with a valid key before anything is written: {@link #ADMITTED} or
     * the refusal.
     */
    private long admit(int nh, int proto, int tcpFlags, long nowNs) {
        if (!limits.knownInterface(nh)) {
            return refuse(DropReason.UNKNOWN_INTERFACE);
        }
        if (proto == TCP && !FlowRecord.startsConnection(tcpFlags)) {
            return refuse(DropReason.TCP_NOT_SYN);
        }
        if (!limits.admitsNewFlow(nh, nowNs)) {
            return refuse(DropReason.NEW_FLOW_RATE_LIMIT);
        }
        if (hold.full()) {
            return refuse(DropReason.HOLD_LIMIT);
        }
        if (!entries.hasFree()) {
            return refuse(DropReason.FLOW_TABLE_FULL);
        }
        if (!limits.allowsOneMore(nh)) {
            return refuse(DropReason.VM_FLOW_LIMIT);
        }
        return ADMITTED;
    }

    /** Inserts an admitted HOLD flow with its packed key (IPv6: ids, referenced by the caller). */
    private long insertHold(int nh, int sip, int dip, int ports, int protoNh, long nowNs) {
        int pos = index.probeForInsert(sip, dip, ports, protoNh);
        if (pos >= 0) {
            return FlowResult.EXISTS;
        }
        int g = hold.acquire();
        int e = insert(~pos, sip, dip, ports, protoNh, FlowRecord.state(0, 0, 0, FlowAction.HOLD), g, nowNs);
        limits.charge(nh, 1, false);
        limits.newFlowStarted(nh, nowNs);
        return entries.handle(e);
    }
    /** See {@link FlowTable#installReverse}. */
    long installReverse(long forwardHandle, FlowKey reverse, int action, int flags, long nowNs) {
        checkActionAndFlags(action, flags);
        int f = entries.liveIndex(forwardHandle);
        if (f < 0) {
            return FlowResult.STALE_HANDLE;
        }
        int fb = f * STRIDE;
        int fstate = rec[fb + STATE];
        if (FlowRecord.hasFlag(fstate, FlowFlags.REVERSE)
                || (FlowRecord.action(fstate) != FlowAction.HOLD && rec[fb + LINK] != NONE)) {
            return FlowResult.BAD_STATE;
        }
        if (reverse.isIpv6() != FlowRecord.isIpv6(rec[fb + FlowRecord.PROTO_NH])) {
            return FlowResult.BAD_KEY; // a pair is of one family: FlowNat compares the words
        }
        if (!reverse.isIpv6()) {
            return installReverse(f, reverse.sip, reverse.dip, reverse.ports, reverse.protoNh, action, flags, nowNs);
        }
        return installReverse6(f, reverse, action, flags, nowNs);
    }

    /** {@link #installReverse} of an IPv6 reverse key: its addresses interned first. */
    private long installReverse6(int f, FlowKey reverse, int action, int flags, long nowNs) {
        long ids = addresses.acquirePair(reverse.sipHi, reverse.sipLo, reverse.dipHi, reverse.dipLo);
        if (ids == FlowAddresses6.NONE) {
            return refusePair(f, DropReason.IPV6_ADDRESS_TABLE_FULL);
        }
        long r = installReverse(f, FlowAddresses6.sourceId(ids), FlowAddresses6.destinationId(ids), reverse.ports,
                reverse.protoNh, action, flags, nowNs);
        if (!FlowResult.isHandle(r)) {
            addresses.releasePair(ids);
        }
        return r;
    }

    /**
     * Installs the reverse with its packed key (IPv6: ids the caller holds references on). The NAT
     * flags of both halves come from the two keys before anything is written, so the reverse
     * entry is written once.
     */
    private long installReverse(int f, int sip, int dip, int ports, int protoNh, int action, int flags, long nowNs) {
        int pos = index.probeForInsert(sip, dip, ports, protoNh);
        if (pos >= 0) {
            return FlowResult.EXISTS;
        }
        int fb = f * STRIDE;
        int owner = FlowRecord.nh(rec, fb);
        boolean linkLocal = (flags & FlowFlags.LINK_LOCAL) != 0;
        DropReason refused = limits.refusal(owner, 1, linkLocal, entries.capacity() - entries.writerSize());
        if (refused != null) {
            return refusePair(f, refused);
        }
        int fnat = 0;
        int rnat = 0;
        if (action == FlowAction.NAT) {
            int fsip = rec[fb + FlowRecord.SIP];
            int fdip = rec[fb + FlowRecord.DIP];
            int fports = rec[fb + FlowRecord.PORTS];
            fnat = FlowNat.flags(fsip, fdip, fports, sip, dip, ports);
            rnat = FlowNat.flags(sip, dip, ports, fsip, fdip, fports);
        }
        int r = insert(~pos, sip, dip, ports, protoNh, FlowRecord.state(FlowFlags.REVERSE | flags | rnat, 0, 0, action),
                f, nowNs);
        limits.charge(owner, 1, linkLocal);
        resolve(f, action, flags | fnat, 0, r);
        return entries.handle(r);
    }

    /** A limit refused the reverse: the forward becomes a DROP flow carrying the reason, counted. */
    private long refusePair(int f, DropReason refused) {
        drops.count(refused.code());
        resolve(f, FlowAction.DROP, 0, refused.code(), NONE);
        return FlowResult.ofDrop(refused);
    }

    /** See {@link FlowTable#setDrop}. */
    boolean setDrop(long handle, DropReason reason) {
        Objects.requireNonNull(reason, "reason");
        int e = entries.liveIndex(handle);
        if (e < 0) {
            return false;
        }
        int b = e * STRIDE;
        int state = rec[b + STATE];
        if (FlowRecord.action(state) == FlowAction.HOLD) {
            resolve(e, FlowAction.DROP, FlowRecord.flags(state), reason.code(), NONE);
            return true;
        }
        entries.setState(e, FlowRecord.withDrop(state, reason.code()));
        int p = rec[b + LINK];
        if (p != NONE) {
            entries.setState(p, FlowRecord.withDrop(rec[p * STRIDE + STATE], reason.code()));
        }
        return true;
    }

    private static void checkActionAndFlags(int action, int flags) {
        if (!FlowAction.isFinal(action)) {
            throw new IllegalArgumentException("flow action must be DROP, FORWARD or NAT, not "
                    + FlowAction.name(action));
        }
        if ((flags & ~FlowFlags.CALLER_MASK) != 0) {
            throw new IllegalArgumentException("flags " + FlowFlags.describe(flags & ~FlowFlags.CALLER_MASK)
                    + " are derived by the table and may not be set by the caller");
        }
    }

    private long refuse(DropReason reason) {
        drops.count(reason.code());
        return FlowResult.ofDrop(reason);
    }

    /** Allocates an entry and puts it in the hash index at the empty {@code slot} just probed for its key. */
    private int insert(int slot, int sip, int dip, int ports, int protoNh, int state, int link, long nowNs) {
        int e = entries.allocate(sip, dip, ports, protoNh, state, link, FlowRecord.tick(nowNs));
        index.insert(slot, e);
        return e;
    }

    /**
     * Sets a flow's final action (and link), leaving HOLD if it was in it: the hold-queue slot is
     * detached first, then the packets are released (FORWARD/NAT) or dropped and counted (DROP).
     */
    private void resolve(int e, int action, int flags, int dropReason, int link) {
        int b = e * STRIDE;
        int state = rec[b + STATE];
        int g = FlowRecord.action(state) == FlowAction.HOLD ? rec[b + LINK] : NONE;
        int keep = FlowRecord.flags(state) & FlowFlags.TCP_CLOSED;
        entries.setStateAndLink(e, FlowRecord.state(flags | keep, dropReason, FlowRecord.tcpState(state), action), link);
        if (g != NONE) {
            hold.release(g, entries.handle(e), action, dropReason);
        }
    }

    /** Deletes entry e and its partner; returns the number of entries removed. */
    int deletePair(int e) {
        int b = e * STRIDE;
        int p = FlowRecord.partner(rec, b);
        int f = FlowRecord.hasFlag(rec[b + STATE], FlowFlags.REVERSE) ? p : e;
        int r = f == e ? p : e;
        int fb = f * STRIDE;
        int fstate = rec[fb + STATE];
        if (FlowRecord.action(fstate) == FlowAction.HOLD) {
            hold.release(rec[fb + LINK], entries.handle(f), FlowAction.DROP, DropReason.FLOW_EVICTED.code());
        }
        if (FlowRecord.isIpv6(rec[fb + FlowRecord.PROTO_NH])) {
            releaseAddresses(f, r); // a pair is of one family
        }
        offloads.removed(f);
        offloads.removed(r);
        int owner = FlowRecord.nh(rec, fb);
        if (r == NONE) {
            limits.discharge(owner, 1, false);
            index.remove(f);
            entries.free(f);
            return 1;
        }
        limits.discharge(owner, 2, FlowRecord.hasFlag(fstate, FlowFlags.LINK_LOCAL));
        index.removePair(f, r);
        entries.free(f);
        entries.free(r);
        return 2;
    }

    /** Drops the address references of an IPv6 flow and of its partner ({@code NONE}: none). */
    private void releaseAddresses(int f, int r) {
        addresses.release(rec[f * STRIDE + FlowRecord.SIP]);
        addresses.release(rec[f * STRIDE + FlowRecord.DIP]);
        if (r != NONE) {
            addresses.release(rec[r * STRIDE + FlowRecord.SIP]);
            addresses.release(rec[r * STRIDE + FlowRecord.DIP]);
        }
    }
}
