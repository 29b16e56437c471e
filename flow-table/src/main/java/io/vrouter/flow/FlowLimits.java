package io.vrouter.flow;

import io.vrouter.drop.DropReason;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The per-interface limits of a {@link FlowTable}: entries owned by each interface (a reverse
 * entry is owned by its forward's interface) against {@code max_vm_flows}, and link-local pairs
 * per interface and in total against {@code max_vm_linklocal_flows} and
 * {@code max_system_linklocal_flows}. Writer thread charges and discharges; any thread reads the
 * counts.
 */
final class FlowLimits {
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);

    private final int maxInterfaces;
    private final int maxVmFlows;
    private final int maxVmLinkLocal;
    private final int maxSystemLinkLocal;
    private final int[] ifFlows;
    private final int[] ifLinkLocal;
    /** Link-local pairs in total: written by the writer with opaque stores, read by any thread. */
    private final AtomicInteger systemLinkLocal = new AtomicInteger();

    FlowLimits(FlowTableConfig config) {
        maxInterfaces = config.maxInterfaces;
        maxVmFlows = config.maxVmFlows();
        maxVmLinkLocal = config.maxVmLinkLocalFlows;
        maxSystemLinkLocal = config.maxSystemLinkLocalFlows;
        ifFlows = new int[maxInterfaces];
        ifLinkLocal = new int[maxInterfaces];
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
        return 4L * (ifFlows.length + ifLinkLocal.length);
    }
}
