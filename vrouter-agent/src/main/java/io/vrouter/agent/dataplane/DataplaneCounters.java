package io.vrouter.agent.dataplane;

import io.vrouter.drop.DropReason;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The dataplane's own counters: drops it decided (per {@link DropReason}) and frame totals.
 * Drops decided by the flow table (limits, DROP flows) are counted by the table; {@link Dataplane#stats()}
 * adds both.
 *
 * <p>Single writer (the dataplane thread), any number of readers: plain increments published with release semantics, no locks.
 */
public final class DataplaneCounters {
    /** Indexes of {@link #totals}. */
    static final int RX_GUEST = 0;
    static final int RX_VHOST = 1;
    static final int TX_GUEST = 2;
    static final int TX_VHOST = 3;
    static final int TX_FAILED = 4;
    static final int ARP_REPLIES = 5;
    static final int FLOW_SETUPS = 6;
    static final int COMMANDS = 7;
    static final int ERRORS = 8;
    /** Guest TSO/GSO super-frames cut into segments for the vhost. */
    static final int GUEST_SUPER_FRAMES = 9;
    /** IPv6 neighbour advertisements sent (the NDP counterpart of ARP_REPLIES). */
    static final int NDP_ADVERTISEMENTS = 10;
    /** TCP pairs put on the kernel fast path (at their SYN-ACK). */
    static final int FAST_PATH_FLOWS = 11;
    /** TCP pairs the kernel fast path's map refused (full): they stay on the agent's path. */
    static final int FAST_PATH_REFUSED = 12;
    private static final String[] TOTAL_NAMES = {
        "rx_guest", "rx_vhost", "tx_guest", "tx_vhost", "tx_failed", "arp_replies", "flow_setups",
        "commands", "errors", "guest_super_frames", "ndp_advertisements", "fast_path_flows", "fast_path_refused"};

    private final AtomicLongArray drops = new AtomicLongArray(128);
    private final AtomicLongArray totals = new AtomicLongArray(TOTAL_NAMES.length);

    void drop(DropReason reason) {
        drop(reason.code());
    }

    void drop(int code) {
        drops.lazySet(code, drops.get(code) + 1);
    }

    void count(int total) {
        totals.lazySet(total, totals.get(total) + 1);
    }

    void add(int total, int n) {
        if (n != 0) {
            totals.lazySet(total, totals.get(total) + n);
        }
    }

    /** Drops the dataplane decided for {@code reason}. Any thread. */
    public long drops(DropReason reason) {
        return drops.get(reason.code());
    }

    /** Named totals (rx/tx frames, ARP replies, flow set-ups, ...). Any thread. */
    public Map<String, Long> totals() {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < TOTAL_NAMES.length; i++) {
            m.put(TOTAL_NAMES[i], totals.get(i));
        }
        return m;
    }
}
