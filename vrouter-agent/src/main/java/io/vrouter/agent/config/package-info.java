/**
 * {@code agent.conf}: Contrail's INI format parsed by {@link io.vrouter.agent.config.AgentConfigParser}
 * (read by the shared {@link io.vrouter.plumbing.config.IniFile}) into the immutable {@link io.vrouter.agent.config.AgentConfig}.
 * Parsing happens once, on the starting thread; the result is shared read-only.
 */
package io.vrouter.agent.config;
