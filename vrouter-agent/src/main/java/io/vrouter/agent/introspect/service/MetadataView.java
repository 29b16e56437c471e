package io.vrouter.agent.introspect.service;

import io.vrouter.agent.port.VmPort;
import io.vrouter.introspect.FlowMatches;
import io.vrouter.introspect.api.FabricAddress;
import io.vrouter.introspect.api.LatencyPercentiles;
import io.vrouter.introspect.api.LinkLocalServiceData;
import io.vrouter.introspect.api.LinkLocalServiceResponse;
import io.vrouter.introspect.api.MetadataResponse;
import io.vrouter.introspect.api.MetadataTraceEntry;
import io.vrouter.introspect.api.MetadataTraceResp;
import io.vrouter.introspect.api.MetadataVmStats;
import io.vrouter.introspect.api.NotFound;
import io.vrouter.linklocal.proxy.MetadataProxy;
import io.vrouter.linklocal.proxy.MetadataTrace;
import io.vrouter.linklocal.proxy.ProxyCountersSnapshot;
import io.vrouter.linklocal.proxy.RejectReason;
import io.vrouter.linklocal.registry.LinkLocalRegistry;
import io.vrouter.linklocal.registry.LinkLocalService;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The link-local services and the metadata proxy as introspect shows them: the registry's
 * snapshot in force with each fabric address's state, the proxy's counters, and its per-VM traces
 * joined with the port table (a trace is kept per metadata IP; the port says which VM that is).
 */
public final class MetadataView {
    private final LinkLocalRegistry registry;
    private final MetadataProxy proxy;

    public MetadataView(LinkLocalRegistry registry, MetadataProxy proxy) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.proxy = Objects.requireNonNull(proxy, "proxy");
    }

    /** @param flowsByService link-local forward flows per {@code "ip:port"} of a service */
    LinkLocalServiceResponse services(Map<String, Integer> flowsByService) {
        List<LinkLocalServiceData> out = new ArrayList<>();
        for (LinkLocalService s : registry.snapshot().services()) {
            LinkLocalServiceData d = new LinkLocalServiceData();
            d.setLinklocal_service_name(s.name());
            d.setLinklocal_service_ip(s.serviceAddress().getHostAddress());
            d.setLinklocal_service_port(s.servicePort());
            d.setIpfabric_dns_name(s.entry().usesDns() ? s.entry().fabricDnsName() : "");
            List<String> ips = new ArrayList<>();
            List<FabricAddress> states = new ArrayList<>();
            for (InetAddress a : s.fabricAddresses()) {
                ips.add(a.getHostAddress());
                String state = !s.isMetadata() ? "UNKNOWN"
                        : proxy.isUpstreamDown(new InetSocketAddress(a, s.fabricPort())) ? "DOWN" : "UP";
                states.add(new FabricAddress(a.getHostAddress(), state, 0));
            }
            d.setIpfabric_ip(ips);
            d.setIpfabric_port(s.fabricPort());
            d.setMetadata(s.isMetadata());
            d.setDns_resolved_at_ms(0);
            d.setDns_error(s.isResolved() ? "" : "DNS name " + s.entry().fabricDnsName() + " has not resolved yet");
            d.setFabric_addresses(states);
            d.setActive_flows(flowsByService.getOrDefault(s.serviceAddress().getHostAddress() + ":" + s.servicePort(), 0));
            out.add(d);
        }
        return new LinkLocalServiceResponse(out);
    }

    MetadataResponse info(List<VmPort> ports) {
        ProxyCountersSnapshot c = proxy.counters();
        MetadataResponse r = new MetadataResponse();
        InetSocketAddress bound = proxy.localAddress();
        r.setMetadata_server_port(bound == null ? 0 : bound.getPort());
        r.setMetadata_requests(c.requests());
        r.setMetadata_responses(c.status2xx() + c.status3xx() + c.status4xx() + c.status5xx());
        r.setMetadata_proxy_sessions(c.upstreamConnectionsOpened());
        r.setMetadata_internal_errors(c.rejections(RejectReason.INTERNAL_ERROR));
        r.setResponses_by_status(new TreeMap<>(c.responsesByStatus()));
        r.setRejects_by_reason(reasons(c.rejections()));
        r.setTokens_issued(c.tokensIssued());
        Histogram h = c.latencyMicros();
        r.setLatency(new LatencyPercentiles(h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue()));
        Map<InetAddress, VmPort> byMetadataIp = byMetadataIp(ports);
        List<MetadataVmStats> vms = new ArrayList<>();
        for (MetadataTrace.VmView v : proxy.trace().vms()) {
            VmPort p = byMetadataIp.get(v.source());
            MetadataVmStats s = new MetadataVmStats();
            s.setVm_uuid(p != null ? p.instanceId() : v.instanceId() != null ? v.instanceId() : "");
            s.setVm_name(p == null || p.displayName() == null ? "" : p.displayName());
            s.setMdata_ip_addr(v.source().getHostAddress());
            s.setRequests(v.requests());
            s.setResponses_by_status(new TreeMap<>(v.responsesByStatus()));
            s.setRejects_by_reason(reasons(v.rejectsByReason()));
            s.setLast_request_ms(v.lastRequestMs());
            vms.add(s);
        }
        vms.sort(Comparator.comparing(MetadataVmStats::getMdata_ip_addr));
        r.setVm_stats(vms);
        List<String> upstreams = new ArrayList<>();
        LinkLocalService md = registry.snapshot().metadataService();
        if (md != null) {
            md.fabricSocketAddresses().forEach(a -> upstreams.add(a.getHostString() + ":" + a.getPort()));
        }
        r.setUpstreams(upstreams);
        return r;
    }

    /**
     * @param vm a VM UUID, a port UUID or a metadata IP
     * @throws NotFound when no port has that VM, port or metadata IP
     */
    MetadataTraceResp trace(String vm, List<VmPort> ports) throws NotFound {
        InetAddress source = null;
        if (vm != null && FlowMatches.ipv4(vm) != -1) {
            try {
                source = InetAddress.getByName(vm); // a literal: no lookup
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        } else if (vm != null) {
            for (VmPort p : ports) {
                if ((vm.equals(p.instanceId()) || vm.equals(p.id())) && p.metadataIp() != null) {
                    source = p.metadataIp();
                    break;
                }
            }
        }
        MetadataTrace.VmView v = source == null ? null : proxy.trace().vm(source);
        if (v == null && (source == null || !byMetadataIp(ports).containsKey(source))) {
            throw new NotFound("no VM interface with VM UUID, port UUID or metadata IP '" + clip(vm) + "'");
        }
        MetadataTraceResp r = new MetadataTraceResp();
        VmPort p = byMetadataIp(ports).get(source);
        r.setVm_uuid(p != null ? p.instanceId() : v.instanceId() == null ? "" : v.instanceId());
        r.setMdata_ip_addr(source.getHostAddress());
        r.setCapacity(proxy.trace().capacity());
        List<MetadataTraceEntry> entries = new ArrayList<>();
        if (v != null) {
            for (MetadataTrace.Entry e : v.recent()) {
                entries.add(new MetadataTraceEntry(e.timeMs(), e.method(), e.path(), e.status(),
                        e.upstream() == null ? "" : e.upstream(), e.latencyUs(),
                        e.rejectReason() == null ? "" : e.rejectReason().name()));
            }
            r.setOverwritten(v.overwritten());
        }
        r.setTrace(entries);
        return r;
    }

    private static Map<InetAddress, VmPort> byMetadataIp(List<VmPort> ports) {
        Map<InetAddress, VmPort> m = new LinkedHashMap<>();
        for (VmPort p : ports) {
            if (p.metadataIp() != null) {
                m.put(p.metadataIp(), p);
            }
        }
        return m;
    }

    private static Map<String, Long> reasons(Map<RejectReason, Long> byReason) {
        Map<String, Long> out = new TreeMap<>();
        byReason.forEach((r, n) -> {
            if (n != 0) {
                out.put(r.name(), n);
            }
        });
        return out;
    }

    private static String clip(String s) {
        return s == null ? "" : s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
