/**
 * {@code agent.conf}: Contrail's INI format parsed by {@link io.vrouter.agent.config.AgentConfigParser}
 * (commons-configuration2) into the immutable {@link io.vrouter.agent.config.AgentConfig}.
 * Parsing happens once, on the starting thread; the result is shared read-only.
 */
package io.vrouter.agent.config;
