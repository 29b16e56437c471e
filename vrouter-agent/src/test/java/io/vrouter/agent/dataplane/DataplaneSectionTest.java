package io.vrouter.agent.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.vrouter.plumbing.http.JsonHttpServer;
import io.vrouter.drop.DropReason;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DataplaneSectionTest {
    @Test
    void statsSectionShouldKeepItsJsonFieldNamesAndOrder() {
        Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
        drops.put(DropReason.NO_SERVICE, 2L);
        Map<String, Long> totals = new LinkedHashMap<>();
        totals.put("rx_guest", 5L);
        DataplaneStats s = new DataplaneStats(totals, drops, 4, 1, 2,
                List.of(new PortStats("p1", "tap1", 1, 5, 3, 2, 0, 4)));

        JsonNode json = JsonHttpServer.DEFAULT_MAPPER.valueToTree(DataplaneSection.of(s, "nft", Set.of("ntp")));

        List<String> names = new ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("flows", "hold_flows", "linklocal_flows", "totals", "drops", "ports", "isolation", "relays"),
                names);
        assertEquals(4, json.get("flows").asInt());
        assertEquals(1, json.get("hold_flows").asInt());
        assertEquals(2, json.get("linklocal_flows").asInt());
        assertEquals(5, json.get("totals").get("rx_guest").asLong());
        assertEquals(2, json.get("drops").get("NO_SERVICE").asLong());
        assertEquals("tap1", json.get("ports").get(0).get("systemName").asText());
        assertEquals("nft", json.get("isolation").asText());
        assertEquals("ntp", json.get("relays").get(0).asText());
    }
}
