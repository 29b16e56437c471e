package io.vrouter.agent.dataplane.host;

import java.util.LinkedHashSet;
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
 * return value is the verdict, and 2 is {@code TC_ACT_SHOT}.
 *
 * and {@code tc qdisc del dev IF clsact} to release. A killed agent's leftovers sit on its
 * ports' interfaces, which are recreated by nova or replaced by the first step above.
 */
public final class TcHostIsolation implements HostIsolation {
    /** Classic BPF "ret #TC_ACT_SHOT" in tc's bytecode syntax (instruction count, then code k-jt-jf-k). */
    static final String DROP_ALL_BPF = "1,6 0 0 2,";

    private static final Logger LOG = LoggerFactory.getLogger(TcHostIsolation.class);

    private final Set<String> isolated = new LinkedHashSet<>();
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
        }
        if (!r.ok()) {
            HostCommand.run("tc", "qdisc", "del", "dev", ifName, "clsact");
            r.check();
        }
        isolated.add(ifName);
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
