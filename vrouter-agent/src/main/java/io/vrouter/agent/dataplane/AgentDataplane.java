package io.vrouter.agent.dataplane;

import io.vrouter.agent.port.PortObserver;

/**
 * The packet path of the agent (capture on guest interfaces, flow table, NAT to the link-local
 * services, the vhost interface), as the agent's lifecycle sees it: {@link UserspaceDataplane} on
 * a node, a recording fake in the agent's tests.
 *
 * <p>Order, driven by {@code ComputeNodeAgent}: created (touching nothing on the host); asked
 * {@link #unavailabilityCause()}; {@link #start()}ed — which brings up the vhost interface and its
 * address, so the metadata proxy can bind there next; registered as a {@link PortObserver}, then
 * told {@code portAdded} for every port replayed from disk and afterwards of live changes from
 * the port-IPC thread; closed at shutdown after port IPC and the metadata proxy have stopped.
 * {@code portAdded}/{@code portRemoved} must not block.
 */
public interface AgentDataplane extends PortObserver, AutoCloseable {

    /**
     * Null when this dataplane can run on this host; otherwise why not (libpcap missing...), in
     * the shape of Netty's {@code Epoll.unavailabilityCause()}. The agent then refuses to start
     * and names the reason. Cheap, no side effects.
     */
    String unavailabilityCause();

    /** Starts packet I/O. Throws when it cannot (the agent then stops with the reason). */
    void start() throws Exception;

    /**
     * The packet pipeline once started, for readers (introspect: flow table, counters); null
     * before start and for dataplanes that have none (test fakes).
     */
    default Dataplane dataplane() {
        return null;
    }

    /**
     * After {@link #start()}: the vhost's IPv6 address, with its scope, where the metadata proxy
     * also listens for metadata6 guests; null when this dataplane carries no IPv6 to the proxy.
     */
    default java.net.Inet6Address metadataAddress6() {
        return null;
    }

    /** Stops packet I/O and removes what it set up on the host. Idempotent; never throws. */
    @Override
    void close();
}
