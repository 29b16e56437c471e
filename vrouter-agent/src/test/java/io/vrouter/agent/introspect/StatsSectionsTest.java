package io.vrouter.agent.introspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.vrouter.agent.port.PortsSection;
import io.vrouter.linklocal.config.LinkLocalServices;
import io.vrouter.linklocal.proxy.ProxyCountersSnapshot;
import io.vrouter.linklocal.proxy.RejectReason;
import io.vrouter.linklocal.registry.LinkLocalRegistry;
import io.vrouter.linklocal.registry.RegistrySnapshot;
import io.vrouter.plumbing.http.JsonHttpServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The introspect sections' JSON names are what operators' scripts read: each one pinned here. */
class StatsSectionsTest {

    private static JsonNode json(Object section) {
        return JsonHttpServer.DEFAULT_MAPPER.valueToTree(section);
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void agentSectionShouldKeepItsNames() {
        JsonNode j = json(new AgentSection(42, "epoll", true, "17.0.1", 9));
        assertEquals(List.of("pid", "transport", "dataplane", "jvm", "uptime_seconds"), names(j));
        assertEquals(9, j.get("uptime_seconds").asLong());
    }

    @Test
    void proxySectionShouldKeepItsNamesAndGiveLatencyAsPercentiles() {
        Histogram h = new Histogram(3);
        h.recordValue(100);
        h.recordValue(300);
        JsonNode j = json(ProxySection.of(new ProxyCountersSnapshot(5, 4, 3, 0, 1, 1, 2, 1,
                Map.of(RejectReason.RATE_LIMITED, 7L), new TreeMap<>(Map.of(200, 3L, 403, 1L, 503, 1L)),
                Map.of("11111111-1111-4111-8111-111111111111", new TreeMap<>(Map.of(200, 3L, 403, 1L))), h, 6)));
        assertEquals(List.of("requests", "forwarded", "status_2xx", "status_3xx", "status_4xx", "status_5xx",
                "upstream_connections_opened", "retries", "tokens_issued", "rejected", "responses_by_status",
                "responses_by_vm", "latency"), names(j));
        assertEquals(6, j.get("tokens_issued").asLong());
        assertEquals(List.of("200", "403", "503"), names(j.get("responses_by_status")));
        assertEquals(1, j.get("responses_by_status").get("403").asLong());
        assertEquals(1, j.get("responses_by_vm").get("11111111-1111-4111-8111-111111111111").get("403").asLong());
        assertEquals(3, j.get("status_2xx").asLong());
        assertEquals(7, j.get("rejected").get("RATE_LIMITED").asLong());
        assertEquals(List.of("count", "p50_us", "p99_us", "max_us"), names(j.get("latency")));
        assertEquals(2, j.get("latency").get("count").asLong());
        assertEquals(h.getMaxValue(), j.get("latency").get("max_us").asLong());
    }

    @Test
    void linkLocalSectionShouldShowConfigApiCountersOnlyForTheConfigApiSource() {
        try (LinkLocalRegistry r = LinkLocalRegistry.builder().build()) {
            JsonNode file = json(new LinkLocalSection("file:/x.json", r.stats(), null));
            assertEquals(List.of("source", "registry"), names(file));
            JsonNode api = json(new LinkLocalSection("config-api http://c:8082", r.stats(), Map.of("polls", 1)));
            assertEquals(List.of("source", "registry", "config_api"), names(api));
        }
    }

    @Test
    void linkLocalPageShouldUseContrailsFieldNames() throws Exception {
        JsonNode j = json(LinkLocalPage.of(RegistrySnapshot.of(LinkLocalServices.EMPTY, "built-in default")));
        assertEquals(List.of("version", "source", "linklocal_services", "services"), names(j));
        assertFalse(j.get("linklocal_services").has("linklocalServiceEntry"));
    }

    @Test
    void portsSectionShouldKeepItsNames() {
        assertEquals(List.of("ports", "index_capacity", "added", "removed", "rejected", "store_failures"),
                names(json(new PortsSection(1, 4096, 2, 1, 0, 0))));
    }
}
