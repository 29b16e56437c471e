package io.vrouter.agent.dataplane;

import io.vrouter.agent.config.AgentConfig;
import io.vrouter.agent.introspect.StatsRegistry;
import io.vrouter.linklocal.registry.LinkLocalRegistry;

/**
 * What the agent hands its {@link AgentDataplane}.
 *
 * @param config    the whole agent.conf: {@code vhost()} (name, ip, prefix), {@code
 *                  metadata().proxyPort()} (the DNAT target of metadata flows, on the vhost
 *                  ip; never 0 when the dataplane is enabled), {@code flows()} limits,
 *                  {@code dataplane().routeTable()}
 * @param linklocal the link-local services: {@code snapshot()} per flow miss (lock-free),
 *                  {@code subscribe(...)} to follow changes. Already holds the initial services
 *                  (file or built-in; with a config API they may arrive later)
 * @param stats     where to register the dataplane's {@code /stats} section
 */
public record DataplaneContext(AgentConfig config, LinkLocalRegistry linklocal, StatsRegistry stats) {
}
