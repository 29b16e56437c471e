package io.vrouter.agent.introspect;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * {@code /stats/agent}: the process.
 *
 * @param pid           the agent's process id
 * @param transport     {@code epoll} or {@code nio} (the HTTP servers' Netty transport)
 * @param dataplane     false in proxy-only mode ({@code [DATAPLANE] enabled = false})
 * @param jvm           the JVM's version
 * @param uptimeSeconds since the agent object was made
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AgentSection(long pid, String transport, boolean dataplane, String jvm, long uptimeSeconds) {
}
