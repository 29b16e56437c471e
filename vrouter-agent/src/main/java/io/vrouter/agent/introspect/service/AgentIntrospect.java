package io.vrouter.agent.introspect.service;

import io.vrouter.agent.config.AgentConfig;
import io.vrouter.agent.dataplane.Dataplane;
import io.vrouter.agent.dataplane.DataplaneStats;
import io.vrouter.agent.dataplane.PortStats;
import io.vrouter.agent.port.VmPort;
import io.vrouter.drop.DropReason;
import io.vrouter.introspect.FlowMatches;
import io.vrouter.introspect.api.DropStat;
import io.vrouter.introspect.api.DropStatsResp;
import io.vrouter.introspect.api.FlowMatch;
import io.vrouter.introspect.api.Introspect;
import io.vrouter.introspect.api.InvalidRequest;
import io.vrouter.introspect.api.ItfResp;
import io.vrouter.introspect.api.ItfSandeshData;
import io.vrouter.introspect.api.KFlowResp;
import io.vrouter.introspect.api.LinkLocalFlowInfoResp;
import io.vrouter.introspect.api.LinkLocalServiceResponse;
import io.vrouter.introspect.api.MetadataResponse;
import io.vrouter.introspect.api.MetadataTraceResp;
import io.vrouter.introspect.api.NodeStatus;
import io.vrouter.introspect.api.NotFound;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The {@code Introspect} service of introspect.thrift over the agent's live state: the one place
 * the agent's answers are built, whatever carries them (the Thrift port for the CLIs, the
 * {@code Snh_*} XML pages, {@code /metrics}). Ports come from the port registry, flows and
 * counters from the dataplane ({@link FlowListing}: seqlock reads, the packet path never waits),
 * link-local services from the registry's snapshot, proxy counters and traces from the proxy
 * ({@link MetadataView}), node status from {@link NodeView}.
 *
 * <p>Thread-safe: every call reads state published by its owners; called from Thrift workers and
 * the introspect page thread at the same time.
 */
public final class AgentIntrospect implements Introspect.Iface {
    private final AgentConfig config;
    private final Supplier<List<VmPort>> ports;
    private final Supplier<Dataplane> dataplane;
    private final MetadataView metadata;
    private final NodeView node;

    /**
     * @param config    agent.conf (vhost name and address for vif0/0)
     * @param ports     the port registry's ports
     * @param dataplane the packet pipeline, null in proxy-only mode (no flows, no drops then)
     * @param metadata  services, proxy counters and traces
     * @param node      node status
     */
    public AgentIntrospect(AgentConfig config, Supplier<List<VmPort>> ports, Supplier<Dataplane> dataplane,
                           MetadataView metadata, NodeView node) {
        this.config = Objects.requireNonNull(config, "config");
        this.ports = Objects.requireNonNull(ports, "ports");
        this.dataplane = Objects.requireNonNull(dataplane, "dataplane");
        this.metadata = Objects.requireNonNull(metadata, "metadata");
        this.node = Objects.requireNonNull(node, "node");
    }

    // ------------------------------------------------------------------ interfaces

    @Override
    public ItfResp listInterfaces() {
        Dataplane dp = dataplane.get();
        DataplaneStats stats = dp == null ? null : dp.stats();
        Map<String, PortStats> byPort = stats == null ? Map.of()
                : stats.ports().stream().collect(Collectors.toMap(PortStats::portId, Function.identity(), (a, b) -> a));
        List<ItfSandeshData> out = new ArrayList<>();
        if (dp != null) {
            out.add(vhost(dp, stats));
        }
        ports.get().stream().sorted(Comparator.comparingInt(VmPort::interfaceIndex))
                .forEach(p -> out.add(guest(p, byPort.get(p.id()), dp == null)));
        return new ItfResp(out);
    }

    @Override
    public ItfSandeshData getInterface(int index) throws NotFound {
        for (ItfSandeshData i : listInterfaces().getItf_list()) {
            if (i.getIndex() == index) {
                return i;
            }
        }
        throw new NotFound("no interface vif0/" + index);
    }

    /** vif0/0: the vhost, the agent's end of the host (Contrail's vhost0 is vif0/1; ours has no fabric NIC). */
    private ItfSandeshData vhost(Dataplane dp, DataplaneStats stats) {
        ItfSandeshData v = base(Dataplane.VHOST_INTERFACE_ID, config.vhost().name(), "vhost");
        v.setActive("UP");
        v.setIp_addr(config.vhost().ip().getHostAddress());
        v.setMac_addr(mac(dp.config().vhostKernelMac()));
        v.setRx_packets(stats.total("rx_vhost"));
        v.setTx_packets(stats.total("tx_vhost"));
        v.setRx_errors(stats.total("vhost_capture_drops"));
        v.setMtu(mtu(config.vhost().name()));
        return v;
    }

    private static ItfSandeshData guest(VmPort p, PortStats s, boolean proxyOnly) {
        ItfSandeshData g = base(p.interfaceIndex(), p.systemName(), "vport");
        // Without a dataplane the port is served through the host kernel: as up as the agent can tell.
        g.setActive(s != null || proxyOnly ? "UP" : "DOWN");
        g.setUuid(p.id());
        g.setVn_name(nz(p.vnId()));
        g.setVm_uuid(nz(p.instanceId()));
        g.setVm_name(nz(p.displayName()));
        g.setIp_addr(p.ipAddress() == null ? "" : p.ipAddress().getHostAddress());
        g.setMac_addr(nz(p.macAddress()));
        g.setMdata_ip_addr(p.metadataIp() == null ? "" : p.metadataIp().getHostAddress());
        g.setVm_project_uuid(nz(p.projectId()));
        if (p.ip6Address() != null && !p.ip6Address().isEmpty()) {
            g.setIp6_addr(p.ip6Address());
        }
        g.setTx_vlan_id((short) p.txVlanId());
        g.setRx_vlan_id((short) p.rxVlanId());
        g.setMetadata_ip_active(p.metadataIp() == null ? "Inactive" : "Active");
        if (s != null) {
            g.setRx_packets(s.rxFrames());
            g.setRx_bytes(s.rxBytes());
            g.setTx_packets(s.txFrames());
            g.setTx_bytes(s.txBytes());
            g.setDrops(s.drops());
            g.setRx_errors(s.rxErrors());
            g.setTx_errors(s.txErrors());
        }
        g.setMtu(mtu(p.systemName()));
        return g;
    }

    private static ItfSandeshData base(int index, String name, String type) {
        ItfSandeshData d = new ItfSandeshData();
        d.setIndex(index);
        d.setName(name);
        d.setType(type);
        d.setUuid("");
        d.setVn_name("");
        d.setVm_uuid("");
        d.setVm_name("");
        d.setIp_addr("");
        d.setMac_addr("");
        d.setMdata_ip_addr("");
        d.setVm_project_uuid("");
        d.setTx_vlan_id((short) -1);
        d.setRx_vlan_id((short) -1);
        return d;
    }

    /** The OS interface's MTU from sysfs; 0 when it cannot be read (gone, not Linux). */
    private static int mtu(String ifName) {
        if (ifName == null || ifName.contains("/") || ifName.startsWith(".")) {
            return 0;
        }
        try {
            return Integer.parseInt(Files.readString(Path.of("/sys/class/net", ifName, "mtu")).trim());
        } catch (Exception e) {
            return 0;
        }
    }

    static String mac(long mac) {
        StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            if (sb.length() > 0) {
                sb.append(':');
            }
            sb.append(String.format("%02x", mac >>> shift & 0xff));
        }
        return sb.toString();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    // ------------------------------------------------------------------ flows and drops

    @Override
    public KFlowResp listFlows(FlowMatch match, int start, int limit) throws InvalidRequest {
        String problem = FlowMatches.problem(match);
        if (problem == null && start < 0) {
            problem = "start must be a flow index (0 or more), got " + start;
        }
        if (problem == null && (limit < 0 || limit > FlowListing.MAX_PAGE)) {
            problem = "limit must be 0 (the default page of " + FlowListing.DEFAULT_PAGE + ") to "
                    + FlowListing.MAX_PAGE + ", got " + limit;
        }
        if (problem != null) {
            throw new InvalidRequest(problem);
        }
        FlowListing flows = flows();
        return flows == null ? new KFlowResp(List.of(), "", 0, 0) : flows.list(match, start, limit);
    }

    @Override
    public LinkLocalFlowInfoResp listLinkLocalFlows() {
        FlowListing flows = flows();
        return new LinkLocalFlowInfoResp(flows == null ? List.of() : flows.linkLocal());
    }

    @Override
    public DropStatsResp dropStats() {
        Dataplane dp = dataplane.get();
        DataplaneStats stats = dp == null ? null : dp.stats();
        List<DropStat> out = new ArrayList<>();
        long total = 0;
        for (DropReason r : DropReason.values()) {
            long n = stats == null ? 0 : stats.drops(r);
            total += n;
            out.add(new DropStat(r.code(), r.name(), r.description(), n));
        }
        return new DropStatsResp(out, total);
    }

    /** The dataplane's counters (flow counts, drops), empty in proxy-only mode; for /metrics. */
    public Optional<DataplaneStats> dataplaneStats() {
        Dataplane dp = dataplane.get();
        return dp == null ? Optional.empty() : Optional.of(dp.stats());
    }

    private FlowListing flows() {
        Dataplane dp = dataplane.get();
        return dp == null ? null : new FlowListing(dp.flowTable());
    }

    // ------------------------------------------------------------------ services, proxy, node

    @Override
    public LinkLocalServiceResponse linkLocalServices() {
        FlowListing flows = flows();
        return metadata.services(flows == null ? Map.of() : flows.linkLocalFlowsByService());
    }

    @Override
    public MetadataResponse metadataInfo() {
        return metadata.info(ports.get());
    }

    @Override
    public MetadataTraceResp metadataTrace(String vm) throws NotFound {
        return metadata.trace(vm, ports.get());
    }

    @Override
    public NodeStatus nodeStatus() {
        return node.status();
    }
}
