package io.vrouter.agent.dataplane;

import io.vrouter.drop.DropReason;
import java.util.List;
import java.util.Map;

/**
 * A point-in-time copy of the dataplane's counters, for introspect and tests.
 *
 * @param totals     named frame totals ({@code rx_guest}, {@code tx_vhost}, {@code arp_replies}, ...)
 * @param drops      drops by reason: the dataplane's plus the flow table's
 * @param flows      live flows (HOLD included)
 * @param holdFlows  flows waiting in HOLD
 * @param linkLocalFlows link-local flow pairs
 * @param ports      per-port counters
 */
public record DataplaneStats(Map<String, Long> totals, Map<DropReason, Long> drops, int flows, int holdFlows,
                             int linkLocalFlows, List<PortStats> ports) {

    /** Drops for one reason (0 when none). */
    public long drops(DropReason reason) {
        return drops.getOrDefault(reason, 0L);
    }

    /** One named total (0 when unknown). */
    public long total(String name) {
        return totals.getOrDefault(name, 0L);
    }
}
