package io.vrouter.agent.port;

import io.vrouter.linklocal.proxy.InstanceDirectory;
import io.vrouter.linklocal.proxy.VmIdentity;
import java.net.InetAddress;

/**
 * The metadata proxy's view of the ports: metadata IP 169.254.X.Y → the VM behind it. Kept in
 * sync as a {@link PortObserver} of {@link PortRegistry}.
 *
 * <p>Indexed by the interface index (the low 16 bits of the metadata IP), so a lookup is an
 * array read: lock-free, no hashing, no boxing; safe for any number of event-loop readers
 * while the port-IPC thread writes. The tenant id is stored without dashes, as nova compares it
 * with keystone's project id.
 */
public final class PortInstanceDirectory implements InstanceDirectory, PortObserver {
    private final ByMetadataIp<VmIdentity> byIndex = new ByMetadataIp<>();

    @Override
    public VmIdentity lookup(InetAddress source) {
        return byIndex.get(source);
    }

    @Override
    public void portAdded(VmPort port) {
        byIndex.set(port, identityOf(port));
    }

    @Override
    public void portRemoved(VmPort port) {
        byIndex.set(port, null);
    }

    /** What the proxy sends nova for this port. */
    public static VmIdentity identityOf(VmPort port) {
        return new VmIdentity(port.instanceId(), port.projectId().replace("-", ""), port.fixedIp());
    }
}
