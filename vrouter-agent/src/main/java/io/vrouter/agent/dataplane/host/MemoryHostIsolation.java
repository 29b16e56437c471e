package io.vrouter.agent.dataplane.host;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link HostIsolation#none()}: no isolation, only the bookkeeping, for the in-memory dataplane,
 * where no kernel sees the frames. Tests extend it to fail or record calls. Thread-safe.
 */
public class MemoryHostIsolation implements HostIsolation {
    private final Set<String> isolated = ConcurrentHashMap.newKeySet();

    @Override
    public String mechanism() {
        return "none";
    }

    @Override
    public void isolate(String ifName) {
        isolated.add(ifName);
    }

    @Override
    public void release(String ifName) {
        isolated.remove(ifName);
    }

    @Override
    public Set<String> isolated() {
        return Set.copyOf(isolated);
    }

    @Override
    public void close() {
        isolated.clear();
    }
}
