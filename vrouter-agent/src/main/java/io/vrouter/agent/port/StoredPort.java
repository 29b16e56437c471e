package io.vrouter.agent.port;

/**
 * A port as read from its store: the request, the interface index this agent assigned or
 * {@link #NO_INDEX} for an entry this agent has not written yet ({@code vrouter-port-control}
 * writes the request alone, also while the agent is down), and where it was read from (a
 * file name, for reports).
 */
public record StoredPort(PortRequest request, int interfaceIndex, String source) {
    public static final int NO_INDEX = -1;

    public String id() {
        return request.id();
    }
}
