package io.vrouter.agent.dataplane.host;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ingress drop with tc, for hosts without nftables netdev hooks:
 *
 * <pre>
 * tc qdisc del dev IF clsact          (leftover of a killed agent; errors ignored)
 * tc qdisc add dev IF clsact
 * tc filter add dev IF ingress pref 1 matchall action drop
 *   or, where cls_matchall/act_gact are not built (seen on minimal kernels):
 * tc filter add dev IF ingress pref 1 bpf da bytecode '1,6 0 0 2,'
 * </pre>
 *
 * <p>The BPF program is one classic instruction, {@code ret #2}; in direct-action mode the
 * return value is the verdict, and 2 is {@code TC_ACT_SHOT}. Release: {@code tc qdisc del dev IF
 * clsact}. {@link #isolateAll} runs the first three steps for many interfaces as one
 * {@code tc -batch} (one fork, not three per port). A killed agent's leftovers sit on its ports'
 * interfaces, which are recreated by nova or replaced by the first step above.
 */
public final class TcHostIsolation implements HostIsolation {
    /** Classic BPF "ret #TC_ACT_SHOT" in tc's bytecode syntax (instruction count, then code k-jt-jf-k). */
    static final String DROP_ALL_BPF = "1,6 0 0 2,";

    private static final Logger LOG = LoggerFactory.getLogger(TcHostIsolation.class);

    private final Set<String> isolated = new LinkedHashSet<>();
    /** Set once matchall failed where the BPF drop worked: batches then use the BPF drop at once. */
    private boolean bpfOnly;
    private boolean closed;

    @Override
    public String mechanism() {
        return "tc";
    }

    @Override
    public synchronized void isolate(String ifName) {
        if (closed) {
            throw new IllegalStateException("host isolation closed");
        }
        if (isolated.contains(ifName)) {
            return;
        }
        HostCommand.run("tc", "qdisc", "del", "dev", ifName, "clsact");
        HostCommand.runChecked("tc", "qdisc", "add", "dev", ifName, "clsact");
        HostCommand.Result r = HostCommand.run("tc", "filter", "add", "dev", ifName, "ingress", "pref", "1",
                "matchall", "action", "drop");
        if (!r.ok()) {
            r = HostCommand.run("tc", "filter", "add", "dev", ifName, "ingress", "pref", "1",
                    "bpf", "da", "bytecode", DROP_ALL_BPF);
            bpfOnly |= r.ok();
        }
        if (!r.ok()) {
            HostCommand.run("tc", "qdisc", "del", "dev", ifName, "clsact");
            r.check();
        }
        isolated.add(ifName);
    }

    /**
     * One {@code tc -batch} for every interface not yet isolated (the first three steps above per
     * interface, one fork in all); an interface the batch could not isolate (gone, no
     * cls_matchall) is cleaned up and goes through {@link #isolate} on its own, which falls back
     * to the BPF drop or tells why it failed.
     */
    @Override
    public synchronized Map<String, RuntimeException> isolateAll(Collection<String> ifNames) {
        if (closed) {
            throw new IllegalStateException("host isolation closed");
        }
        HostCommand.BatchSplit split = HostCommand.BatchSplit.of(ifNames, isolated::contains);
        List<String> batched = split.batched();
        List<String> alone = split.alone();
        if (!batched.isEmpty()) {
            List<String> lines = new ArrayList<>();
            for (String ifName : batched) {
                lines.add("qdisc del dev " + ifName + " clsact"); // fails when there is none: ignored
                lines.add("qdisc add dev " + ifName + " clsact");
                lines.add(dropLine(ifName, bpfOnly));
            }
            HostCommand.BatchResult r = HostCommand.batch("tc", lines);
            List<String> noFilter = new ArrayList<>();
            for (int i = 0; i < batched.size(); i++) {
                if (!r.ok(3 * i + 2)) {
                    alone.add(batched.get(i)); // gone? isolate() says why
                } else {
                    (r.ok(3 * i + 3) ? isolated : noFilter).add(batched.get(i));
                }
            }
            if (!noFilter.isEmpty() && !bpfOnly) { // this kernel may lack cls_matchall: the BPF drop, batched too
                HostCommand.BatchResult bpf = HostCommand.batch("tc", noFilter.stream().map(i -> dropLine(i, true)).toList());
                List<String> still = new ArrayList<>();
                for (int i = 0; i < noFilter.size(); i++) {
                    (bpf.ok(i + 1) ? isolated : still).add(noFilter.get(i));
                }
                bpfOnly = still.size() < noFilter.size();
                noFilter = still;
            }
            for (String ifName : noFilter) {
                HostCommand.run("tc", "qdisc", "del", "dev", ifName, "clsact");
                alone.add(ifName);
            }
        }
        return HostIsolation.super.isolateAll(alone);
    }

    private static String dropLine(String ifName, boolean bpf) {
        return "filter add dev " + ifName + " ingress pref 1 "
                + (bpf ? "bpf da bytecode '" + DROP_ALL_BPF + "'" : "matchall action drop");
    }

    @Override
    public synchronized void release(String ifName) {
        if (isolated.remove(ifName)) {
            HostCommand.Result r = HostCommand.run("tc", "qdisc", "del", "dev", ifName, "clsact");
            if (!r.ok()) {
                LOG.debug("tc clsact on {} already gone: {}", ifName, r);
            }
        }
    }

    @Override
    public synchronized Set<String> isolated() {
        return Set.copyOf(isolated);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        for (String ifName : Set.copyOf(isolated)) {
            release(ifName);
        }
        closed = true;
    }
}
