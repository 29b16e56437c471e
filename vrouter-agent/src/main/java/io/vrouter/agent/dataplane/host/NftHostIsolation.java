package io.vrouter.agent.dataplane.host;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingress drop with nftables: one table {@code netdev <agentName>}, one base chain per
 * interface:
 *
 * <pre>
 * table netdev vrouter_agent {
 *     comment "vrouter-agent"
 *     chain in_3_tap1a2b {
 *         type filter hook ingress device "tap1a2b" priority -500; policy drop;
 *         counter
 *     }
 * }
 * </pre>
 *
 * <p>The table's comment {@value #MARK} marks it as an agent's. {@link #start} (called with the
 * {@link NodeLock} held, so no live agent owns the name) replaces a marked table left by a killed
 * agent with {@code table netdev T; delete table netdev T; table netdev T} as one {@code nft -f}
 * transaction; a table of that name without the mark belongs to something else and is refused
 * ({@link NotOursException}), never deleted. Chain names are the interface name with every character
 * outside {@code [A-Za-z0-9_]} replaced by '_', prefixed by a per-instance sequence number so two
 * interface names that map to the same text still get their own chain. {@link #isolateAll} adds
 * the chains of many interfaces in one {@code nft -f} transaction: one fork for a batch of ports.
 */
public final class NftHostIsolation implements HostIsolation {
    /** Runs before every other ingress hook, so nothing else sees the frame first. */
    public static final int PRIORITY = -500;
    /** The table comment that proves an agent created the table. */
    public static final String MARK = "vrouter-agent";

    private static final Logger LOG = LoggerFactory.getLogger(NftHostIsolation.class);
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    private static final Pattern IF_NAME = Pattern.compile("[^\\s/\"'\\\\]{1,15}");

    private final String table;
    private final Map<String, String> chains = new LinkedHashMap<>();
    private int seq;
    private boolean closed;

    private NftHostIsolation(String table) {
        this.table = table;
    }

    /**
     * Creates (or empties) the agent's table.
     *
     * @throws IllegalArgumentException when {@code agentName} is not a valid table name
     * @throws NotOursException               when a table of that name exists without {@link #MARK}
     * @throws HostCommand.HostCommandException when nft is missing or has no netdev family
     */
    public static NftHostIsolation start(String agentName) {
        if (!TABLE_NAME.matcher(agentName).matches()) {
            throw new IllegalArgumentException("nft table name must match " + TABLE_NAME + ": " + agentName);
        }
        HostCommand.Result existing = HostCommand.run("nft", "list", "table", "netdev", agentName);
        if (existing.ok()) {
            if (!marked(existing.stdout(), agentName)) {
                throw new NotOursException("nft table netdev " + agentName + " exists and was not made by a vrouter agent"
                        + " (no comment \"" + MARK + "\"); refusing to delete it: give the agent another"
                        + " [VIRTUAL-HOST-INTERFACE] name, or delete the table yourself");
            }
            LOG.warn("replacing nft table netdev {} left by a vrouter agent that is no longer running", agentName);
        }
        String table = "table netdev " + agentName + " { comment \"" + MARK + "\"; }\n";
        String script = table + "delete table netdev " + agentName + "\n" + table;
        HostCommand.run(HostCommand.DEFAULT_TIMEOUT, script, "nft", "-f", "-").check();
        LOG.info("host isolation: nft table netdev {} created", agentName);
        return new NftHostIsolation(agentName);
    }

    /** True when {@code listing} ({@code nft list table}) shows the table's own comment as {@link #MARK}. */
    static boolean marked(String listing, String table) {
        // The table's comment is printed first inside its block, before any chain (chains have their own).
        return Pattern.compile("^table netdev " + Pattern.quote(table) + " \\{\\R\\s*comment \"" + MARK + "\"\\s*$",
                Pattern.MULTILINE).matcher(listing).find();
    }

    /** The nft table this instance owns. */
    public String table() {
        return table;
    }

    @Override
    public String mechanism() {
        return "nft";
    }

    @Override
    public synchronized void isolate(String ifName) {
        Map<String, RuntimeException> failed = isolateAll(java.util.List.of(ifName));
        if (!failed.isEmpty()) {
            throw failed.get(ifName);
        }
    }

    /**
     * One {@code nft -f} transaction adding a chain per interface not yet isolated; when it fails
     * (an interface is gone: the kernel refuses the whole transaction), each interface on its own,
     * to isolate all the others and tell which failed.
     */
    @Override
    public synchronized Map<String, RuntimeException> isolateAll(Collection<String> ifNames) {
        if (closed) {
            throw new IllegalStateException("host isolation closed");
        }
        Map<String, RuntimeException> failed = new LinkedHashMap<>();
        Map<String, String> add = new LinkedHashMap<>();
        for (String ifName : ifNames) {
            if (!IF_NAME.matcher(ifName).matches()) {
                failed.put(ifName, new IllegalArgumentException("not an interface name: " + ifName));
            } else if (!chains.containsKey(ifName) && !add.containsKey(ifName)) {
                add.put(ifName, "in_" + (++seq) + "_" + ifName.replaceAll("[^A-Za-z0-9_]", "_"));
            }
        }
        if (add.isEmpty()) {
            return failed;
        }
        HostCommand.Result r = HostCommand.run(HostCommand.DEFAULT_TIMEOUT, script(add), "nft", "-f", "-");
        if (r.ok()) {
            chains.putAll(add);
        } else if (add.size() == 1) {
            failed.put(add.keySet().iterator().next(), new HostCommand.HostCommandException(r));
        } else {
            add.forEach((ifName, chain) -> {
                HostCommand.Result one = HostCommand.run(HostCommand.DEFAULT_TIMEOUT, script(Map.of(ifName, chain)),
                        "nft", "-f", "-");
                if (one.ok()) {
                    chains.put(ifName, chain);
                } else {
                    failed.put(ifName, new HostCommand.HostCommandException(one));
                }
            });
        }
        return failed;
    }

    /** The chains (interface -> chain name) as one nft script. */
    private String script(Map<String, String> add) {
        StringBuilder sb = new StringBuilder();
        add.forEach((ifName, chain) -> sb.append("add chain netdev ").append(table).append(' ').append(chain)
                .append(" { type filter hook ingress device \"").append(ifName).append("\" priority ").append(PRIORITY)
                .append("; policy drop; }\nadd rule netdev ").append(table).append(' ').append(chain).append(" counter\n"));
        return sb.toString();
    }

    @Override
    public synchronized void release(String ifName) {
        String chain = chains.remove(ifName);
        if (chain == null) {
            return;
        }
        HostCommand.Result r = HostCommand.run("nft", "delete", "chain", "netdev", table, chain);
        if (!r.ok()) {
            // The kernel removes a device's base chain with the device.
            LOG.debug("nft chain {} for {} already gone: {}", chain, ifName, r);
        }
    }

    @Override
    public synchronized Set<String> isolated() {
        return Set.copyOf(chains.keySet());
    }

    /** Packets dropped on {@code ifName} (the chain's counter), or -1 when unknown. */
    public synchronized long dropped(String ifName) {
        String chain = chains.get(ifName);
        if (chain == null) {
            return -1;
        }
        HostCommand.Result r = HostCommand.run("nft", "list", "chain", "netdev", table, chain);
        if (!r.ok()) {
            return -1;
        }
        java.util.regex.Matcher m = Pattern.compile("counter packets (\\d+)").matcher(r.stdout());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        chains.clear();
        HostCommand.Result r = HostCommand.run("nft", "delete", "table", "netdev", table);
        if (!r.ok()) {
            LOG.warn("could not delete nft table netdev {}: {}", table, r);
        }
    }
}
