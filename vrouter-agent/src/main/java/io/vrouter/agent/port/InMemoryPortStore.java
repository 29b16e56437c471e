package io.vrouter.agent.port;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A {@link PortStore} that keeps nothing across processes: for tests and state-less runs. */
public final class InMemoryPortStore implements PortStore {
    private final Map<String, StoredPort> ports = new LinkedHashMap<>();
    private volatile boolean failWrites;

    @Override
    public synchronized Listing scan() {
        return new Listing(new ArrayList<>(ports.values()), Set.copyOf(ports.keySet()));
    }

    @Override
    public synchronized void save(VmPort port) throws IOException {
        if (failWrites) {
            throw new IOException("writes disabled");
        }
        ports.put(port.id(), new StoredPort(PortRequest.of(port), port.interfaceIndex(), "memory"));
    }

    @Override
    public synchronized void delete(String portId) throws IOException {
        if (failWrites) {
            throw new IOException("writes disabled");
        }
        ports.remove(portId);
    }

    /** Stores a port as another writer would (vrouter-port-control writing its file). */
    public synchronized void putExternally(StoredPort port) {
        ports.put(port.id(), port);
    }

    /** Makes every later write fail, as a full or read-only disk would (tests). */
    public void failWrites(boolean fail) {
        this.failWrites = fail;
    }

    /** What is stored (tests). */
    public synchronized List<StoredPort> stored() {
        return List.copyOf(ports.values());
    }
}
