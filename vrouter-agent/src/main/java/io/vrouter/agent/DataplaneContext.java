package io.vrouter.agent;

import io.vrouter.agent.config.AgentConfig;
import io.vrouter.agent.introspect.StatsRegistry;
import io.vrouter.agent.port.PortRegistry;
import io.vrouter.linklocal.proxy.InstanceDirectory;
import io.vrouter.linklocal.registry.LinkLocalRegistry;

/**
 * What the agent hands an {@link AgentDataplaneProvider}.
 *
 * @param config    the whole agent.conf: {@code vhost()} (name, ip, prefix), {@code
 *                  metadata().proxyPort()} (the DNAT target of metadata flows, on the vhost
 *                  ip; never 0 when the dataplane is enabled), {@code flows()} limits,
 *                  {@code dataplane().routeTable()}
 * @param linklocal the link-local services: {@code snapshot()} per flow miss (lock-free),
 *                  {@code subscribe(...)} to follow changes. Already holds the initial services
 *                  (file or built-in; with a config API they may arrive later)
 * @param ports     the port table (read-only use: {@code get}/{@code list}); changes arrive
 *                  through {@link AgentDataplane#portAdded}/{@link AgentDataplane#portRemoved}
 * @param directory metadata IP → VM identity
 * @param stats     where to register the dataplane's {@code /stats} sections (flows, drops)
 */
public record DataplaneContext(
        AgentConfig config,
        LinkLocalRegistry linklocal,
        PortRegistry ports,
        InstanceDirectory directory,
        StatsRegistry stats) {
}
