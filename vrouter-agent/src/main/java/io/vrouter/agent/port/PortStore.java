package io.vrouter.agent.port;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * Where ports survive an agent restart, and where ports plugged behind the agent's back appear
 * ({@code vrouter-port-control} writes its port files itself). {@link PortRegistry} is the only
 * caller and serialises calls; implementations need no locking of their own.
 */
public interface PortStore {

    /**
     * What is stored now.
     *
     * @param ports      every entry that could be read
     * @param presentIds the ids of every entry present, readable or not: a port whose entry
     *                   is present but unreadable (a file mid-rewrite) is not a deleted port
     */
    record Listing(List<StoredPort> ports, Set<String> presentIds) {
    }

    /**
     * Every stored port. An entry that cannot be read is reported by name (once per version)
     * and left out, never thrown: one bad file must not stop the others from loading.
     */
    Listing scan();

    /** Stores {@code port} durably (replacing a port with the same id) before returning. */
    void save(VmPort port) throws IOException;

    /** Forgets the port; no error when it is not stored. */
    void delete(String portId) throws IOException;
}
