package io.vrouter.agent;

import io.vrouter.agent.port.PortObserver;

/**
 * The packet path of the agent (capture on guest interfaces, flow table, NAT to the link-local
 * services), as the agent's lifecycle sees it. Made by a {@link DataplaneProvider}.
 *
 * <p>Order, driven by {@link ComputeNodeAgent}: created; registered as a {@link PortObserver},
 * so it hears {@code portAdded} for every replayed port <em>before</em> {@link #start()};
 * started; then hears live port changes from the port-IPC thread; closed at shutdown after
 * port IPC has stopped. {@code portAdded}/{@code portRemoved} must not block.
 */
public interface Dataplane extends PortObserver, AutoCloseable {

    /** Starts packet I/O. Throws when it cannot (the agent then stops with the reason). */
    void start() throws Exception;

    /** Stops packet I/O and removes what it set up on the host. Idempotent; never throws. */
    @Override
    void close();
}
