package io.vrouter.agent.dataplane.kernel;

import io.vrouter.agent.dataplane.host.HostCommand;
import io.vrouter.agent.dataplane.host.TcLinkLocalDiversion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-kernel fast path for established link-local TCP flows: the flow map and the two
 * programs of {@link FastPathPrograms}, and where the tc program is attached.
 *
 * <pre>
 * mount -t bpf bpf /sys/fs/bpf                                   (only when no bpf fs is mounted)
 * /sys/fs/bpf/vrouter-VHOST/tc                                   the pinned tc program
 * tc qdisc add dev VHOST clsact
 * tc filter add dev VHOST egress pref 168 handle 1 bpf da object-pinned .../tc     (replies)
 * tc qdisc add dev TAP clsact                                    (only when the tap has no hook)
 * tc filter add dev TAP ingress pref 168 handle 1 bpf da object-pinned .../tc      (requests)
 * </pre>
 *
 * Pref {@value #PREF} runs before the shared mode's link-local diversion (169), which then sees
 * only what the fast path left. The capture socket of a port gets {@link #socketFilterFd} so the
 * agent is not handed the frames the kernel forwards. Which flows the map holds is
 * {@link FastPathFlows}' business (dataplane thread); this class is the control side: ports
 * become {@link #readyIfindex ready} once their filter is in place, and only then are their
 * flows installed.
 *
 * <p>Ownership: the pin directory is named after the vhost interface, which the caller holds the
 * node lock for; a killed agent's pins there are removed at start. On a tap, a filter already at
 * pref {@value #PREF} is replaced only when it runs a program named {@value #PROGRAM_NAME} (a
 * killed agent's); anything else there is refused and left alone, the port staying on the
 * agent's path. A tap's clsact qdisc is deleted on detach only when this instance added it and no filter is
 * left on it; of pref {@value #PREF} only the agent's filter (handle 1, bpf) is deleted.
 *
 * <p>Thread-safe: control methods are synchronized; {@link #readyIfindex} is lock-free.
 */
public final class KernelFastPath implements AutoCloseable {
    /** tc pref of the fast-path filters: before {@link TcLinkLocalDiversion#PREF}. */
    public static final int PREF = TcLinkLocalDiversion.PREF - 1;
    /** Most flow directions the map holds (elements are allocated as added: ~150 bytes each). */
    public static final int MAX_FLOWS = 1 << 20;
    /** The tc program's name, as {@code tc filter show} prints it: how a filter is known as an agent's. */
    public static final String PROGRAM_NAME = "vr_fastpath_tc";
    static final Path BPF_FS = Path.of("/sys/fs/bpf");
    private static final Logger LOG = LoggerFactory.getLogger(KernelFastPath.class);

    private final String vhostName;
    private final int vhostIfindex;
    private final Path pinDir;
    private final Path tcPin;
    private final int mapFd;
    private final int tcFd;
    private final int socketAllFd;
    private final int socketLinkLocalFd;
    private final Map<String, Integer> ready = new ConcurrentHashMap<>();
    private final Set<String> addedClsact = new HashSet<>();
    private boolean closed;

    private KernelFastPath(String vhostName, int vhostIfindex, Path pinDir, int mapFd, int tcFd, int socketAllFd,
                           int socketLinkLocalFd) {
        this.vhostName = vhostName;
        this.vhostIfindex = vhostIfindex;
        this.pinDir = pinDir;
        this.tcPin = pinDir.resolve("tc");
        this.mapFd = mapFd;
        this.tcFd = tcFd;
        this.socketAllFd = socketAllFd;
        this.socketLinkLocalFd = socketLinkLocalFd;
    }

    /** Null when the fast path can be set up on this host (as far as can be told without trying); else why not. */
    public static String unavailabilityCause() {
        Throwable t = Bpf.unavailabilityCause();
        return t == null ? null : t.toString();
    }

    /**
     * Creates the map (room for {@code maxFlows} flow directions), loads the programs and attaches
     * the reply side to the vhost kernel end.
     *
     * @param linkLocalVerdict the shared mode's classic capture filter, for the link-local
     *                         socket program ({@link #socketFilterFd} with {@code true})
     * @throws RuntimeException with everything done undone, when the kernel or tc refuses a step
     */
    public static KernelFastPath open(String vhostName, int maxFlows, int[][] linkLocalVerdict) {
        if (Bpf.unavailabilityCause() != null) {
            throw new IllegalStateException("bpf(2) unavailable: " + Bpf.unavailabilityCause());
        }
        int vhostIfindex = ifindex(vhostName);
        Path dir = BPF_FS.resolve("vrouter-" + vhostName);
        List<Integer> fds = new ArrayList<>();
        try {
            mountBpfFs();
            removePins(dir);
            Files.createDirectories(dir);
            int map = add(fds, Bpf.createHashMap("vr_fastpath", FastPathPrograms.KEY_SIZE,
                    FastPathPrograms.VALUE_SIZE, maxFlows));
            Bpf.requireBatchOps(map);
            int tc = add(fds, Bpf.loadProgram(PROGRAM_NAME, Bpf.PROG_TYPE_SCHED_CLS, FastPathPrograms.tc(map)));
            int all = add(fds, Bpf.loadProgram("vr_capture", Bpf.PROG_TYPE_SOCKET_FILTER,
                    FastPathPrograms.socket(map, null)));
            int ll = add(fds, Bpf.loadProgram("vr_capture_ll", Bpf.PROG_TYPE_SOCKET_FILTER,
                    FastPathPrograms.socket(map, linkLocalVerdict)));
            KernelFastPath k = new KernelFastPath(vhostName, vhostIfindex, dir, map, tc, all, ll);
            Bpf.pin(tc, k.tcPin.toString());
            HostCommand.run("tc", "qdisc", "add", "dev", vhostName, "clsact");
            HostCommand.runChecked("tc", "filter", "replace", "dev", vhostName, "egress", "pref", Integer.toString(PREF),
                    "handle", "1", "bpf", "da", "object-pinned", k.tcPin.toString());
            return k;
        } catch (IOException | RuntimeException e) {
            fds.forEach(Bpf::close);
            removePins(dir);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** The map's descriptor, for {@link FastPathFlows}. */
    int mapFd() {
        return mapFd;
    }

    public int vhostIfindex() {
        return vhostIfindex;
    }

    /** The capture program for a port: link-local frames only ({@code true}, shared mode) or all. */
    public int socketFilterFd(boolean linkLocalOnly) {
        return linkLocalOnly ? socketLinkLocalFd : socketAllFd;
    }

    /** The ifindex of a port whose fast-path filter is in place, else 0. Any thread. */
    public int readyIfindex(String ifName) {
        Integer i = ready.get(ifName);
        return i == null ? 0 : i;
    }

    /**
     * Attaches the tc program to the ingress of each of {@code ifNames} (two {@code tc -batch}
     * forks in all); a port that fails stays on the agent's path.
     *
     * @return the interfaces that could not be attached, each with why
     */
    public synchronized Map<String, RuntimeException> attachPorts(Collection<String> ifNames) {
        Map<String, RuntimeException> failed = new LinkedHashMap<>();
        if (closed) {
            ifNames.forEach(n -> failed.put(n, new IllegalStateException("fast path closed")));
            return failed;
        }
        HostCommand.BatchSplit split = HostCommand.BatchSplit.of(ifNames, ready::containsKey);
        List<String> batched = split.batched();
        if (!batched.isEmpty()) {
            Set<String> hooked = TcLinkLocalDiversion.hookedDevices(HostCommand.batch("tc",
                    batched.stream().map(n -> "qdisc show dev " + n).toList()).result().stdout());
            List<String> lines = new ArrayList<>();
            int[] filterLine = new int[batched.size()];
            for (int i = 0; i < batched.size(); i++) {
                String ifName = batched.get(i);
                if (!hooked.contains(ifName)) {
                    lines.add("qdisc add dev " + ifName + " clsact");
                }
                lines.add("filter add dev " + ifName + " ingress pref " + PREF + " handle 1 bpf da object-pinned " + tcPin);
                filterLine[i] = lines.size();
            }
            HostCommand.BatchResult r = HostCommand.batch("tc", lines);
            for (int i = 0; i < batched.size(); i++) {
                String ifName = batched.get(i);
                boolean added = !hooked.contains(ifName) && r.ok(filterLine[i] - 1);
                if (r.ok(filterLine[i])) {
                    ready(ifName, added, failed);
                } else {
                    if (added) {
                        HostCommand.run("tc", "qdisc", "del", "dev", ifName, "clsact");
                    }
                    split.alone().add(ifName);
                }
            }
        }
        for (String ifName : split.alone()) { // one by one: the ownership check, the precise error
            try {
                attachOne(ifName, failed);
            } catch (RuntimeException e) {
                failed.put(ifName, e);
            }
        }
        return failed;
    }

    private void attachOne(String ifName, Map<String, RuntimeException> failed) {
        String pref = Integer.toString(PREF);
        HostCommand.Result shown = HostCommand.run("tc", "filter", "show", "dev", ifName, "ingress", "pref", pref);
        String existing = shown.ok() ? shown.stdout().strip() : "";
        if (!existing.isEmpty() && !existing.contains(" " + PROGRAM_NAME + " ")) {
            throw new IllegalStateException("tc pref " + PREF + " on " + ifName + " holds a filter that is not a vrouter"
                    + " agent's fast path, left alone: " + existing);
        }
        boolean add = !TcLinkLocalDiversion.hasIngressHook(HostCommand.runChecked("tc", "qdisc", "show", "dev", ifName).stdout());
        if (add) {
            HostCommand.runChecked("tc", "qdisc", "add", "dev", ifName, "clsact");
        }
        HostCommand.Result f = HostCommand.run("tc", "filter", existing.isEmpty() ? "add" : "replace", "dev", ifName,
                "ingress", "pref", pref, "handle", "1", "bpf", "da", "object-pinned", tcPin.toString());
        if (!f.ok() && add) {
            HostCommand.run("tc", "qdisc", "del", "dev", ifName, "clsact");
        }
        f.check();
        if (!existing.isEmpty()) {
            LOG.warn("replaced the fast-path tc filter left on {} by a vrouter agent that is no longer running", ifName);
        }
        ready(ifName, add, failed);
    }

    private void ready(String ifName, boolean addedHook, Map<String, RuntimeException> failed) {
        if (addedHook) {
            addedClsact.add(ifName);
        }
        try {
            ready.put(ifName, ifindex(ifName));
        } catch (RuntimeException e) { // gone meanwhile
            failed.put(ifName, e);
        }
    }

    /** Takes the fast path off {@code ifName}; no error when it or the interface is gone. */
    public synchronized void detachPort(String ifName) {
        if (ready.remove(ifName) == null) {
            return;
        }
        HostCommand.run("tc", "filter", "del", "dev", ifName, "ingress", "pref", Integer.toString(PREF), "handle", "1", "bpf");
        if (addedClsact.remove(ifName) && noFilterLeft(ifName)) {
            HostCommand.run("tc", "qdisc", "del", "dev", ifName, "clsact");
        }
    }

    /** Detaches every port and the vhost, removes the pins and closes the map and programs. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        for (String ifName : List.copyOf(ready.keySet())) {
            detachPort(ifName);
        }
        closed = true;
        HostCommand.run("tc", "filter", "del", "dev", vhostName, "egress", "pref", Integer.toString(PREF));
        removePins(pinDir);
        for (int fd : new int[] {socketLinkLocalFd, socketAllFd, tcFd, mapFd}) {
            Bpf.close(fd);
        }
        LOG.info("kernel fast path closed");
    }

    /** Whether the hooks of {@code ifName} hold no filter (someone else's would go with the clsact qdisc). */
    private static boolean noFilterLeft(String ifName) {
        for (String hook : new String[] {"ingress", "egress"}) {
            HostCommand.Result r = HostCommand.run("tc", "filter", "show", "dev", ifName, hook);
            if (!r.ok() || !r.stdout().isBlank()) {
                return false;
            }
        }
        return true;
    }

    static int ifindex(String ifName) {
        try {
            return Integer.parseInt(Files.readString(Path.of("/sys/class/net", ifName, "ifindex")).strip());
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("no interface " + ifName + ": " + e.getMessage(), e);
        }
    }

    private static int add(List<Integer> fds, int fd) {
        fds.add(fd);
        return fd;
    }

    private static void mountBpfFs() throws IOException {
        boolean mounted = Files.readAllLines(Path.of("/proc/mounts")).stream()
                .anyMatch(l -> l.startsWith("bpf " + BPF_FS + " ") || l.contains(" " + BPF_FS + " bpf "));
        if (!mounted) {
            HostCommand.runChecked("mount", "-t", "bpf", "bpf", BPF_FS.toString());
            LOG.info("mounted the bpf file system on {}", BPF_FS);
        }
    }

    /** Removes {@code dir} and its pins (a pinned object lives on while a filter holds it). */
    private static void removePins(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            LOG.warn("could not remove the fast path's pins in {}: {}", dir, e.getMessage());
        }
    }
}
