package io.vrouter.agent.port;

import java.io.IOException;
import java.util.List;

/**
 * Where ports survive an agent restart. {@link PortRegistry} is the only caller and serialises
 * calls; implementations need no locking of their own.
 */
public interface PortStore {

    /**
     * Every stored port. An entry that cannot be read is reported and put aside by the store
     * (never thrown): one bad file must not stop the agent from starting.
     */
    List<VmPort> loadAll();

    /** Stores {@code port} durably (replacing a port with the same id) before returning. */
    void save(VmPort port) throws IOException;

    /** Forgets the port; no error when it is not stored. */
    void delete(String portId) throws IOException;
}
