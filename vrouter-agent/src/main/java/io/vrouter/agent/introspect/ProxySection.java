package io.vrouter.agent.introspect;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.vrouter.linklocal.proxy.ProxyCountersSnapshot;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * {@code /stats/proxy}: the metadata proxy's counters ({@link ProxyCountersSnapshot} for their
 * meaning), rejections by {@code RejectReason} name, responses by status code
 * ({@code "403": n}) and by VM (instance UUID: status code: n), latency as percentiles.
 * With a wrong shared secret, nova's 403s show up here under {@code responses_by_status}.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ProxySection(long requests, long forwarded,
                           @JsonProperty("status_2xx") long status2xx, @JsonProperty("status_3xx") long status3xx,
                           @JsonProperty("status_4xx") long status4xx, @JsonProperty("status_5xx") long status5xx,
                           long upstreamConnectionsOpened, long retries, long tokensIssued, Map<String, Long> rejected,
                           Map<String, Long> responsesByStatus, Map<String, Map<String, Long>> responsesByVm,
                           Latency latency) {

    /** Request-read to response-written, microseconds, since start. */
    public record Latency(long count, @JsonProperty("p50_us") long p50Us, @JsonProperty("p99_us") long p99Us,
                          @JsonProperty("max_us") long maxUs) {
    }

    public static ProxySection of(ProxyCountersSnapshot c) {
        Map<String, Long> rejected = new LinkedHashMap<>();
        c.rejections().forEach((reason, n) -> rejected.put(reason.name(), n));
        Map<String, Map<String, Long>> byVm = new LinkedHashMap<>();
        c.responsesByVm().forEach((vm, counts) -> byVm.put(vm, byCode(counts)));
        Histogram h = c.latencyMicros();
        return new ProxySection(c.requests(), c.forwarded(), c.status2xx(), c.status3xx(), c.status4xx(), c.status5xx(),
                c.upstreamConnectionsOpened(), c.retries(), c.tokensIssued(), rejected, byCode(c.responsesByStatus()), byVm,
                new Latency(h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getMaxValue()));
    }

    /** JSON object keys are strings: {@code {"200": 12, "403": 1}}, in ascending code order. */
    private static Map<String, Long> byCode(Map<Integer, Long> counts) {
        Map<String, Long> out = new LinkedHashMap<>();
        counts.forEach((code, n) -> out.put(Integer.toString(code), n));
        return out;
    }
}
