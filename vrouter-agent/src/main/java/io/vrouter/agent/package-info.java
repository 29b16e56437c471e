/**
 * The compute-node agent process: {@link io.vrouter.agent.AgentMain} (command line) and
 * {@link io.vrouter.agent.ComputeNodeAgent}, which owns every component's lifecycle — the
 * link-local registry and its source, the metadata proxy, the port table with port IPC, the
 * introspect endpoint, and the packet path behind the {@link io.vrouter.agent.dataplane.AgentDataplane}.
 *
 * <p>Thread model: start and close run on the caller's thread (main, or the shutdown hook on
 * SIGTERM); each component then runs on its own threads as documented in its package.
 */
package io.vrouter.agent;
