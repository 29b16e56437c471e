package io.vrouter.linklocal.proxy;

import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * A point-in-time copy of {@link ProxyCounters}, for the agent's introspect.
 *
 * @param requests                  complete requests read from guests
 * @param forwarded                 requests sent to nova (retries not counted twice)
 * @param status2xx                 responses to guests by status class
 * @param status3xx                 ...
 * @param status4xx                 ...
 * @param status5xx                 ...
 * @param upstreamConnectionsOpened TCP (or TLS) connections opened to fabric addresses
 * @param retries                   requests re-sent to another fabric address
 * @param rejections                answers the proxy gave itself, by reason
 * @param responsesByStatus         responses to guests by status code (nova's and the proxy's own),
 *                                  codes never sent absent; ascending
 * @param responsesByVm             the same per VM (instance UUID; {@link ProxyCounters#OTHER_VMS} past
 *                                  the bound), for responses to sources that belong to a VM
 * @param latencyMicros             request-read to response-written latency, microseconds,
 *                                  since start (a private copy: the caller may mutate it)
 * @param tokensIssued              IMDSv2 tokens issued ({@code PUT /latest/api/token} answered 200)
 */
public record ProxyCountersSnapshot(long requests, long forwarded,
                                    long status2xx, long status3xx, long status4xx, long status5xx,
                                    long upstreamConnectionsOpened, long retries,
                                    Map<RejectReason, Long> rejections, Map<Integer, Long> responsesByStatus,
                                    Map<String, Map<Integer, Long>> responsesByVm, Histogram latencyMicros,
                                    long tokensIssued) {

    public long rejections(RejectReason reason) {
        return rejections.getOrDefault(reason, 0L);
    }

    /** Responses with this status code. */
    public long responses(int status) {
        return responsesByStatus.getOrDefault(status, 0L);
    }

    /** Responses with this status code to the VM {@code instanceId}. */
    public long responses(String instanceId, int status) {
        return responsesByVm.getOrDefault(instanceId, Map.of()).getOrDefault(status, 0L);
    }

    /** One line per counter, as the introspect prints it. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(256);
        sb.append("requests=").append(requests).append(" forwarded=").append(forwarded)
                .append(" 2xx=").append(status2xx).append(" 3xx=").append(status3xx)
                .append(" 4xx=").append(status4xx).append(" 5xx=").append(status5xx)
                .append(" upstreamConnectionsOpened=").append(upstreamConnectionsOpened)
                .append(" retries=").append(retries).append(" tokensIssued=").append(tokensIssued);
        rejections.entrySet().stream().filter(e -> e.getValue() > 0).sorted(Map.Entry.comparingByKey())
                .forEach(e -> sb.append(" rejected.").append(e.getKey()).append('=').append(e.getValue()));
        responsesByStatus.forEach((code, n) -> sb.append(" status.").append(code).append('=').append(n));
        if (latencyMicros.getTotalCount() > 0) {
            sb.append(" latencyUs.p50=").append(latencyMicros.getValueAtPercentile(50))
                    .append(" p99=").append(latencyMicros.getValueAtPercentile(99))
                    .append(" max=").append(latencyMicros.getMaxValue());
        }
        return sb.toString();
    }
}
