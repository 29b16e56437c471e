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
 * end</em> ({@code VIRTUAL-HOST-INTERFACE.name}, default {@code vhost0}) carries the agent's
 * internal address ({@code [DATAPLANE] internal_address}, a /32: never the fabric address, so no
 * route competes with the NIC's), where the metadata proxy and the service relays listen; the <em>agent
 * end</em> ({@code <name>-dp}) is captured and injected by the dataplane and isolated from the
 * kernel. Set-up, in order:
 *
 * <pre>
 * ip link delete dev vhost0                              (only a veth marked as ours: see below)
 * ip link add vhost0 type veth peer name vhost0-dp
 * ip link set dev vhost0 alias vrouter-agent; ip link set dev vhost0-dp alias vrouter-agent
 * sysctl -w net.ipv6.conf.vhost0-dp.disable_ipv6=1
 * sysctl -w net.ipv6.conf.vhost0.{addr_gen_mode=1,accept_ra=0,disable_ipv6=0}   (metadata6, below)
 * ethtool -K vhost0 tx off tso off gso off gro off       (whole, checksummed frames only)
 * sysctl -w net.ipv4.conf.vhost0.rp_filter=2
 * ip addr add 198.18.169.254/32 dev vhost0
 * ip -6 addr add fe80::a9fe:ffff/64 dev vhost0 nodad
 * ip link set vhost0-dp up; ip link set vhost0 up
 * ethtool -K vhost0 gro on; ethtool -K vhost0-dp tso off gso off; echo 1 > /sys/class/net/vhost0/threaded
 *                                                        (napiThread: see below)
 * ip route replace 169.254.0.0/16 dev vhost0 src 198.18.169.254 [table T]
 * ip rule add from 198.18.169.254 lookup T priority P           (only with a table)
 * </pre>
 *
 * <p>IPv6 on the kernel end carries only the link-local fe80::a9fe:ffff, where the metadata
 * proxy listens for metadata6 guests (why link-local: {@code InterfaceIndexAllocator}): no
 * generated link-local address, no router advertisements taken, no duplicate address detection
 * (the dataplane is the only other node on the link); the agent end has IPv6 off, as the kernel
 * must not answer anything there.
 *
 * <p>Offloads are turned off on the kernel end because a userspace dataplane sees frames as the
 * kernel hands them to the veth: with TSO/GSO a reply could be one 64 KiB "frame" the guest's
 * link cannot carry, and with checksum offload the TCP checksum would be only the pseudo-header
 * sum. With a routing table set, only traffic sourced from the vhost address uses the link-local
 * route, so several agents (tests, a demo) can share one host.
 *
 * <p>With {@code napiThread} ({@code [DATAPLANE] vhost_napi_thread}) the kernel end receives
 * through NAPI in its own kernel thread ({@code napi/vhost0-N}): veth hands a frame to NAPI when
 * the receiving end has GRO on and the sending end no TSO. Without it, the host's whole receive of
 * a frame the dataplane injects (the SYN: the listening socket's SYN-ACK, and whatever else this
 * CPU's backlog holds) runs inside the dataplane thread's {@code sendto}: measured, half of that
 * thread's time with a new connection per request. With it the dataplane thread, one for the whole
 * node, hands the frame over and goes on; the work itself is the same (the README has the figures).
 * A kernel without threaded NAPI (before 5.12) keeps the old way, said in a warning.
 *
 * <p>Ownership: both ends carry the alias {@value #MARK} (the kernel's {@code ifalias}). An
 * existing interface named like either end is deleted only when it is a veth with that mark,
 * i.e. one an agent made; the caller holds the {@link NodeLock} for the name, so the agent that
 * made it is gone. Anything else is refused with a {@link NotOursException} and left alone. (An
 * agent killed between {@code ip link add} and setting the alias leaves an unmarked pair: the
 * next start refuses it by name, and the operator deletes it.)
 *
 * <p>Not thread-safe: created and closed on the agent's control thread.
 */
public final class VhostInterface implements AutoCloseable {
    /** The link-local range routed to the vhost interface. */
    public static final String LINK_LOCAL_PREFIX = "169.254.0.0/16";
    /** The kernel end's IPv6 address: where the metadata proxy listens for metadata6. */
    public static final String METADATA6_ADDRESS = io.vrouter.agent.port.InterfaceIndexAllocator.VHOST_METADATA6;
    /** Suffix of the agent end's name. */
    public static final String AGENT_END_SUFFIX = "-dp";
    /** Policy-rule priority used with a dedicated routing table (before {@code main}, 32766). */
    public static final int DEFAULT_RULE_PRIORITY = 1000;
    /** The alias ({@code ifalias}) on both ends: proof that an agent created the pair. */
    public static final String MARK = "vrouter-agent";
    /** Longest kernel-end name: the agent end adds {@value #AGENT_END_SUFFIX} within Linux's 15. */
    public static final int MAX_NAME_LENGTH = 15 - AGENT_END_SUFFIX.length();

    private static final Logger LOG = LoggerFactory.getLogger(VhostInterface.class);

    private final String name;
    private final long kernelMac;
    private final boolean metadata6;
    /** The {@code ip rule del} that undoes the policy rule; null without a routing table. */
    private final String[] ruleDelete;
    private boolean closed;

    private VhostInterface(String name, long kernelMac, boolean metadata6, String[] ruleDelete) {
        this.name = name;
        this.kernelMac = kernelMac;
        this.metadata6 = metadata6;
        this.ruleDelete = ruleDelete;
    }

    /** The kernel end's receive in a NAPI thread (class comment); a warning when the kernel cannot. */
    private static void napiThread(String name, String agentEnd) {
        HostCommand.runChecked("ethtool", "-K", name, "gro", "on");
        HostCommand.runChecked("ethtool", "-K", agentEnd, "tso", "off", "gso", "off");
        Path threaded = Path.of("/sys/class/net", name, "threaded");
        String why;
        try {
            Files.writeString(threaded, "1");
            why = Files.readString(threaded).strip().equals("1") ? null : "the kernel kept it off";
        } catch (IOException e) {
            why = e.toString();
        }
        if (why == null) {
            LOG.info("vhost {} receives in its NAPI thread (napi/{}-*)", name, name);
        } else {
            LOG.warn("vhost {}: no threaded NAPI on this kernel ({}): the host's receive of injected frames runs on"
                    + " the dataplane thread", name, why);
        }
    }

    /** The agent end's name for a vhost interface name. */
    public static String agentEndName(String vhostName) {
        return vhostName + AGENT_END_SUFFIX;
    }

    /**
     * Creates the pair and its address and route.
     *
     * @param name         kernel end, at most {@value #MAX_NAME_LENGTH} characters (the agent end adds "-dp")
     * @param address      the vhost IPv4 address
     * @param prefixLength prefix of the address on the kernel end (32 when the vhost network is
     *                     not reached through it)
     * @param routeTable   0 to put the link-local route in {@code main}; otherwise a routing table
     *                     id (1-252 or above 255) used with a {@code from address} rule
     * @throws IllegalArgumentException when a setting breaks one of the rules of {@link #nameProblem},
     *                                  {@link #addressProblem}, {@link #prefixLengthProblem},
     *                                  {@link #routeTableProblem}
     * @throws NotOursException         when an interface named like either end exists and is not a
     *                                  veth marked {@value #MARK} (never deletes a foreign interface)
     * @throws HostCommand.HostCommandException when a command fails (everything done is undone)
     *                                  (without the NAPI thread: see the five-argument form)
     */
    public static VhostInterface create(String name, Inet4Address address, int prefixLength, int routeTable) {
        return create(name, address, prefixLength, routeTable, false);
    }

    /**
     * As {@link #create(String, Inet4Address, int, int)}; with {@code napiThread} the kernel end
     * receives in a NAPI kernel thread (class comment).
     */
    public static VhostInterface create(String name, Inet4Address address, int prefixLength, int routeTable,
                                        boolean napiThread) {
        String agentEnd = agentEndName(name);
        requireValid(nameProblem(name), name);
        requireValid(addressProblem(address), address.getHostAddress());
        requireValid(prefixLengthProblem(prefixLength), Integer.toString(prefixLength));
        requireValid(routeTableProblem(routeTable), Integer.toString(routeTable));
        removeLeftover(name);
        removeLeftover(agentEnd);
        String ip = address.getHostAddress();
        List<String[]> undo = new ArrayList<>();
        String[] ruleDelete = null;
        try {
            HostCommand.runChecked("ip", "link", "add", name, "type", "veth", "peer", "name", agentEnd);
            undo.add(new String[] {"ip", "link", "delete", "dev", name});
            HostCommand.runChecked("ip", "link", "set", "dev", name, "alias", MARK);
            HostCommand.runChecked("ip", "link", "set", "dev", agentEnd, "alias", MARK);
            HostCommand.run("sysctl", "-q", "-w", "net.ipv6.conf." + agentEnd + ".disable_ipv6=1");
            // A host booted with ipv6.disable=1 has no IPv6 at all: IPv4 metadata only, said once.
            boolean ipv6 = Files.isDirectory(Path.of("/proc/sys/net/ipv6/conf", name));
            if (ipv6) {
                HostCommand.runChecked("sysctl", "-q", "-w", "net.ipv6.conf." + name + ".addr_gen_mode=1");
                HostCommand.runChecked("sysctl", "-q", "-w", "net.ipv6.conf." + name + ".accept_ra=0");
                HostCommand.runChecked("sysctl", "-q", "-w", "net.ipv6.conf." + name + ".disable_ipv6=0");
            } else {
                LOG.warn("IPv6 is disabled on this host: metadata6 (fe80::a9fe:a9fe) will not be served");
            }
            HostCommand.Result off = HostCommand.run("ethtool", "-K", name, "tx", "off", "tso", "off", "gso", "off", "gro", "off");
            if (off.exitCode() == 127) {
                throw new IllegalStateException("ethtool is required to turn off offloads on the vhost "
                        + "(Debian package ethtool): " + off.stderr());
            }
            off.check();
            HostCommand.runChecked("sysctl", "-q", "-w", "net.ipv4.conf." + name + ".rp_filter=2");
            HostCommand.runChecked("ip", "addr", "add", ip + "/" + prefixLength, "dev", name);
            if (ipv6) {
                HostCommand.runChecked("ip", "-6", "addr", "add", METADATA6_ADDRESS + "/64", "dev", name, "nodad");
            }
            HostCommand.runChecked("ip", "link", "set", agentEnd, "up");
            HostCommand.runChecked("ip", "link", "set", name, "up");
            if (napiThread) { // once up: a veth has its NAPI instances only while up
                napiThread(name, agentEnd);
            }
            if (routeTable == 0) {
                HostCommand.runChecked("ip", "route", "replace", LINK_LOCAL_PREFIX, "dev", name, "src", ip);
            } else {
                String t = Integer.toString(routeTable);
                HostCommand.runChecked("ip", "route", "replace", LINK_LOCAL_PREFIX, "dev", name, "src", ip, "table", t);
                HostCommand.run("ip", "rule", "del", "from", ip, "lookup", t); // a killed run's rule
                HostCommand.runChecked("ip", "rule", "add", "from", ip, "lookup", t,
                        "priority", Integer.toString(DEFAULT_RULE_PRIORITY));
                ruleDelete = new String[] {"ip", "rule", "del", "from", ip, "lookup", t};
                undo.add(ruleDelete);
            }
            VhostInterface v = new VhostInterface(name, readMac(name), ipv6, ruleDelete);
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

    // The one set of rules for the vhost settings: agent.conf's parser reports these problems
    // with section and key at --check, create() refuses the same values.

    /** Why {@code name} cannot be a vhost kernel-end name, or null when it can. */
    public static String nameProblem(String name) {
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH || !name.matches("[A-Za-z0-9_.-]+")
                || ".".equals(name) || "..".equals(name)) {
            return "an interface name of 1-" + MAX_NAME_LENGTH + " characters from [A-Za-z0-9_.-] (the agent end"
                    + " is <name>" + AGENT_END_SUFFIX + ", and Linux allows 15)";
        }
        return null;
    }

    /** Why {@code address} cannot be the vhost address, or null when it can. */
    public static String addressProblem(Inet4Address address) {
        if (address.isLoopbackAddress() || address.isAnyLocalAddress() || address.isMulticastAddress()
                || address.isLinkLocalAddress() || address.getAddress()[0] == (byte) 255) {
            // 127/8 would take the host's loopback routes, 169.254/16 the guests' metadata IPs.
            return "a unicast IPv4 address that is not loopback (127/8), link-local (169.254/16), multicast,"
                    + " broadcast or 0.0.0.0";
        }
        return null;
    }

    /** Why {@code prefixLength} cannot be the vhost address's prefix, or null when it can. */
    public static String prefixLengthProblem(int prefixLength) {
        return prefixLength < 1 || prefixLength > 32 ? "a prefix length of 1-32" : null;
    }

    /** Why {@code routeTable} cannot hold the link-local route, or null when it can. */
    public static String routeTableProblem(int routeTable) {
        return routeTable < 0 || routeTable == 253 || routeTable == 254 || routeTable == 255
                ? "0 (the main table) or a private table id (not 253 default, 254 main or 255 local)" : null;
    }

    private static void requireValid(String problem, String value) {
        if (problem != null) {
            throw new IllegalArgumentException("vhost setting \"" + value + "\": expected " + problem);
        }
    }

    /** Deletes {@code name} when it is a veth an agent made (marked); refuses anything else. */
    private static void removeLeftover(String name) {
        HostCommand.Result show = HostCommand.run("ip", "-d", "-o", "link", "show", "dev", name);
        if (!show.ok()) {
            return;
        }
        if (!show.stdout().contains(" veth ")) {
            throw new NotOursException("interface " + name + " exists and is not a veth, so no vrouter agent made it;"
                    + " refusing to delete it: give the agent another [VIRTUAL-HOST-INTERFACE] name");
        }
        String alias = alias(name);
        if (!MARK.equals(alias)) {
            throw new NotOursException("veth " + name + " exists and was not made by a vrouter agent (its alias is "
                    + (alias.isEmpty() ? "empty" : "\"" + alias + "\"") + ", not \"" + MARK + "\"); refusing to delete"
                    + " it: give the agent another [VIRTUAL-HOST-INTERFACE] name, or delete it yourself");
        }
        LOG.warn("removing vhost veth {} left by a vrouter agent that is no longer running (alias \"{}\")", name, MARK);
        HostCommand.runChecked("ip", "link", "delete", "dev", name);
    }

    /** The interface's alias (sysfs {@code ifalias}), "" when none or unreadable. */
    static String alias(String ifName) {
        try {
            return Files.readString(Path.of("/sys/class/net", ifName, "ifalias")).strip();
        } catch (IOException e) {
            return "";
        }
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

    /** Whether the kernel end carries {@link #METADATA6_ADDRESS} (false on a host without IPv6). */
    public boolean hasMetadata6() {
        return metadata6;
    }

    /** The kernel end ({@code vhost0}). */
    public String name() {
        return name;
    }

    /** The agent end ({@code vhost0-dp}), captured and injected by the dataplane. */
    public String agentEnd() {
        return agentEndName(name);
    }

    /** MAC of the kernel end: the destination of frames the dataplane injects towards the host. */
    public long kernelMac() {
        return kernelMac;
    }

    /** Deletes the pair (its address and route go with it) and the policy rule; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        HostCommand.run("ip", "link", "delete", "dev", name);
        if (ruleDelete != null) {
            HostCommand.run(ruleDelete);
        }
    }
}
