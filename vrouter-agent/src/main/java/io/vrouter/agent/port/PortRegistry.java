package io.vrouter.agent.port;

import io.vrouter.linklocal.config.FieldError;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's ports: validates adds and deletes against the current table, assigns interface
 * indexes, persists through a {@link PortStore} and tells {@link PortObserver}s.
 *
 * <p>Consistency: a change is persisted before it becomes visible in the table and before
 * observers hear of it; when validation or persistence fails a {@link PortException} is thrown
 * and neither the table, the allocator nor the store has changed. Mutations are serialised
 * ({@code synchronized}); reads ({@link #get}, {@link #list}) are lock-free. Observers are
 * called on the mutating thread, in the order of the changes, and must not block.
 */
public final class PortRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(PortRegistry.class);

    /** Outcome of an add: the port as stored, and whether this call created it. */
    public record AddResult(VmPort port, boolean created) {
    }

    private final PortStore store;
    private final InterfaceChecker interfaces;
    private final InterfaceIndexAllocator allocator;
    private final Map<String, VmPort> byId = new ConcurrentHashMap<>();
    private final Map<String, VmPort> bySystemName = new ConcurrentHashMap<>();
    private final List<PortObserver> observers = new CopyOnWriteArrayList<>();
    /** Per port, the sync generation in which it was last added (see {@link #beginSync}). */
    private final Map<String, Long> addedInSync = new HashMap<>();
    private long syncGeneration;
    /** Stored ports refused by {@link #rescan}, not reported again while they stay the same. */
    private final Map<String, StoredPort> skipped = new HashMap<>();
    private final AtomicLong added = new AtomicLong();
    private final AtomicLong removed = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong storeFailures = new AtomicLong();

    public PortRegistry(PortStore store, InterfaceChecker interfaces) {
        this(store, interfaces, new InterfaceIndexAllocator());
    }

    public PortRegistry(PortStore store, InterfaceChecker interfaces, InterfaceIndexAllocator allocator) {
        this.store = Objects.requireNonNull(store);
        this.interfaces = Objects.requireNonNull(interfaces);
        this.allocator = Objects.requireNonNull(allocator);
    }

    /** Registers an observer; it hears of changes made after this call (and of {@link #replay}). */
    public void addObserver(PortObserver observer) {
        observers.add(Objects.requireNonNull(observer));
    }

    /**
     * Loads the stored ports into the table at start and tells observers; see {@link #rescan}.
     * Never throws for bad state: what cannot be replayed is reported by name and skipped.
     *
     * @return the number of ports replayed
     */
    public synchronized int replay() {
        int count = rescan();
        LOG.info("replayed {} port(s)", count);
        return count;
    }

    /**
     * Brings the table in line with the store, for ports plugged or unplugged behind the
     * agent's back ({@code vrouter-port-control} writes and deletes the port files itself):
     * a stored port the table lacks is added, keeping its stored interface index when it is
     * still valid and free (else a new one is assigned and stored); a port whose entry has
     * gone from the store is removed. A stored port naming an interface that is not a guest's,
     * or one another port uses, is reported (once) and skipped; one whose interface does not
     * exist yet is added, since a tap may come back after the agent. A port already in the
     * table is left as it is: changes to it go through {@link #add}.
     *
     * @return the number of ports added
     */
    public synchronized int rescan() {
        PortStore.Listing listing = store.scan();
        int count = 0;
        for (StoredPort stored : listing.ports()) {
            if (!byId.containsKey(stored.id()) && !stored.equals(skipped.get(stored.id())) && restore(stored)) {
                count++;
            }
        }
        skipped.keySet().retainAll(listing.presentIds());
        for (VmPort port : List.copyOf(byId.values())) {
            if (!listing.presentIds().contains(port.id())) {
                LOG.info("port {} ({}): its port file was deleted", port.id(), port.systemName());
                forget(port);
            }
        }
        return count;
    }

    private boolean restore(StoredPort stored) {
        PortRequest request = stored.request();
        String refused = null;
        VmPort clash = bySystemName.get(request.systemName());
        InterfaceChecker.Refusal refusal = interfaces.refusal(request.systemName());
        if (clash != null) {
            refused = "its system-name " + request.systemName() + " is already used by port " + clash.id();
        } else if (refusal != null && !refusal.missing()) {
            refused = refusal.reason();
        }
        int idx = stored.interfaceIndex();
        boolean keepIndex = refused == null && idx != StoredPort.NO_INDEX && allocator.reserve(idx);
        if (refused == null && !keepIndex) {
            idx = allocator.allocate();
            if (idx < 0) {
                refused = "no free interface index";
            }
        }
        if (refused != null) {
            LOG.error("port file {} skipped: {}", stored.source(), refused);
            skipped.put(stored.id(), stored);
            return false;
        }
        VmPort port = request.toPort(idx);
        if (!keepIndex) {
            if (stored.interfaceIndex() != StoredPort.NO_INDEX) {
                LOG.warn("port {}: stored interface index {} is not available, now {}", port.id(),
                        stored.interfaceIndex(), idx);
            }
            try {
                store.save(port);
            } catch (IOException e) {
                storeFailures.incrementAndGet();
                LOG.error("port {}: cannot store its interface index: {}", port.id(), e.toString());
            }
        }
        if (refusal != null) {
            LOG.warn("port {}: {}; added all the same, it may come back after the agent", port.id(), refusal.reason());
        }
        byId.put(port.id(), port);
        bySystemName.put(port.systemName(), port);
        addedInSync.put(port.id(), syncGeneration);
        LOG.info("port {} ({}) from {}: index {} metadata-ip {}", port.id(), port.systemName(), stored.source(),
                port.interfaceIndex(), port.metadataIp().getHostAddress());
        notifyAdded(port);
        return true;
    }

    /**
     * Adds a port. An identical re-add returns the existing port ({@code created == false}).
     *
     * @throws PortException 409 for a different port under the same id, a system-name already
     *         used by another port, or no free index; 400 when the interface does not exist;
     *         500 when the port cannot be persisted
     */
    public synchronized AddResult add(PortRequest request) throws PortException {
        try {
            VmPort existing = byId.get(request.id());
            if (existing != null) {
                if (PortRequest.of(existing).equals(request)) {
                    addedInSync.put(existing.id(), syncGeneration);
                    return new AddResult(existing, false);
                }
                throw new PortException(409, "port " + request.id() + " already exists with different content",
                        differences(PortRequest.of(existing), request));
            }
            VmPort clash = bySystemName.get(request.systemName());
            if (clash != null) {
                throw new PortException(409, "port " + request.id() + ": system-name " + request.systemName()
                        + " is already used by port " + clash.id(),
                        List.of(new FieldError("system-name", "already used by port " + clash.id())));
            }
            InterfaceChecker.Refusal refusal = interfaces.refusal(request.systemName());
            if (refusal != null) {
                throw new PortException(refusal.missing() ? 400 : 409, "port " + request.id() + ": "
                        + (refusal.missing() ? "no such interface on this host" : "not a guest's interface"),
                        List.of(new FieldError("system-name", refusal.reason())));
            }
            int idx = allocator.allocate();
            if (idx < 0) {
                throw new PortException(409, "no free interface index: all " + allocator.capacity()
                        + " are in use; delete a port first");
            }
            VmPort port = request.toPort(idx);
            try {
                store.save(port);
            } catch (IOException e) {
                allocator.cancel(idx);
                storeFailures.incrementAndGet();
                throw new PortException(500, "cannot persist port " + port.id() + ": " + e);
            }
            byId.put(port.id(), port);
            bySystemName.put(port.systemName(), port);
            addedInSync.put(port.id(), syncGeneration);
            added.incrementAndGet();
            LOG.info("added port {} ({}) index {} metadata-ip {}", port.id(), port.systemName(),
                    port.interfaceIndex(), port.metadataIp().getHostAddress());
            notifyAdded(port);
            return new AddResult(port, true);
        } catch (PortException e) {
            rejected.incrementAndGet();
            throw e;
        }
    }

    /**
     * Removes a port and its stored entry. As Contrail's agent, removing a port the table does
     * not hold succeeds (its stored entry, if any, is deleted): {@code vrouter-port-control
     * --oper delete} deletes the port file before it calls port IPC, so the port may already
     * be gone, and a failed answer would fail nova's unplug.
     *
     * @return the removed port, or null when the table held none with this id
     * @throws PortException 500 when its file cannot be deleted
     */
    public synchronized VmPort remove(String portId) throws PortException {
        VmPort port = byId.get(Objects.requireNonNull(portId));
        try {
            store.delete(portId);
        } catch (IOException e) {
            storeFailures.incrementAndGet();
            rejected.incrementAndGet();
            throw new PortException(500, "cannot delete stored port " + portId + ": " + e);
        }
        skipped.remove(portId);
        if (port != null) {
            forget(port);
        }
        return port;
    }

    /** Takes a port out of the table (its stored entry is already gone) and tells observers. */
    private void forget(VmPort port) {
        byId.remove(port.id());
        addedInSync.remove(port.id());
        bySystemName.remove(port.systemName());
        allocator.release(port.interfaceIndex());
        removed.incrementAndGet();
        LOG.info("removed port {} ({}) index {}", port.id(), port.systemName(), port.interfaceIndex());
        for (PortObserver o : observers) {
            try {
                o.portRemoved(port);
            } catch (RuntimeException e) {
                LOG.error("port observer {} failed on remove of {}", o, port.id(), e);
            }
        }
    }

    /**
     * Contrail's {@code POST /syncports}: a plugin that restarted announces it will now add
     * every port it knows. Ports not added (or re-added, identical) after this call are stale
     * once {@link #removeStale} is called with the returned generation.
     */
    public synchronized long beginSync() {
        return ++syncGeneration;
    }

    /**
     * Removes, with their stored entries, the ports not added since {@link #beginSync}
     * returned {@code generation}.
     *
     * @return the ids removed (a port whose entry cannot be deleted is kept and logged)
     */
    public synchronized List<String> removeStale(long generation) {
        List<String> gone = new ArrayList<>();
        for (VmPort port : List.copyOf(byId.values())) {
            if (addedInSync.getOrDefault(port.id(), 0L) < generation) {
                try {
                    store.delete(port.id());
                } catch (IOException e) {
                    storeFailures.incrementAndGet();
                    LOG.error("stale port {}: cannot delete its stored entry, kept: {}", port.id(), e.toString());
                    continue;
                }
                LOG.info("port {} ({}) not re-added after syncports: removed as stale", port.id(), port.systemName());
                forget(port);
                gone.add(port.id());
            }
        }
        return gone;
    }

    /** The port, or null. Lock-free. */
    public VmPort get(String portId) {
        return portId == null ? null : byId.get(portId);
    }

    /** Every port, by interface index. A consistent-enough snapshot for listings. */
    public List<VmPort> list() {
        List<VmPort> ports = new ArrayList<>(byId.values());
        ports.sort(Comparator.comparingInt(VmPort::interfaceIndex));
        return ports;
    }

    public int size() {
        return byId.size();
    }

    /** Counters for introspect. */
    public PortsSection stats() {
        return new PortsSection(byId.size(), allocator.capacity(), added.get(), removed.get(), rejected.get(),
                storeFailures.get());
    }

    private void notifyAdded(VmPort port) {
        for (PortObserver o : observers) {
            try {
                o.portAdded(port);
            } catch (RuntimeException e) {
                LOG.error("port observer {} failed on add of {}", o, port.id(), e);
            }
        }
    }

    private static List<FieldError> differences(PortRequest a, PortRequest b) {
        List<FieldError> d = new ArrayList<>();
        diff(d, "instance-id", a.instanceId(), b.instanceId());
        diff(d, "vn-id", a.vnId(), b.vnId());
        diff(d, "vm-project-id", a.projectId(), b.projectId());
        diff(d, "display-name", a.displayName(), b.displayName());
        diff(d, "ip-address", a.ipAddress(), b.ipAddress());
        diff(d, "ip6-address", a.ip6Address(), b.ip6Address());
        diff(d, "type", a.type(), b.type());
        diff(d, "system-name", a.systemName(), b.systemName());
        diff(d, "mac-address", a.macAddress(), b.macAddress());
        diff(d, "rx-vlan-id", a.rxVlanId(), b.rxVlanId());
        diff(d, "tx-vlan-id", a.txVlanId(), b.txVlanId());
        return d;
    }

    private static void diff(List<FieldError> d, String field, Object had, Object got) {
        if (!Objects.equals(had, got)) {
            d.add(new FieldError(field, "differs from the existing port (" + had + ", got " + got + ")"));
        }
    }
}
