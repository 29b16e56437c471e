package io.vrouter.flow;

import io.vrouter.drop.DropReason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The per-interface limits of a {@link FlowTable}: entries owned by each interface (a reverse
 * entry is owned by its forward's interface) against {@code max_vm_flows}, link-local pairs
 * per interface and in total against {@code max_vm_linklocal_flows} and
 * {@code max_system_linklocal_flows}, and the rate at which each interface may start new flows.
 * Writer thread charges and discharges; any thread reads the counts.
 *
 * <p>The new-flow rate is a token bucket in its GCRA form (one {@code long} per interface, no
 * division on the packet path): each interface has a theoretical arrival time {@code tat}; a new
 * flow at {@code now} is admitted when {@code tat - now <= (burst - 1) * interval}, and moves
 * {@code tat} to {@code max(tat, now) + interval}. So a quiet interface may start {@code burst}
 * flows at once, then one per {@code interval = 1 s / rate}.
 */
final class FlowLimits {
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);

    private final int maxInterfaces;
    private final int maxVmFlows;
    private final int maxVmLinkLocal;
    private final int maxSystemLinkLocal;
    private final int[] ifFlows;
    private final int[] ifLinkLocal;
    /** Nanoseconds between new flows of one interface; 0: no rate limit. */
    private final long newFlowIntervalNs;
    private final long newFlowToleranceNs;
    /** Per interface: the GCRA theoretical arrival time, ns (0: never started a flow). Writer only. */
    private final long[] newFlowTat;
    /** Link-local pairs in total: written by the writer with opaque stores, read by any thread. */
    private final AtomicInteger systemLinkLocal = new AtomicInteger();

    FlowLimits(FlowTableConfig config) {
        maxInterfaces = config.maxInterfaces;
        maxVmFlows = config.maxVmFlows();
        maxVmLinkLocal = config.maxVmLinkLocalFlows;
        maxSystemLinkLocal = config.maxSystemLinkLocalFlows;
        ifFlows = new int[maxInterfaces];
        ifLinkLocal = new int[maxInterfaces];
        newFlowIntervalNs = config.newFlowsPerSecond == 0 ? 0 : 1_000_000_000L / config.newFlowsPerSecond;
        newFlowToleranceNs = newFlowIntervalNs * (config.newFlowBurst - 1);
        newFlowTat = new long[newFlowIntervalNs == 0 ? 0 : maxInterfaces];
    }

    /** Whether the interface's new-flow bucket has a token at {@code nowNs} (nothing is taken). */
    boolean admitsNewFlow(int nh, long nowNs) {
        return newFlowIntervalNs == 0 || bucketStart(nh, nowNs) - nowNs <= newFlowToleranceNs;
    }

    /** Takes a token from the interface's new-flow bucket (after {@link #admitsNewFlow}). */
    void newFlowStarted(int nh, long nowNs) {
        if (newFlowIntervalNs != 0) {
            long tat = bucketStart(nh, nowNs) + newFlowIntervalNs;
            newFlowTat[nh] = tat == 0 ? 1 : tat;
        }
    }

    /** {@code max(tat, now)}, wrap-safe (nanoTime may be negative); an unused bucket starts now. */
    private long bucketStart(int nh, long nowNs) {
        long tat = newFlowTat[nh];
        return tat == 0 || tat - nowNs < 0 ? nowNs : tat;
    }

    /** Whether an interface id is within the configured range. */
    boolean knownInterface(int nh) {
        return nh >= 0 && nh < maxInterfaces;
    }

    /** Whether the interface may own one more entry. */
    boolean allowsOneMore(int owner) {
        return ifFlows[owner] < maxVmFlows;
    }

    /**
     * Why {@code owner} may not own {@code newEntries} more entries (one of them a link-local pair
     * when {@code linkLocal}), or {@code null} when it may. {@code free} is the table's free entries.
     */
    DropReason refusal(int owner, int newEntries, boolean linkLocal, int free) {
        if (linkLocal && (ifLinkLocal[owner] >= maxVmLinkLocal || systemLinkLocal.getPlain() >= maxSystemLinkLocal)) {
            return DropReason.LINKLOCAL_FLOW_LIMIT;
        }
        if (newEntries > free) {
            return DropReason.FLOW_TABLE_FULL;
        }
        if (ifFlows[owner] + newEntries > maxVmFlows) {
            return DropReason.VM_FLOW_LIMIT;
        }
        return null;
    }

    /** Charges {@code entries} to {@code owner}; a link-local pair also to the link-local counts. */
    void charge(int owner, int entries, boolean linkLocalPair) {
        INTS.setOpaque(ifFlows, owner, ifFlows[owner] + entries);
        if (linkLocalPair) {
            INTS.setOpaque(ifLinkLocal, owner, ifLinkLocal[owner] + 1);
            systemLinkLocal.setOpaque(systemLinkLocal.getPlain() + 1);
        }
    }

    /** Undoes {@link #charge} when entries are removed. */
    void discharge(int owner, int entries, boolean linkLocalPair) {
        INTS.setOpaque(ifFlows, owner, ifFlows[owner] - entries);
        if (linkLocalPair) {
            INTS.setOpaque(ifLinkLocal, owner, ifLinkLocal[owner] - 1);
            systemLinkLocal.setOpaque(systemLinkLocal.getPlain() - 1);
        }
    }

    /** Entries owned by an interface (0 for an id out of range). Any thread. */
    int interfaceFlowCount(int nh) {
        return knownInterface(nh) ? (int) INTS.getOpaque(ifFlows, nh) : 0;
    }

    /** Link-local pairs owned by an interface. Any thread. */
    int interfaceLinkLocalCount(int nh) {
        return knownInterface(nh) ? (int) INTS.getOpaque(ifLinkLocal, nh) : 0;
    }

    /** Link-local pairs installed. Any thread. */
    int linkLocalFlowCount() {
        return systemLinkLocal.getOpaque();
    }

    long memoryBytes() {
        return 4L * (ifFlows.length + ifLinkLocal.length) + 8L * newFlowTat.length;
    }
}
