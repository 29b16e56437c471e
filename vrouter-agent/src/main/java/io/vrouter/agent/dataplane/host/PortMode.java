package io.vrouter.agent.dataplane.host;

import java.util.Locale;

/**
 * How the agent attaches to a guest's tap ({@code [DATAPLANE] port_mode}).
 *
 * <ul>
 *   <li>{@link #EXCLUSIVE}: the agent owns the port. Every frame the guest sends is the agent's
 *       (nft/tc ingress drop: the host kernel never sees it); the agent is the guest's only
 *       neighbour. For nodes without other forwarding (the demo).</li>
 *   <li>{@link #SHARED}: the tap is a Linux bridge or OVS port and the node's own forwarding
 *       carries the guest's traffic. The agent captures only link-local frames
 *       ({@link LinkLocalFilter}) and a tc ingress filter keeps those, and only those, from the
 *       bridge ({@link TcLinkLocalDiversion}); everything else flows untouched, with the agent up,
 *       down or restarting.</li>
 * </ul>
 */
public enum PortMode {
    EXCLUSIVE,
    SHARED;

    /** The mode for an agent.conf value ({@code exclusive} or {@code shared}, any case), or null. */
    public static PortMode parse(String value) {
        for (PortMode m : values()) {
            if (m.confValue().equals(value.strip().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        return null;
    }

    /** The agent.conf spelling. */
    public String confValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
