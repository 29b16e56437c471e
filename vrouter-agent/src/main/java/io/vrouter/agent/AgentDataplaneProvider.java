package io.vrouter.agent;

/**
 * Makes the agent's {@link AgentDataplane}. Found with {@link java.util.ServiceLoader}: an
 * implementation lists its class in
 * {@code META-INF/services/io.vrouter.agent.AgentDataplaneProvider}, so the agent's lifecycle
 * does not depend on the packet-I/O code at compile time. With {@code [DATAPLANE] enabled =
 * false} no provider is used (proxy-only mode).
 */
public interface AgentDataplaneProvider {

    /** Short name for logs, e.g. {@code pcap}. */
    String name();

    /**
     * Null when this provider can run on this host; otherwise why not (libpcap missing, not
     * root...), which the agent reports when it refuses to start.
     */
    String unavailabilityCause();

    /** A new, not yet started dataplane. */
    AgentDataplane create(DataplaneContext context) throws Exception;
}
