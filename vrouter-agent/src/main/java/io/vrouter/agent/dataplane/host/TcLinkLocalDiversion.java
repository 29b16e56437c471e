package io.vrouter.agent.dataplane.host;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host side of {@link PortMode#SHARED}: keeps a guest's link-local frames
 * ({@link LinkLocalFilter}) from the node's bridge or OVS, and nothing else. One tc filter on the
 * tap's ingress hook:
 *
 * <pre>
 * tc qdisc add dev TAP clsact                       (only when the tap has no clsact/ingress qdisc)
 * tc filter add dev TAP ingress pref 169 handle 1 bpf da bytecode '&lt;LinkLocalFilter&gt;'
 * </pre>
 *
 * {@link #isolateAll} does this for a batch of new taps with two {@code tc -batch} forks in all,
 * not four forks per tap.
 *
 * <p>Packet taps (the agent's pcap handle) see a frame before tc ingress, so the agent still
 * captures what the filter drops; the bridge's receive handler runs after tc ingress and never
 * gets it. The tap's root qdisc (the operator's shaping) is never touched.
 *
 * <p>Ownership: the filter is the agent's when it sits at pref {@value #PREF}, handle 1, and its
 * bytecode is exactly {@link LinkLocalFilter#tcBytecode()}; only such a filter is deleted. Another
 * filter at that pref is refused ({@link NotOursException}). A clsact qdisc is deleted only by the
 * instance that added it and only when no filter is left on it. When the agent dies the filter
 * stays: link-local then fails closed (no answer) while all other traffic flows; the next start
 * replaces it.
 *
 * <p>Thread-safe; control paths only.
 */
public final class TcLinkLocalDiversion implements HostIsolation {
    /**
     * Ahead of any filter added without an explicit pref (tc numbers those from 49152 down), so
     * an operator's catch-all "accept" cannot let link-local frames through to the bridge.
     */
    public static final int PREF = 169;
    public static final String HANDLE = "1";

    private static final Logger LOG = LoggerFactory.getLogger(TcLinkLocalDiversion.class);

    /** Diverted taps, each with whether this instance added its clsact qdisc. */
    private final Map<String, Boolean> diverted = new LinkedHashMap<>();
    private boolean closed;

    @Override
    public String mechanism() {
        return "tc-linklocal";
    }

    /**
     * Installs the filter on {@code ifName}, replacing a killed agent's; idempotent.
     *
     * @throws NotOursException when another filter holds pref {@value #PREF}
     * @throws HostCommand.HostCommandException when tc fails (the tap is gone, no cls_bpf)
     */
    @Override
    public synchronized void isolate(String ifName) {
        ensureOpen();
        if (diverted.containsKey(ifName)) {
            return;
        }
        String qdiscs = HostCommand.runChecked("tc", "qdisc", "show", "dev", ifName).stdout();
        boolean added = !hasIngressHook(qdiscs);
        if (added) {
            HostCommand.runChecked("tc", "qdisc", "add", "dev", ifName, "clsact");
        }
        try {
            if (removeOurs(ifName)) {
                LOG.warn("replaced the link-local tc filter left on {} by a vrouter agent that is no longer running", ifName);
            }
            HostCommand.runChecked("tc", "filter", "add", "dev", ifName, "ingress", "pref", Integer.toString(PREF),
                    "handle", HANDLE, "bpf", "da", "bytecode", LinkLocalFilter.tcBytecode());
        } catch (RuntimeException e) {
            if (added) {
                HostCommand.run("tc", "qdisc", "del", "dev", ifName, "clsact");
            }
            throw e;
        }
        diverted.put(ifName, added);
    }

    /**
     * {@link #isolate} for many taps with two forks in all: one {@code tc -batch} of
     * {@code qdisc show dev TAP} lines, then one adding clsact and the filter on every tap without
     * an ingress hook (a new tap: nothing of a killed agent's or an operator's can be on it). Taps
     * that have a hook already, and any the batch could not do, go through {@link #isolate} one
     * by one (the ownership checks, the precise error).
     */
    @Override
    public synchronized Map<String, RuntimeException> isolateAll(Collection<String> ifNames) {
        ensureOpen();
        HostCommand.BatchSplit split = HostCommand.BatchSplit.of(ifNames, diverted::containsKey);
        List<String> batched = split.batched();
        List<String> fresh = new ArrayList<>();
        if (!batched.isEmpty()) {
            HostCommand.BatchResult shown = HostCommand.batch("tc",
                    batched.stream().map(ifName -> "qdisc show dev " + ifName).toList());
            Set<String> hooked = hookedDevices(shown.result().stdout());
            for (int i = 0; i < batched.size(); i++) {
                String ifName = batched.get(i);
                (shown.ok(i + 1) && !hooked.contains(ifName) ? fresh : split.alone()).add(ifName);
            }
        }
        if (!fresh.isEmpty()) {
            List<String> lines = new ArrayList<>();
            for (String ifName : fresh) {
                lines.add("qdisc add dev " + ifName + " clsact");
                lines.add("filter add dev " + ifName + " ingress pref " + PREF + " handle " + HANDLE + " bpf da bytecode '"
                        + LinkLocalFilter.tcBytecode() + "'");
            }
            HostCommand.BatchResult r = HostCommand.batch("tc", lines);
            for (int i = 0; i < fresh.size(); i++) {
                String ifName = fresh.get(i);
                if (r.ok(2 * i + 1) && r.ok(2 * i + 2)) {
                    diverted.put(ifName, true);
                } else {
                    if (r.ok(2 * i + 1)) {
                        HostCommand.run("tc", "qdisc", "del", "dev", ifName, "clsact");
                    }
                    split.alone().add(ifName);
                }
            }
        }
        return HostIsolation.super.isolateAll(split.alone());
    }

    private static final Pattern QDISC_DEV = Pattern.compile("^qdisc \\S+ \\S+ dev (\\S+) ", Pattern.MULTILINE);

    /** The devices with a clsact or ingress qdisc in {@code qdiscs} ({@code tc qdisc show}, any devices). */
    public static Set<String> hookedDevices(String qdiscs) {
        Set<String> hooked = new HashSet<>();
        for (String line : qdiscs.split("\n")) {
            Matcher m = QDISC_DEV.matcher(line);
            if (m.find() && hasIngressHook(line + " ")) {
                hooked.add(m.group(1));
            }
        }
        return hooked;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("link-local diversion closed");
        }
    }

    /** True when {@code qdiscs} ({@code tc qdisc show}) has a clsact or ingress qdisc. */
    public static boolean hasIngressHook(String qdiscs) {
        return qdiscs.contains("qdisc clsact ") || qdiscs.contains("qdisc ingress ");
    }

    /**
     * Deletes the agent's filter on {@code ifName} when there is one.
     *
     * @return whether one was deleted
     * @throws NotOursException when a filter that is not the agent's holds the pref
     */
    private static boolean removeOurs(String ifName) {
        HostCommand.Result show = HostCommand.run("tc", "filter", "show", "dev", ifName, "ingress",
                "pref", Integer.toString(PREF));
        if (!show.ok()) {
            return false;
        }
        return switch (classify(show.stdout())) {
            case NONE -> false;
            case OURS -> {
                HostCommand.runChecked("tc", "filter", "del", "dev", ifName, "ingress", "pref", Integer.toString(PREF),
                        "handle", HANDLE, "bpf");
                yield true;
            }
            case FOREIGN -> throw new NotOursException("tc filter pref " + PREF + " on " + ifName
                    + " exists and was not made by a vrouter agent; refusing to replace it (shared port mode"
                    + " needs that pref for the link-local filter): move it to another pref");
        };
    }

    enum Found { NONE, OURS, FOREIGN }

    /** What {@code tc filter show dev IF ingress pref PREF} printed. */
    static Found classify(String listing) {
        Found found = Found.NONE;
        for (String line : listing.split("\n")) {
            if (!line.contains(" handle ")) {
                continue; // the pref's header line
            }
            boolean ours = line.contains(" bpf ") && line.contains("handle 0x" + HANDLE + " ")
                    && line.contains("bytecode '" + LinkLocalFilter.tcBytecode() + "'");
            if (!ours) {
                return Found.FOREIGN;
            }
            found = Found.OURS;
        }
        return found;
    }

    /** Removes the filter (and the clsact this instance added, when empty); quiet when the tap is gone. */
    @Override
    public synchronized void release(String ifName) {
        Boolean added = diverted.remove(ifName);
        if (added == null) {
            return;
        }
        try {
            removeOurs(ifName);
        } catch (RuntimeException e) {
            LOG.debug("link-local filter on {} not removed: {}", ifName, e.getMessage());
            return;
        }
        if (added && HostCommand.run("tc", "filter", "show", "dev", ifName, "ingress").stdout().isBlank()
                && HostCommand.run("tc", "filter", "show", "dev", ifName, "egress").stdout().isBlank()) {
            HostCommand.run("tc", "qdisc", "del", "dev", ifName, "clsact");
        }
    }

    @Override
    public synchronized Set<String> isolated() {
        return Set.copyOf(diverted.keySet());
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        for (String ifName : Set.copyOf(diverted.keySet())) {
            release(ifName);
        }
        closed = true;
    }
}
