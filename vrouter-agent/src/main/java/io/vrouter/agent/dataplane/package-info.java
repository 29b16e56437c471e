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
 *       discovery answers), {@link io.vrouter.agent.dataplane.VhostFrames} (the host's replies, in),
 *       {@link io.vrouter.agent.dataplane.Egress} (NAT and transmit), {@link io.vrouter.agent.dataplane.ControlQueue} (commands from other threads)
 *       {@link io.vrouter.agent.dataplane.AgingPace} (how many flows aging visits per tick)
 *       and {@link io.vrouter.agent.dataplane.DataplaneIdleStrategy} (sleep and wake-up).</li>
 *   <li>{@link io.vrouter.agent.dataplane.UserspaceDataplane}: the agent's
 *       {@link io.vrouter.agent.dataplane.AgentDataplane}, the same on a real host (vhost veth,
 *       nft/tc isolation, pcap, relays), made from agent.conf and driven by port events and the
 *       link-local registry. The agent creates it directly.</li>
 * </ul>
 * Sub-packages: {@code host} (vhost pair, isolation), {@code io} (packet I/O), {@code relay}
 * (service relays). None of them depends on this package.
 *
 * <h2>Port modes ({@code [DATAPLANE] port_mode})</h2>
 * <ul>
 *   <li><b>exclusive</b> (default, the demo): the agent owns each guest port. Every frame is
 *       captured and the host kernel never sees any (nft/tc ingress drop); the agent is the
 *       guest's only neighbour and answers all its ARP.</li>
 *   <li><b>shared</b>: the tap is a Linux bridge or OVS port and the node forwards the guest's
 *       traffic. The pcap handle captures only link-local frames
 *       ({@link io.vrouter.agent.dataplane.host.LinkLocalFilter}: IPv4 to 169.254/16, ARP for it,
 *       IPv6 to fe80::a9fe:a9fe and NS for it) and a tc ingress filter on the tap
 *       ({@link io.vrouter.agent.dataplane.host.TcLinkLocalDiversion}) drops exactly those
 *       before the bridge: packet taps see a frame before tc ingress, so the agent still gets it.
 *       Replies are injected on the tap as in exclusive mode. Everything else is never seen by
 *       the agent, so it flows with the agent up, down or restarting; with the agent dead the
 *       filter stays and link-local fails closed.</li>
 * </ul>
 * In both modes the vhost veth carries {@code [DATAPLANE] internal_address} (a /32 of
 * 198.18.0.0/15 by default), never the fabric {@code ip}: the host's fabric addresses and routes
 * stay the host's; the only route the agent adds is 169.254.0.0/16 via the vhost.
 *
 * <h2>Thread model</h2>
 No thread per port: the single dataplane thread ({@code vrouter-dataplane}) owns the flow
 * table, the port table and the service state, learns from one epoll selector which ports'
 * capture sockets hold frames, takes up to a batch from each straight into one reused buffer,
 * sets up flows, ages them and injects; it sleeps in that selector when idle. Threads do not
 * grow with ports, and a port costs its packet socket (no ring: frames are queued in the kernel
 * only while they wait; see {@link io.vrouter.agent.dataplane.io.AfPacketIo}) and a few hundred
 * bytes of state; the vhost has the one ring ({@link io.vrouter.agent.dataplane.io.PcapPacketIo}).
 * Every other thread reaches it through commands answered with futures. Capture closes run on
 * {@code dataplane-control}, a port's host isolation (nft, tc) on {@code dataplane-isolation}
 * (so the next port's hand-off never waits for a fork), never on the dataplane thread;
 * a port's capture is opened on the thread of its port event (no fork: a few system calls), so
 * its socket holds the guest's frames from before port IPC answers ({@code PortAttachments}).
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
