package io.vrouter.agent.port;

import io.vrouter.linklocal.proxy.MetadataTokenMode;
import io.vrouter.linklocal.proxy.MetadataTokenPolicy;
import java.net.InetAddress;
import java.util.Set;

/**
 * The metadata proxy's per-port IMDSv2 token mode: ports named in agent.conf's
 * {@code metadata_token_required_ports} / {@code metadata_token_optional_ports} get that mode,
 * every other port the node's ({@code metadata_token}). Said in agent.conf rather than in the
 * port-IPC body, because Contrail's port JSON has no such field and {@code vrouter-port-control}
 * would never send one.
 *
 * <p>Kept as a {@link PortObserver} in a {@link ByMetadataIp} table, as {@link PortInstanceDirectory}:
 * a lookup is an array read, no allocation, safe for the proxy's event loops while the port-IPC
 * thread writes. A port re-plugged keeps its
 * mode (the lists name port UUIDs, not interface indexes).
 */
public final class PortTokenModes implements MetadataTokenPolicy, PortObserver {
    private final Set<String> required;
    private final Set<String> optional;
    private final ByMetadataIp<MetadataTokenMode> byIndex = new ByMetadataIp<>();

    /** @param requiredPorts, optionalPorts lower-case port UUIDs; disjoint */
    public PortTokenModes(Set<String> requiredPorts, Set<String> optionalPorts) {
        this.required = Set.copyOf(requiredPorts);
        this.optional = Set.copyOf(optionalPorts);
    }

    /** True when no port differs from the node: the proxy need not ask at all. */
    public boolean isEmpty() {
        return required.isEmpty() && optional.isEmpty();
    }

    @Override
    public MetadataTokenMode mode(InetAddress source) {
        return byIndex.get(source);
    }

    @Override
    public void portAdded(VmPort port) {
        String id = port.id().toLowerCase(java.util.Locale.ROOT);
        byIndex.set(port, required.contains(id) ? MetadataTokenMode.REQUIRED
                : optional.contains(id) ? MetadataTokenMode.OPTIONAL : null);
    }

    @Override
    public void portRemoved(VmPort port) {
        byIndex.set(port, null);
    }
}
