package io.vrouter.agent.dataplane.kernel;

import io.vrouter.agent.dataplane.host.HostIsolation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A port mode's {@link HostIsolation} with the kernel fast path's filter attached after it: a
 * port is isolated (or diverted) first, then made ready for the fast path; released in the
 * opposite order. A port the fast path cannot take stays isolated and on the agent's path (a
 * warning, not a failure). Closing closes neither: their owner does.
 */
public final class FastPathPorts implements HostIsolation {
    private static final Logger LOG = LoggerFactory.getLogger(FastPathPorts.class);
    private final HostIsolation base;
    private final KernelFastPath kernel;

    public FastPathPorts(HostIsolation base, KernelFastPath kernel) {
        this.base = base;
        this.kernel = kernel;
    }

    @Override
    public String mechanism() {
        return base.mechanism();
    }

    @Override
    public void isolate(String ifName) {
        base.isolate(ifName);
        attach(List.of(ifName));
    }

    @Override
    public Map<String, RuntimeException> isolateAll(Collection<String> ifNames) {
        Map<String, RuntimeException> failed = base.isolateAll(ifNames);
        List<String> done = new ArrayList<>(ifNames);
        done.removeAll(failed.keySet());
        attach(done);
        return failed;
    }

    @Override
    public void release(String ifName) {
        kernel.detachPort(ifName);
        base.release(ifName);
    }

    @Override
    public Set<String> isolated() {
        return base.isolated();
    }

    @Override
    public void close() {
        // the owner closes the fast path and the base isolation, in its order
    }

    private void attach(List<String> ifNames) {
        if (!ifNames.isEmpty()) {
            kernel.attachPorts(ifNames).forEach((ifName, e) -> LOG.warn(
                    "port {} stays on the agent's path (no kernel fast path): {}", ifName, e.getMessage()));
        }
    }
}
