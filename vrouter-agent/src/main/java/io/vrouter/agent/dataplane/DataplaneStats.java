package io.vrouter.agent.dataplane;

import io.vrouter.drop.DropReason;
import io.vrouter.flow.FlowTable;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A point-in-time copy of the dataplane's counters, for introspect and tests.
 *
 * @param totals     named frame totals ({@code rx_guest}, {@code tx_vhost}, {@code arp_replies}, ...;
 *                   {@code guest_capture_drops}: frames the ports' capture sockets dropped when full)
 * @param drops      drops by reason: the dataplane's plus the flow table's
 * @param flows      live flows (HOLD included)
 * @param holdFlows  flows waiting in HOLD
 * @param linkLocalFlows link-local flow pairs
 * @param ports      per-port counters
 */
public record DataplaneStats(Map<String, Long> totals, Map<DropReason, Long> drops, int flows, int holdFlows,
                             int linkLocalFlows, List<PortStats> ports) {

    /** A snapshot of a dataplane's counters, its flow table's and its ports'. Any thread. */
    static DataplaneStats of(DataplaneCounters counters, FlowTable<?> table, PortState[] ports, PortState vhost) {
        Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            long v = counters.drops(r) + table.dropCount(r);
            if (v != 0) {
                drops.put(r, v);
            }
        }
        List<PortStats> ps = new ArrayList<>(ports.length);
        long guestCaptureDrops = 0;
        for (PortState p : ports) {
            AtomicLongArray c = p.counters();
            long captureDrops = p.io().captureDrops();
            guestCaptureDrops += captureDrops;
            ps.add(new PortStats(p.port().id(), p.name(), p.nh(), c.get(PortState.RX), c.get(PortState.TX),
                    c.get(PortState.DROPS), table.interfaceFlowCount(p.nh()), c.get(PortState.RX_BYTES),
                    c.get(PortState.TX_BYTES), captureDrops, c.get(PortState.TX_ERRORS)));
        }
        Map<String, Long> totals = counters.totals();
        totals.put("vhost_capture_drops", vhost.io().captureDrops());
        totals.put("guest_capture_drops", guestCaptureDrops);
        return new DataplaneStats(totals, drops, table.size(), table.holdFlowCount(), table.linkLocalFlowCount(),
                List.copyOf(ps));
    }

    /** Drops for one reason (0 when none). */
    public long drops(DropReason reason) {
        return drops.getOrDefault(reason, 0L);
    }

    /** One named total (0 when unknown). */
    public long total(String name) {
        return totals.getOrDefault(name, 0L);
    }
}
