package io.vrouter.agent.config;

import io.vrouter.agent.dataplane.host.PortMode;
import io.vrouter.agent.dataplane.host.VhostInterface;
import java.net.Inet4Address;
import java.nio.ByteBuffer;

/**
 * {@code [DATAPLANE]} (ours): {@code enabled}, {@code route_table}, {@code port_mode},
 * {@code internal_address}, {@code kernel_fast_path}, {@code vhost_napi_thread}. The internal address goes on the agent's vhost veth as a /32, so it
 * must obey {@link VhostInterface#addressProblem} and must not lie in the host's fabric: not
 * inside {@code [VIRTUAL-HOST-INTERFACE] ip}'s subnet, and none of its gateways or
 * compute-node addresses (the agent never claims or routes the fabric; contracts §6).
 */
final class DataplaneKeys {
    private static final String S = AgentConfigParser.DATAPLANE;

    private final ConfReader r;

    DataplaneKeys(ConfReader r) {
        this.r = r;
    }

    AgentConfig.Dataplane read() {
        boolean enabled = r.bool(S, "enabled", true);
        int table = r.integer(S, "route_table", 0, 0, 0x7fff_ffff);
        r.problem(S, "route_table", Integer.toString(table), VhostInterface.routeTableProblem(table));
        PortMode mode = PortMode.EXCLUSIVE;
        String raw = r.get(S, "port_mode");
        if (raw != null && !raw.isEmpty()) {
            PortMode m = PortMode.parse(raw);
            if (m == null) {
                r.bad(S, "port_mode", raw, "exclusive (the agent owns each guest port) or shared (the port is on a"
                        + " Linux bridge or OVS; the agent takes only link-local frames)");
            } else {
                mode = m;
            }
        }
        Inet4Address internal = AgentConfig.Dataplane.defaultInternalAddress();
        String addr = r.get(S, "internal_address");
        if (addr != null && !addr.isEmpty()) {
            Inet4Address a = ConfReader.ipv4Literal(addr);
            if (a == null) {
                r.bad(S, "internal_address", addr, "a dotted-quad IPv4 address (no prefix: it is a /32)");
            } else {
                r.problem(S, "internal_address", addr, VhostInterface.addressProblem(a));
                internal = a;
            }
        }
        boolean fastPath = r.bool(S, "kernel_fast_path", true);
        boolean napiThread = r.bool(S, "vhost_napi_thread", true);
        return new AgentConfig.Dataplane(enabled, table, mode, internal, fastPath, napiThread);
    }

    /** Refuses an internal address inside the fabric (the vhost ip's subnet, a gateway, a node address). */
    void checkApartFromFabric(Inet4Address internal, AgentConfig.VirtualHostInterface vhost) {
        String why = null;
        if (vhost.ip() != null && inSubnet(internal, vhost.ip(), vhost.prefixLength())) {
            why = "an address outside the fabric subnet " + subnet(vhost.ip(), vhost.prefixLength())
                    + " of [VIRTUAL-HOST-INTERFACE] ip (the agent must never claim or route fabric addresses)";
        } else if (vhost.gateways().contains(internal) || vhost.computeNodeAddresses().contains(internal)) {
            why = "an address that is not a [VIRTUAL-HOST-INTERFACE] gateway or compute_node_address";
        }
        r.problem(S, "internal_address", internal.getHostAddress(), why);
    }

    static boolean inSubnet(Inet4Address a, Inet4Address net, int prefixLength) {
        int mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
        return (toInt(a) & mask) == (toInt(net) & mask);
    }

    private static String subnet(Inet4Address net, int prefixLength) {
        int mask = prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
        int n = toInt(net) & mask;
        return (n >>> 24) + "." + (n >>> 16 & 0xff) + "." + (n >>> 8 & 0xff) + "." + (n & 0xff) + "/" + prefixLength;
    }

    private static int toInt(Inet4Address a) {
        return ByteBuffer.wrap(a.getAddress()).getInt();
    }
}
