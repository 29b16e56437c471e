package io.vrouter.agent.dataplane.relay;

/**
 * Where the dataplane sends a non-metadata link-local service's flows: the port of the agent's
 * relay for that service on the vhost address. Implemented by {@link RelayManager}. Read on the
 * dataplane thread during flow set-up: must not block.
 */
@FunctionalInterface
public interface RelayDirectory {
    /** No relay. */
    int NONE = 0;

    /**
     * @param serviceName {@code linklocal_service_name}
     * @param protocol    6 (TCP) or 17 (UDP)
     * @return the relay's port on the vhost address, or {@link #NONE}
     */
    int relayPort(String serviceName, int protocol);

    /** A directory with no relays. */
    static RelayDirectory none() {
        return (name, proto) -> NONE;
    }
}
