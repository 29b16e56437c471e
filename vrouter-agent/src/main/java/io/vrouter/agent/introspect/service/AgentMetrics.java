package io.vrouter.agent.introspect.service;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.vrouter.introspect.api.DropStat;
import io.vrouter.introspect.api.FabricAddress;
import io.vrouter.introspect.api.ItfSandeshData;
import io.vrouter.introspect.api.LinkLocalServiceData;
import io.vrouter.introspect.api.MetadataResponse;
import io.vrouter.introspect.api.MetadataVmStats;
import io.vrouter.introspect.api.NodeStatus;
import io.vrouter.introspect.api.introspectConstants;
import io.vrouter.plumbing.http.Handler;
import io.vrouter.plumbing.http.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * {@code GET /metrics}: the agent's counters in the Prometheus text format (0.0.4), written by
 * Prometheus' Java client from the same structs the Thrift service and the {@code Snh_*} pages
 * answer with ({@link AgentIntrospect}), collected at scrape time: nothing is counted twice.
 *
 * <table>
 *   <caption>Metrics (counters get {@code _total} in the exposition)</caption>
 *   <tr><td>{@code vrouter_interface_{rx,tx}_{packets,bytes}}, {@code _drops}, {@code _{rx,tx}_errors}</td>
 *       <td>counters per {@code vif} (vif0/N), {@code name} (OS interface), {@code vm}</td></tr>
 *   <tr><td>{@code vrouter_drops}</td><td>counter per {@code reason} (every DropReason)</td></tr>
 *   <tr><td>{@code vrouter_flows}, {@code vrouter_hold_flows}, {@code vrouter_linklocal_flows}</td><td>gauges</td></tr>
 *   <tr><td>{@code vrouter_metadata_requests}, {@code vrouter_metadata_responses} per {@code status},
 *       {@code vrouter_metadata_rejects} per {@code reason} (the token refusals among them),
 *       {@code vrouter_metadata_tokens_issued}, {@code vrouter_metadata_vm_requests} per
 *       {@code vm} and {@code mdata_ip}</td><td>counters</td></tr>
 *   <tr><td>{@code vrouter_metadata_latency_microseconds}</td><td>gauge per {@code quantile} (0.5-0.999,
 *       since start)</td></tr>
 *   <tr><td>{@code vrouter_linklocal_service_flows}, {@code vrouter_linklocal_fabric_up}</td>
 *       <td>gauges per {@code service} (and {@code fabric_ip}; 1 up, 0 down, absent when not watched)</td></tr>
 *   <tr><td>{@code vrouter_agent_functional}, {@code vrouter_agent_uptime_seconds},
 *       {@code vrouter_agent_config_revision}</td><td>gauges</td></tr>
 * </table>
 */
public final class AgentMetrics implements MultiCollector {
    private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

    private final AgentIntrospect agent;
    private final PrometheusRegistry registry = new PrometheusRegistry();

    public AgentMetrics(AgentIntrospect agent) {
        this.agent = agent;
        registry.register(this);
    }

    /** The {@code /metrics} route. */
    public Handler handler() {
        return req -> new Response(200, Map.of("Content-Type", WRITER.getContentType()), text());
    }

    /** One scrape, as the text format's bytes. */
    public byte[] text() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            WRITER.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // into memory: not expected
        }
        return out.toByteArray();
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        interfaces(out, agent.listInterfaces().getItf_list());
        CounterSnapshot.Builder drops = counter("vrouter_drops", "Packets dropped by the dataplane, by reason");
        for (DropStat d : agent.dropStats().getDrop_stats()) {
            drops.dataPoint(point(Labels.of("reason", d.getReason()), d.getCount()));
        }
        out.add(drops.build());
        agent.dataplaneStats().ifPresent(s -> {
            out.add(gauge("vrouter_flows", "Flows in the flow table (HOLD included)", s.flows()));
            out.add(gauge("vrouter_hold_flows", "Flows waiting in HOLD", s.holdFlows()));
            out.add(gauge("vrouter_linklocal_flows", "Link-local flow pairs", s.linkLocalFlows()));
        });
        metadata(out, agent.metadataInfo());
        services(out, agent.linkLocalServices().getService_list());
        node(out, agent.nodeStatus());
        return new MetricSnapshots(out);
    }

    private static void interfaces(List<MetricSnapshot> out, List<ItfSandeshData> itfs) {
        out.add(perInterface(itfs, "vrouter_interface_rx_packets", "Frames received from the interface", ItfSandeshData::getRx_packets));
        out.add(perInterface(itfs, "vrouter_interface_rx_bytes", "Bytes received from the interface", ItfSandeshData::getRx_bytes));
        out.add(perInterface(itfs, "vrouter_interface_tx_packets", "Frames sent to the interface", ItfSandeshData::getTx_packets));
        out.add(perInterface(itfs, "vrouter_interface_tx_bytes", "Bytes sent to the interface", ItfSandeshData::getTx_bytes));
        out.add(perInterface(itfs, "vrouter_interface_drops", "Frames from the interface dropped", ItfSandeshData::getDrops));
        out.add(perInterface(itfs, "vrouter_interface_rx_errors", "Frames the capture lost", ItfSandeshData::getRx_errors));
        out.add(perInterface(itfs, "vrouter_interface_tx_errors", "Frames that could not be sent", ItfSandeshData::getTx_errors));
    }

    private static MetricSnapshot perInterface(List<ItfSandeshData> itfs, String name, String help,
                                               ToLongFunction<ItfSandeshData> value) {
        CounterSnapshot.Builder c = counter(name, help);
        for (ItfSandeshData i : itfs) {
            c.dataPoint(point(Labels.of("vif", "vif0/" + i.getIndex(), "name", i.getName(), "vm", i.getVm_uuid()),
                    value.applyAsLong(i)));
        }
        return c.build();
    }

    private static void metadata(List<MetricSnapshot> out, MetadataResponse m) {
        out.add(counter("vrouter_metadata_requests", "Requests read from guests by the metadata proxy")
                .dataPoint(point(Labels.EMPTY, m.getMetadata_requests())).build());
        CounterSnapshot.Builder status = counter("vrouter_metadata_responses", "Responses to guests, by status code");
        m.getResponses_by_status().forEach((code, n) -> status.dataPoint(point(Labels.of("status", code.toString()), n)));
        out.add(status.build());
        out.add(counter("vrouter_metadata_tokens_issued", "IMDSv2 session tokens the metadata proxy issued")
                .dataPoint(point(Labels.EMPTY, m.getTokens_issued())).build());
        CounterSnapshot.Builder rejects = counter("vrouter_metadata_rejects",
                "Requests the proxy answered itself, by reason");
        m.getRejects_by_reason().forEach((reason, n) -> rejects.dataPoint(point(Labels.of("reason", reason), n)));
        out.add(rejects.build());
        CounterSnapshot.Builder perVm = counter("vrouter_metadata_vm_requests", "Requests per VM");
        for (MetadataVmStats v : m.getVm_stats()) {
            perVm.dataPoint(point(Labels.of("vm", v.getVm_uuid(), "mdata_ip", v.getMdata_ip_addr()), v.getRequests()));
        }
        out.add(perVm.build());
        GaugeSnapshot.Builder latency = GaugeSnapshot.builder().name("vrouter_metadata_latency_microseconds")
                .help("Request read to response written, since start, by quantile");
        if (m.getLatency().getCount() > 0) {
            latency.dataPoint(gaugePoint(Labels.of("quantile", "0.5"), m.getLatency().getP50_us()));
            latency.dataPoint(gaugePoint(Labels.of("quantile", "0.9"), m.getLatency().getP90_us()));
            latency.dataPoint(gaugePoint(Labels.of("quantile", "0.99"), m.getLatency().getP99_us()));
            latency.dataPoint(gaugePoint(Labels.of("quantile", "0.999"), m.getLatency().getP999_us()));
        }
        out.add(latency.build());
    }

    private static void services(List<MetricSnapshot> out, List<LinkLocalServiceData> services) {
        GaugeSnapshot.Builder flows = GaugeSnapshot.builder().name("vrouter_linklocal_service_flows")
                .help("Link-local flows of a service now in the flow table");
        GaugeSnapshot.Builder up = GaugeSnapshot.builder().name("vrouter_linklocal_fabric_up")
                .help("1 when the fabric address is in use, 0 when marked down (watched services only)");
        for (LinkLocalServiceData s : services) {
            flows.dataPoint(gaugePoint(Labels.of("service", s.getLinklocal_service_name()), s.getActive_flows()));
            for (FabricAddress a : s.getFabric_addresses()) {
                if (!"UNKNOWN".equals(a.getState())) {
                    up.dataPoint(gaugePoint(Labels.of("service", s.getLinklocal_service_name(), "fabric_ip", a.getIp()),
                            "UP".equals(a.getState()) ? 1 : 0));
                }
            }
        }
        out.add(flows.build());
        out.add(up.build());
    }

    private static void node(List<MetricSnapshot> out, NodeStatus n) {
        boolean functional = n.getProcess_status().stream()
                .allMatch(p -> introspectConstants.PROCESS_STATE_FUNCTIONAL.equals(p.getState()));
        out.add(gauge("vrouter_agent_functional", "1 when contrail-status would call the agent active", functional ? 1 : 0));
        out.add(gauge("vrouter_agent_uptime_seconds", "Seconds since the agent started", n.getUptime_ms() / 1000.0));
        out.add(gauge("vrouter_agent_config_revision", "Link-local configuration revision in force (-1: none)",
                n.getConfig_revision()));
    }

    private static CounterSnapshot.Builder counter(String name, String help) {
        return CounterSnapshot.builder().name(name).help(help);
    }

    private static CounterSnapshot.CounterDataPointSnapshot point(Labels labels, long value) {
        return CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot gaugePoint(Labels labels, double value) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static GaugeSnapshot gauge(String name, String help, double value) {
        return GaugeSnapshot.builder().name(name).help(help).dataPoint(gaugePoint(Labels.EMPTY, value)).build();
    }
}
