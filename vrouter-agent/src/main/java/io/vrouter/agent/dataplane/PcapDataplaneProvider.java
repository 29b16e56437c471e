package io.vrouter.agent.dataplane;

import io.vrouter.agent.AgentDataplane;
import io.vrouter.agent.AgentDataplaneProvider;
import io.vrouter.agent.DataplaneContext;
import io.vrouter.agent.config.AgentConfig;
import io.vrouter.agent.dataplane.io.PacketIoFactory;
import io.vrouter.agent.dataplane.io.PcapPacketIo;
import io.vrouter.agent.dataplane.io.PcapSupport;
import io.vrouter.agent.introspect.StatsRegistry;
import io.vrouter.agent.port.VmPort;
import io.vrouter.flow.FlowTableConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The agent's dataplane provider ({@code pcap}): a {@link UserspaceDataplane} on libpcap,
 * configured from agent.conf. Registered for {@link java.util.ServiceLoader} in
 * {@code META-INF/services/io.vrouter.agent.AgentDataplaneProvider}.
 *
 * <table>
 * <caption>agent.conf → dataplane</caption>
 * <tr><td>VIRTUAL-HOST-INTERFACE.name / ip / prefix</td><td>the vhost pair and its address</td></tr>
 * <tr><td>METADATA.metadata_proxy_port</td><td>DNAT port of metadata flows</td></tr>
 * <tr><td>FLOWS.max_vm_flows, max_vm_linklocal_flows, max_system_linklocal_flows,
 * flow_cache_timeout</td><td>flow table limits and idle timeout</td></tr>
 * <tr><td>DATAPLANE.route_table</td><td>0: link-local route in main; else that table</td></tr>
 * </table>
 * The nft table is named {@code vrouter_<vhost name>} (one agent per vhost on a host).
 */
public final class PcapDataplaneProvider implements AgentDataplaneProvider {
    @Override
    public String name() {
        return "pcap";
    }

    @Override
    public String unavailabilityCause() {
        if (!PcapSupport.isAvailable()) {
            return "libpcap unavailable: " + PcapSupport.unavailabilityCause();
        }
        return null;
    }

    @Override
    public AgentDataplane create(DataplaneContext context) {
        return new Agent(context, PcapPacketIo.factory());
    }

    /** The nft table name for a vhost interface name. */
    static String agentName(String vhostName) {
        return "vrouter_" + vhostName.replaceAll("[^A-Za-z0-9_]", "_");
    }

    /** The flow table settings of agent.conf's {@code [FLOWS]}. */
    static FlowTableConfig flowTable(AgentConfig.Flows flows) {
        int percent = (int) Math.max(1, Math.min(100, Math.round(flows.maxVmFlowsPercent())));
        return FlowTableConfig.builder()
                .maxVmFlowsPercent(percent)
                .maxVmLinkLocalFlows(flows.maxVmLinkLocalFlows())
                .maxSystemLinkLocalFlows(flows.maxSystemLinkLocalFlows())
                .idleTimeoutNs(TimeUnit.SECONDS.toNanos(flows.flowCacheTimeoutSeconds()))
                .build();
    }

    /** The {@link AgentDataplane} the agent drives. */
    static final class Agent implements AgentDataplane {
        private final DataplaneContext context;
        private final PacketIoFactory ioFactory;
        private final List<StatsRegistry.Registration> registrations = new ArrayList<>();
        private volatile UserspaceDataplane dataplane;

        Agent(DataplaneContext context, PacketIoFactory ioFactory) {
            this.context = context;
            this.ioFactory = ioFactory;
        }

        @Override
        public synchronized void start() {
            AgentConfig cfg = context.config();
            AgentConfig.VirtualHostInterface vh = cfg.vhost();
            FlowTableConfig flows = flowTable(cfg.flows());
            UserspaceDataplane d = UserspaceDataplane.start(
                    new UserspaceDataplane.HostSettings(agentName(vh.name()), vh.name(), vh.ip(), vh.prefixLength(),
                            cfg.dataplane().routeTable()),
                    b -> b.metadataProxyPort(cfg.metadata().proxyPort()).flowTable(flows),
                    ioFactory);
            dataplane = d;
            d.attach(context.linklocal());
            registrations.add(context.stats().register("dataplane", () -> section(d)));
        }

        private static Map<String, Object> section(UserspaceDataplane d) {
            DataplaneStats s = d.stats();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("flows", s.flows());
            m.put("hold_flows", s.holdFlows());
            m.put("linklocal_flows", s.linkLocalFlows());
            m.put("totals", s.totals());
            Map<String, Long> drops = new LinkedHashMap<>();
            s.drops().forEach((r, v) -> drops.put(r.name(), v));
            m.put("drops", drops);
            m.put("ports", s.ports());
            m.put("isolation", d.isolation().mechanism());
            m.put("relays", d.relays().services());
            return m;
        }

        @Override
        public void portAdded(VmPort port) {
            UserspaceDataplane d = dataplane;
            if (d != null) {
                d.portAdded(port);
            }
        }

        @Override
        public void portRemoved(VmPort port) {
            UserspaceDataplane d = dataplane;
            if (d != null) {
                d.portRemoved(port);
            }
        }

        @Override
        public synchronized void close() {
            registrations.forEach(r -> {
                try {
                    r.close();
                } catch (Exception e) {
                    // a stats section that is already gone
                }
            });
            registrations.clear();
            UserspaceDataplane d = dataplane;
            dataplane = null;
            if (d != null) {
                d.close();
            }
        }
    }
}
