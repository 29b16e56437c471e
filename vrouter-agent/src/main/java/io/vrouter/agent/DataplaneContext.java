package io.vrouter.agent;

import io.vrouter.agent.config.AgentConfig;
import io.vrouter.agent.introspect.StatsRegistry;
import io.vrouter.agent.port.PortRegistry;
import io.vrouter.linklocal.config.LinkLocalServices;
import io.vrouter.linklocal.proxy.InstanceDirectory;
import java.util.function.Supplier;

/**
 * What the agent hands a {@link DataplaneProvider}.
 *
 * @param config    the whole agent.conf (vhost interface, metadata proxy port, flow limits)
 * @param services  the link-local services in force; read it per flow setup, it changes live
 * @param ports     the port table (read-only use: {@code get}/{@code list}); changes arrive
 *                  through {@link Dataplane#portAdded}/{@link Dataplane#portRemoved}
 * @param directory metadata IP → VM identity
 * @param stats     where to register the dataplane's {@code /stats} sections (flows, drops)
 */
public record DataplaneContext(
        AgentConfig config,
        Supplier<LinkLocalServices> services,
        PortRegistry ports,
        InstanceDirectory directory,
        StatsRegistry stats) {
}
