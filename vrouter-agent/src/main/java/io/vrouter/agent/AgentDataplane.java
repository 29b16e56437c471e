package io.vrouter.agent;

import io.vrouter.agent.port.PortObserver;

/**
 * The packet path of the agent (capture on guest interfaces, flow table, NAT to the link-local
 * services, the vhost interface), as the agent's lifecycle sees it. Made by an
 * {@link AgentDataplaneProvider}.
 *
 * <p>Order, driven by {@link ComputeNodeAgent}: created; {@link #start()}ed — which brings up
 * the vhost interface and its address, so the metadata proxy can bind there next; registered
 * as a {@link PortObserver}, then told {@code portAdded} for every port replayed from disk and
 * afterwards of live changes from the port-IPC thread; closed at shutdown after port IPC and
 * the metadata proxy have stopped. {@code portAdded}/{@code portRemoved} must not block.
 */
public interface AgentDataplane extends PortObserver, AutoCloseable {

    /** Starts packet I/O. Throws when it cannot (the agent then stops with the reason). */
    void start() throws Exception;

    /** Stops packet I/O and removes what it set up on the host. Idempotent; never throws. */
    @Override
    void close();
}
