package io.vrouter.agent.port;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@link PortStore} that keeps nothing across processes: for tests and state-less runs. */
public final class InMemoryPortStore implements PortStore {
    private final Map<String, VmPort> ports = new LinkedHashMap<>();
    private volatile boolean failWrites;

    @Override
    public synchronized List<VmPort> loadAll() {
        return new ArrayList<>(ports.values());
    }

    @Override
    public synchronized void save(VmPort port) throws IOException {
        if (failWrites) {
            throw new IOException("writes disabled");
        }
        ports.put(port.id(), port);
    }

    @Override
    public synchronized void delete(String portId) throws IOException {
        if (failWrites) {
            throw new IOException("writes disabled");
        }
        ports.remove(portId);
    }

    /** Makes every later write fail, as a full or read-only disk would (tests). */
    public void failWrites(boolean fail) {
        this.failWrites = fail;
    }
}
