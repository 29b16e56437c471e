package io.vrouter.agent;

import io.vrouter.agent.config.AgentConfig;
import io.vrouter.agent.introspect.StatsRegistry;
import io.vrouter.agent.port.PortRegistry;
import io.vrouter.linklocal.proxy.InstanceDirectory;
import io.vrouter.linklocal.registry.LinkLocalRegistry;
import java.net.InetSocketAddress;

/**
 * What the agent hands a {@link DataplaneProvider}.
 *
 * @param config    the whole agent.conf (vhost interface, metadata proxy port, flow limits)
 * @param linklocal the link-local services: {@code snapshot()} per flow miss (lock-free),
 *                  {@code subscribe(...)} to flush the flows of a removed or changed service.
 *                  Already holds the initial services when the dataplane is created
 * @param metadataProxy the metadata proxy's bound address (vhost ip : metadata_proxy_port):
 *                  the DNAT target of metadata flows
 * @param ports     the port table (read-only use: {@code get}/{@code list}); changes arrive
 *                  through {@link Dataplane#portAdded}/{@link Dataplane#portRemoved}
 * @param directory metadata IP → VM identity
 * @param stats     where to register the dataplane's {@code /stats} sections (flows, drops)
 */
public record DataplaneContext(
        AgentConfig config,
        LinkLocalRegistry linklocal,
        InetSocketAddress metadataProxy,
        PortRegistry ports,
        InstanceDirectory directory,
        StatsRegistry stats) {
}
