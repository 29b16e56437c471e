/**
 * The agent's userspace dataplane: guest frames captured on each port's host-side interface are
 * parsed, checked (source MAC/IP), answered (ARP) or looked up in the flow table, NAT'd to the
 * metadata proxy or a service relay on the vhost address and injected into the vhost pair; the
 * host kernel's replies come back the same way, reversed.
 *
 * <h2>Roles</h2>
 * <ul>
 *   <li>{@link io.vrouter.agent.dataplane.Dataplane}: the packet pipeline, one thread (an
 *       Agrona agent), testable cycle by cycle on in-memory packet I/O. Its parts:
 *       {@link io.vrouter.agent.dataplane.PortTable} (ports by interface index),
 *       {@link io.vrouter.agent.dataplane.FlowSetup} (what a new flow becomes: registry lookup,
 *       NAT pair), {@link io.vrouter.agent.dataplane.NeighborAnswers} (ARP and IPv6 neighbour
 *       discovery answers), {@link io.vrouter.agent.dataplane.Egress} (NAT and transmit), {@link io.vrouter.agent.dataplane.ControlQueue} (commands from other threads)
 *       and {@link io.vrouter.agent.dataplane.DataplaneIdleStrategy} (sleep and wake-up).</li>
 *   <li>{@link io.vrouter.agent.dataplane.UserspaceDataplane}: the agent's
 *       {@link io.vrouter.agent.dataplane.AgentDataplane}, the same on a real host (vhost veth,
 *       nft/tc isolation, pcap, relays), made from agent.conf and driven by port events and the
 *       link-local registry. The agent creates it directly.</li>
 * </ul>
 * Sub-packages: {@code host} (vhost pair, isolation), {@code io} (packet I/O), {@code relay}
 * (service relays). None of them depends on this package.
 *
 * <h2>Thread model</h2>
 No thread per port: the single dataplane thread ({@code vrouter-dataplane}) owns the flow
 * table, the port table and the service state, learns from one epoll selector which ports'
 * capture rings hold frames, takes up to a batch from each straight into one reused buffer,
 * sets up flows, ages them and injects; it sleeps in that selector when idle. Threads do not
 * grow with ports, and a port costs its capture ring (192 KiB; see
 * {@link io.vrouter.agent.dataplane.io.PcapPacketIo}) and a few hundred bytes of state. Every other thread reaches it through commands answered with futures. Host commands
 * (nft, ip, pcap open/close) run on {@code dataplane-control}, never on the dataplane thread.
 * Counters are single-writer and may be read from any thread.
 *
 * <h2>Invariants</h2>
 * A guest port's interface id in flow keys is its {@code interfaceIndex} (1-65534) and its
 * metadata IP is 169.254.0.0 + that index, its IPv6 metadata source fe80::a9fe:XXYY (the same
 * 32 bits under fe80::, link-local on the vhost link; why: {@code InterfaceIndexAllocator});
 * the vhost is interface id 0 and carries fe80::a9fe:ffff, where the proxy listens for
 * metadata6. IPv6 flows are only ever towards metadata6 (other IPv6 services: NO_SERVICE). A port removed has no
 * flows left; a service removed or changed has no flows left; a service added has no drop flows
 * left from guests that asked before it existed.
 */
package io.vrouter.agent.dataplane;
