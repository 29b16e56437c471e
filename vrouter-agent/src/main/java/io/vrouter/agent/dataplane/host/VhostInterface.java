package io.vrouter.agent.dataplane.host;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vhost side of the userspace dataplane: a veth pair owned by the agent. The <em>kernel
 * end</em> ({@code VIRTUAL-HOST-INTERFACE.name}, default {@code vhost0}) carries the compute
 * node's vhost address, where the metadata proxy and the service relays listen; the <em>agent
 * end</em> ({@code <name>-dp}) is captured and injected by the dataplane and isolated from the
 * kernel. Set-up, in order:
 *
 * <pre>
 * ip link delete dev vhost0                              (only a veth left by a previous run)
 * ip link add vhost0 type veth peer name vhost0-dp
 * sysctl -w net.ipv6.conf.{vhost0,vhost0-dp}.disable_ipv6=1
 * ethtool -K vhost0 tx off tso off gso off gro off       (whole, checksummed frames only)
 * sysctl -w net.ipv4.conf.vhost0.rp_filter=2
 * ip addr add 10.1.1.5/32 dev vhost0
 * ip link set vhost0-dp up; ip link set vhost0 up
 * ip route replace 169.254.0.0/16 dev vhost0 src 10.1.1.5 [table T]
 * ip rule add from 10.1.1.5 lookup T priority P           (only with a table)
 * </pre>
 *
 * <p>Offloads are turned off on the kernel end because a userspace dataplane sees frames as the
 * kernel hands them to the veth: with TSO/GSO a reply could be one 64 KiB "frame" the guest's
 * link cannot carry, and with checksum offload the TCP checksum would be only the pseudo-header
 * sum. With a routing table set, only traffic sourced from the vhost address uses the link-local
 * route, so several agents (tests, a demo) can share one host.
 *
 * <p>Not thread-safe: created and closed on the agent's control thread.
 */
public final class VhostInterface implements AutoCloseable {
    /** The link-local range routed to the vhost interface. */
    public static final String LINK_LOCAL_PREFIX = "169.254.0.0/16";
    /** Suffix of the agent end's name. */
    public static final String AGENT_END_SUFFIX = "-dp";
    /** Policy-rule priority used with a dedicated routing table (before {@code main}, 32766). */
    public static final int DEFAULT_RULE_PRIORITY = 1000;

    private static final Logger LOG = LoggerFactory.getLogger(VhostInterface.class);

    private final String name;
    private final String agentEnd;
    private final Inet4Address address;
    private final int routeTable;
    private final long kernelMac;
    private final long agentMac;
    private boolean closed;

    private VhostInterface(String name, String agentEnd, Inet4Address address, int routeTable,
                           long kernelMac, long agentMac) {
        this.name = name;
        this.agentEnd = agentEnd;
        this.address = address;
        this.routeTable = routeTable;
        this.kernelMac = kernelMac;
        this.agentMac = agentMac;
    }

    /** The agent end's name for a vhost interface name. */
    public static String agentEndName(String vhostName) {
        return vhostName + AGENT_END_SUFFIX;
    }

    /**
     * Creates the pair and its address and route.
     *
     * @param name         kernel end, at most 12 characters (the agent end adds "-dp")
     * @param address      the vhost IPv4 address
     * @param prefixLength prefix of the address on the kernel end (32 when the vhost network is
     *                     not reached through it)
     * @param routeTable   0 to put the link-local route in {@code main}; otherwise a routing table
     *                     id (1-252 or above 255) used with a {@code from address} rule
     * @throws IllegalArgumentException when a name is too long, the address is loopback,
     *                                  link-local, multicast or unspecified, or {@code name}
     *                                  exists and is not a veth (never deletes a foreign interface)
     * @throws HostCommand.HostCommandException when a command fails (everything done is undone)
     */
    public static VhostInterface create(String name, Inet4Address address, int prefixLength, int routeTable) {
        String agentEnd = agentEndName(name);
        if (name.isEmpty() || agentEnd.length() > 15 || !name.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("vhost interface name must be 1-12 characters of "
                    + "[A-Za-z0-9_.-] (its agent end is <name>-dp): " + name);
        }
        if (address.isLoopbackAddress() || address.isAnyLocalAddress() || address.isMulticastAddress()
                || address.isLinkLocalAddress() || address.getAddress()[0] == (byte) 255) {
            // 127/8 would take the host's loopback routes, 169.254/16 the guests' metadata IPs.
            throw new IllegalArgumentException("vhost address must be a unicast, non-loopback, non-link-local "
                    + "IPv4 address: " + address.getHostAddress());
        }
        if (prefixLength < 1 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length must be 1-32: " + prefixLength);
        }
        if (routeTable < 0 || routeTable == 253 || routeTable == 254 || routeTable == 255) {
            throw new IllegalArgumentException("route table must be 0 (main) or a private table id: " + routeTable);
        }
        removeLeftover(name);
        String ip = address.getHostAddress();
        List<String[]> undo = new ArrayList<>();
        try {
            HostCommand.runChecked("ip", "link", "add", name, "type", "veth", "peer", "name", agentEnd);
            undo.add(new String[] {"ip", "link", "delete", "dev", name});
            HostCommand.run("sysctl", "-q", "-w", "net.ipv6.conf." + name + ".disable_ipv6=1");
            HostCommand.run("sysctl", "-q", "-w", "net.ipv6.conf." + agentEnd + ".disable_ipv6=1");
            HostCommand.Result off = HostCommand.run("ethtool", "-K", name, "tx", "off", "tso", "off", "gso", "off", "gro", "off");
            if (off.exitCode() == 127) {
                throw new IllegalStateException("ethtool is required to turn off offloads on the vhost "
                        + "(Debian package ethtool): " + off.stderr());
            }
            off.check();
            HostCommand.runChecked("sysctl", "-q", "-w", "net.ipv4.conf." + name + ".rp_filter=2");
            HostCommand.runChecked("ip", "addr", "add", ip + "/" + prefixLength, "dev", name);
            HostCommand.runChecked("ip", "link", "set", agentEnd, "up");
            HostCommand.runChecked("ip", "link", "set", name, "up");
            if (routeTable == 0) {
                HostCommand.runChecked("ip", "route", "replace", LINK_LOCAL_PREFIX, "dev", name, "src", ip);
            } else {
                String t = Integer.toString(routeTable);
                HostCommand.runChecked("ip", "route", "replace", LINK_LOCAL_PREFIX, "dev", name, "src", ip, "table", t);
                HostCommand.run("ip", "rule", "del", "from", ip, "lookup", t); // a killed run's rule
                HostCommand.runChecked("ip", "rule", "add", "from", ip, "lookup", t,
                        "priority", Integer.toString(DEFAULT_RULE_PRIORITY));
                undo.add(new String[] {"ip", "rule", "del", "from", ip, "lookup", t});
            }
            VhostInterface v = new VhostInterface(name, agentEnd, address, routeTable, readMac(name), readMac(agentEnd));
            LOG.info("vhost {} ({}/{}) <-> {} up, route {}{}", name, ip, prefixLength, agentEnd,
                    LINK_LOCAL_PREFIX, routeTable == 0 ? "" : " table " + routeTable);
            return v;
        } catch (RuntimeException e) {
            for (int i = undo.size() - 1; i >= 0; i--) {
                HostCommand.run(undo.get(i));
            }
            throw e;
        }
    }

    private static void removeLeftover(String name) {
        HostCommand.Result show = HostCommand.run("ip", "-d", "-o", "link", "show", "dev", name);
        if (!show.ok()) {
            return;
        }
        if (!show.stdout().contains(" veth ")) {
            throw new IllegalArgumentException("interface " + name + " exists and is not a veth; refusing to replace it");
        }
        LOG.warn("removing leftover vhost veth {} of a previous run", name);
        HostCommand.runChecked("ip", "link", "delete", "dev", name);
    }

    /** Reads an interface's MAC from sysfs as a long (low 48 bits). */
    public static long readMac(String ifName) {
        try {
            String text = Files.readString(Path.of("/sys/class/net", ifName, "address")).strip();
            return parseMac(text);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read MAC of " + ifName + ": " + e.getMessage(), e);
        }
    }

    static long parseMac(String text) {
        String[] parts = text.toLowerCase(Locale.ROOT).split(":");
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC: " + text);
        }
        long mac = 0;
        for (String p : parts) {
            mac = (mac << 8) | Integer.parseInt(p, 16);
        }
        return mac;
    }

    /** The kernel end ({@code vhost0}). */
    public String name() {
        return name;
    }

    /** The agent end ({@code vhost0-dp}), captured and injected by the dataplane. */
    public String agentEnd() {
        return agentEnd;
    }

    public Inet4Address address() {
        return address;
    }

    /** MAC of the kernel end: the destination of frames the dataplane injects towards the host. */
    public long kernelMac() {
        return kernelMac;
    }

    /** MAC of the agent end. */
    public long agentMac() {
        return agentMac;
    }

    /** Deletes the pair (its address and route go with it) and the policy rule; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        HostCommand.run("ip", "link", "delete", "dev", name);
        if (routeTable != 0) {
            HostCommand.run("ip", "rule", "del", "from", address.getHostAddress(), "lookup", Integer.toString(routeTable));
        }
    }
}
