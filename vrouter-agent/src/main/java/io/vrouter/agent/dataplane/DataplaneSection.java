package io.vrouter.agent.dataplane;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dataplane's section of the agent's introspect {@code /stats} ({@code /stats/dataplane}).
 * The JSON field names are part of what operators and scripts read: keep them.
 *
 * @param flows          live flows (HOLD included)
 * @param holdFlows      flows waiting in HOLD
 * @param linkLocalFlows link-local flow pairs
 * @param totals         named frame totals ({@code rx_guest}, {@code tx_vhost}, ...)
 * @param drops          non-zero drops by {@code DropReason} name: the dataplane's plus the flow table's
 * @param ports          per-port counters
 * @param isolation      how the host kernel is kept off the dataplane's interfaces ({@code nft}, {@code tc})
 * @param relays         services with running relays
 */
@JsonPropertyOrder({"flows", "hold_flows", "linklocal_flows", "totals", "drops", "ports", "isolation", "relays"})
public record DataplaneSection(
        @JsonProperty("flows") int flows,
        @JsonProperty("hold_flows") int holdFlows,
        @JsonProperty("linklocal_flows") int linkLocalFlows,
        @JsonProperty("totals") Map<String, Long> totals,
        @JsonProperty("drops") Map<String, Long> drops,
        @JsonProperty("ports") List<PortStats> ports,
        @JsonProperty("isolation") String isolation,
        @JsonProperty("relays") Set<String> relays) {

    static DataplaneSection of(DataplaneStats s, String isolation, Set<String> relays) {
        Map<String, Long> drops = new LinkedHashMap<>();
        s.drops().forEach((reason, n) -> drops.put(reason.name(), n));
        return new DataplaneSection(s.flows(), s.holdFlows(), s.linkLocalFlows(), s.totals(), drops, s.ports(),
                isolation, relays);
    }
}
