package io.vrouter.agent.netns;

import io.vrouter.agent.dataplane.host.HostCommand;
import io.vrouter.agent.dataplane.host.HostCommand.Result;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Creates network namespaces, veth pairs, addresses and routes for tests, and removes every one
 * of them again: on {@link #close()}, from a JVM shutdown hook when a test run is interrupted, and
 * at the next start for leftovers of a process that was SIGKILLed (names carry the creating pid).
 *
 * <p>Names are unique per process and fit Linux's 15-character interface names:
 * <ul>
 *   <li>namespaces {@code vrt-<pid>-<n>}</li>
 *   <li>interfaces {@code v<pid base 36>-<n>} plus a role suffix ({@code h} host end, ...)</li>
 *   <li>agent names (nft tables) {@code vrt_<pid>_<n>}</li>
 * </ul>
 *
 * <p>Tests call {@link #assumeAvailable()} first: without root or without {@code ip netns} it
 * prints a WARNING to stderr and skips the test through a JUnit assumption.
 *
 * <p>Thread-safe: creation and teardown are synchronized; {@link #exec} may run concurrently.
 */
public final class NetnsHarness implements AutoCloseable {
    /** Timeout of one plumbing command. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);

    private static final long PID = ProcessHandle.current().pid();
    private static final String PID36 = Long.toString(PID, 36);
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final Set<NetnsHarness> LIVE = ConcurrentHashMap.newKeySet();
    private static final Pattern NS_NAME = Pattern.compile("vrt-(\\d+)-\\d+");
    private static final Pattern LINK_NAME = Pattern.compile("v([0-9a-z]+)-\\d+[a-z]*");
    private static final Pattern TABLE_NAME = Pattern.compile("vrt_(\\d+)_\\d+");
    private static volatile boolean hookInstalled;
    private static volatile boolean swept;

    /** Something this harness created and must remove, newest first. */
    private final Deque<Runnable> teardown = new ArrayDeque<>();
    private final List<String> namespaces = new ArrayList<>();
    private boolean closed;

    private NetnsHarness() {
    }

    /** Why namespaces cannot be used here, or {@code null} when they can. */
    public static String unavailabilityReason() {
        if (!"root".equals(System.getProperty("user.name")) && !isEuidZero()) {
            return "not running as root";
        }
        Result r = HostCommand.run(Duration.ofSeconds(5), null, "ip", "netns", "list");
        if (!r.ok()) {
            return "'ip netns' is unavailable: " + r;
        }
        return null;
    }

    private static boolean isEuidZero() {
        Result r = HostCommand.run(Duration.ofSeconds(5), null, "id", "-u");
        return r.ok() && r.stdout().strip().equals("0");
    }

    /** Skips the calling test, loudly, when namespaces cannot be created here. */
    public static void assumeAvailable() {
        String why = unavailabilityReason();
        if (why != null) {
            System.err.println("WARNING: network-namespace test SKIPPED: " + why);
        }
        Assumptions.assumeTrue(why == null, "network namespaces unavailable: " + why);
    }

    /** A new harness; removes leftovers of dead test processes the first time. */
    public static synchronized NetnsHarness create() {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(NetnsHarness::close),
                    "netns-harness-teardown"));
            hookInstalled = true;
        }
        if (!swept) {
            sweepLeftovers();
            swept = true;
        }
        NetnsHarness h = new NetnsHarness();
        LIVE.add(h);
        return h;
    }

    /** A unique interface name {@code v<pid36>-<n><suffix>} (at most 15 characters). */
    public static String uniqueIfName(String suffix) {
        String name = "v" + PID36 + "-" + SEQ.incrementAndGet() + suffix;
        if (name.length() > 15) {
            throw new IllegalStateException("interface name too long: " + name);
        }
        return name;
    }

    /** A unique agent name usable as an nft table name. */
    public static String uniqueAgentName() {
        return "vrt_" + PID + "_" + SEQ.incrementAndGet();
    }

    /** Creates a namespace with {@code lo} up and IPv6 off (keeps captures free of NDP noise). */
    public synchronized String namespace() {
        ensureOpen();
        String ns = "vrt-" + PID + "-" + SEQ.incrementAndGet();
        HostCommand.runChecked("ip", "netns", "add", ns);
        namespaces.add(ns);
        teardown.push(() -> HostCommand.run("ip", "netns", "delete", ns));
        HostCommand.runChecked("ip", "-n", ns, "link", "set", "lo", "up");
        execChecked(ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
        execChecked(ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
        return ns;
    }

    /**
     * Creates a guest: a namespace whose {@code eth0} has {@code cidr} (e.g. {@code 10.0.0.3/24}),
     * MAC {@code mac}, a default route via {@code gateway} and TX checksum/segmentation offload
     * off, and whose veth peer {@code hostIf} is up in the root namespace with no address and
     * IPv6 off.
     */
    public synchronized Guest guest(String hostIf, String cidr, String gateway, String mac) {
        String ns = namespace();
        HostCommand.runChecked("ip", "link", "add", hostIf, "type", "veth", "peer", "name", "eth0", "netns", ns);
        teardown.push(() -> deleteLinkIfPresent(hostIf));
        HostCommand.run("sysctl", "-q", "-w", "net.ipv6.conf." + hostIf + ".disable_ipv6=1");
        HostCommand.runChecked("ip", "-n", ns, "link", "set", "eth0", "address", mac);
        HostCommand.runChecked("ip", "-n", ns, "addr", "add", cidr, "dev", "eth0");
        HostCommand.runChecked("ip", "-n", ns, "link", "set", "eth0", "up");
        // A userspace dataplane sees frames as the guest's kernel hands them to the veth: whole,
        // checksummed segments only (a real VM's virtio NIC does this for it).
        execChecked(ns, "ethtool", "-K", "eth0", "tx", "off", "tso", "off", "gso", "off");
        HostCommand.runChecked("ip", "link", "set", hostIf, "up");
        HostCommand.runChecked("ip", "-n", ns, "route", "add", "default", "via", gateway, "dev", "eth0");
        String ip = cidr.substring(0, cidr.indexOf('/'));
        return new Guest(this, ns, hostIf, "eth0", ip, mac.toLowerCase(Locale.ROOT), gateway);
    }

    /** Registers a root-namespace link (e.g. a vhost veth the code under test made) for teardown. */
    public synchronized void deleteLinkOnClose(String ifName) {
        teardown.push(() -> deleteLinkIfPresent(ifName));
    }

    /** Registers an nftables table for teardown. */
    public synchronized void deleteNftTableOnClose(String family, String table) {
        teardown.push(() -> HostCommand.run("nft", "delete", "table", family, table));
    }

    /** Registers any cleanup action, run in reverse order of registration on close. */
    public synchronized void onClose(Runnable action) {
        teardown.push(action);
    }

    /** Runs {@code command} inside {@code ns} with a timeout (killed at the timeout, exit 124). */
    public Result exec(String ns, Duration timeout, String... command) {
        String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = ns;
        System.arraycopy(command, 0, full, 4, command.length);
        return HostCommand.run(timeout, null, full);
    }

    /** {@link #exec} with {@link #COMMAND_TIMEOUT}, throwing on a non-zero exit. */
    public Result execChecked(String ns, String... command) {
        return exec(ns, COMMAND_TIMEOUT, command).check();
    }

    /** True when {@code ifName} exists in the root namespace. */
    public static boolean linkExists(String ifName) {
        return HostCommand.run("ip", "link", "show", "dev", ifName).ok();
    }

    /** Namespaces created and not yet removed. */
    public synchronized List<String> namespaces() {
        return List.copyOf(namespaces);
    }

    private static void deleteLinkIfPresent(String ifName) {
        if (linkExists(ifName)) {
            HostCommand.run("ip", "link", "delete", "dev", ifName);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("harness closed");
        }
    }

    /** Removes everything this harness created, newest first; every step runs even if one fails. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (!teardown.isEmpty()) {
            try {
                teardown.pop().run();
            } catch (RuntimeException e) {
                System.err.println("WARNING: netns teardown step failed: " + e);
            }
        }
        namespaces.clear();
        LIVE.remove(this);
    }

    /** Deletes namespaces, links and nft tables named by a test process that no longer runs. */
    private static void sweepLeftovers() {
        Result ns = HostCommand.run("ip", "netns", "list");
        if (ns.ok()) {
            for (String line : ns.stdout().split("\n")) {
                String name = line.strip().split("\\s+")[0];
                Matcher m = NS_NAME.matcher(name);
                if (m.matches() && !alive(Long.parseLong(m.group(1)))) {
                    HostCommand.run("ip", "netns", "delete", name);
                }
            }
        }
        Result links = HostCommand.run("ip", "-o", "link", "show");
        if (links.ok()) {
            for (String line : links.stdout().split("\n")) {
                String[] f = line.split(":\\s+", 3);
                if (f.length < 2) {
                    continue;
                }
                String name = f[1].split("@")[0];
                Matcher m = LINK_NAME.matcher(name);
                if (m.matches() && !alive(Long.parseLong(m.group(1), 36))) {
                    deleteLinkIfPresent(name);
                }
            }
        }
        Result tables = HostCommand.run("nft", "list", "tables");
        if (tables.ok()) {
            for (String line : tables.stdout().split("\n")) {
                String[] f = line.strip().split("\\s+");
                if (f.length == 3 && f[0].equals("table")) {
                    Matcher m = TABLE_NAME.matcher(f[2]);
                    if (m.matches() && !alive(Long.parseLong(m.group(1)))) {
                        HostCommand.run("nft", "delete", "table", f[1], f[2]);
                    }
                }
            }
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
