package io.vrouter.linklocal.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Set;

/**
 * Which fabric addresses a link-local service may forward guests to. A guest's packets to a
 * service are NAT'd to its fabric address, so a fabric address on this node hands guests the
 * node's own services (port IPC lists and creates every tenant's ports; introspect): such
 * targets are refused when config is validated (config API, CLI, services file) and again for
 * every address a DNS name resolves to (the registry).
 *
 * <table>
 *   <caption>Refused fabric addresses</caption>
 *   <tr><th>address</th><th>why</th></tr>
 *   <tr><td>unspecified ({@code 0.0.0.0/8}, {@code ::})</td><td>"this host": reaches local listeners</td></tr>
 *   <tr><td>multicast, {@code 255.255.255.255}</td><td>not a service; floods the fabric</td></tr>
 *   <tr><td>link-local ({@code 169.254.0.0/16}, {@code fe80::/10})</td><td>the guests' own
 *       side: a loop through the agent's NAT</td></tr>
 *   <tr><td>loopback ({@code 127.0.0.0/8}, {@code ::1})</td><td>this node's own services; allowed
 *       only for a {@code metadata} entry (nova on this node: the proxy sends it HTTP with its own
 *       signed identity, never raw guest packets), and then not on the agent's default
 *       listening ports {@link #AGENT_DEFAULT_PORTS}</td></tr>
 *   <tr><td>DNS name {@code localhost}, {@code *.localhost}</td><td>loopback by definition (RFC 6761)</td></tr>
 * </table>
 *
 * <p>The agent also refuses its configured listening ports on any of its addresses (it knows
 * them; the config API and the CLI do not).
 */
public final class FabricTargets {
    /** Contrail's defaults: port IPC 9091, introspect 8085, metadata proxy 8097. */
    public static final Set<Integer> AGENT_DEFAULT_PORTS = Set.of(9091, 8085, 8097);

    private FabricTargets() {
    }

    /**
     * Why {@code address:port} may not be the fabric target of an entry, or {@code null} when it may.
     *
     * @param metadata the entry is served by the metadata proxy (its name contains {@code metadata})
     */
    public static String refusal(InetAddress address, int port, boolean metadata) {
        if (isUnspecified(address)) {
            return "is an unspecified address (this host), not a fabric service";
        }
        if (address.isMulticastAddress() || isBroadcast(address)) {
            return "is a multicast or broadcast address, not a fabric service";
        }
        if (address.isLinkLocalAddress()) {
            return "is a link-local address (the guests' side), not a fabric service";
        }
        if (address.isLoopbackAddress()) {
            if (!metadata) {
                return "is a loopback address: guests would reach this node's own services";
            }
            if (AGENT_DEFAULT_PORTS.contains(port)) {
                return "is this node's loopback on port " + port
                        + ", a port the agent itself listens on (port IPC 9091, introspect 8085, metadata proxy 8097)";
            }
        }
        return null;
    }

    /** Why a fabric DNS name is refused before it is ever resolved, or {@code null}. */
    public static String refusal(String dnsName) {
        String n = dnsName.toLowerCase(Locale.ROOT);
        if (n.endsWith(".")) {
            n = n.substring(0, n.length() - 1);
        }
        if (n.equals("localhost") || n.endsWith(".localhost")) {
            return "names this node's loopback (RFC 6761): guests would reach this node's own services";
        }
        return null;
    }

    private static boolean isUnspecified(InetAddress a) {
        return a.isAnyLocalAddress() || (a instanceof Inet4Address && a.getAddress()[0] == 0);
    }

    private static boolean isBroadcast(InetAddress a) {
        byte[] b = a.getAddress();
        return b.length == 4 && b[0] == -1 && b[1] == -1 && b[2] == -1 && b[3] == -1;
    }
}
