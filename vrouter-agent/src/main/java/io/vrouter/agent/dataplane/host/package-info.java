/**
 * Host plumbing of the userspace dataplane, done with the system's own tools (ip, nft, tc,
 * ethtool, sysctl) through {@link io.vrouter.agent.dataplane.host.HostCommand}, never a shell:
 * the vhost veth pair with its internal address and link-local route
 * ({@link io.vrouter.agent.dataplane.host.VhostInterface}), the ingress drop that keeps the
 * host kernel from every frame of a dataplane interface
 * ({@link io.vrouter.agent.dataplane.host.HostIsolation}), and in shared port mode
 * ({@link io.vrouter.agent.dataplane.host.PortMode}) the tc filter that keeps only link-local
 * frames from the node's bridge ({@link io.vrouter.agent.dataplane.host.TcLinkLocalDiversion},
 * matching {@link io.vrouter.agent.dataplane.host.LinkLocalFilter}).
 *
 * <p>Thread model: control paths only (start, port add/remove, stop), each call synchronous and
 * bounded by {@link io.vrouter.agent.dataplane.host.HostCommand#DEFAULT_TIMEOUT}. Everything
 * created is named after the agent, so a restarted agent finds and replaces what a killed one
 * left.
 */
package io.vrouter.agent.dataplane.host;
