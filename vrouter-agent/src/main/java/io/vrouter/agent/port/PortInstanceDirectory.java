package io.vrouter.agent.port;

import io.vrouter.linklocal.proxy.InstanceDirectory;
import io.vrouter.linklocal.proxy.VmIdentity;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * The metadata proxy's view of the ports: metadata IP 169.254.X.Y, or its IPv6 form
 * fe80::a9fe:XXYY (see {@link InterfaceIndexAllocator}), → the VM behind it. Kept in sync as a
 * {@link PortObserver} of {@link PortRegistry}.
 *
 * <p>X-Forwarded-For, which nova reads as the guest's fixed IP (it identifies the instance by
 * X-Instance-ID; the address is what it logs and checks the instance has): a request over IPv4
 * sends the port's {@code ip-address} (its {@code ip6-address} on a port without one); a request
 * over IPv6 sends the port's {@code ip6-address}, and on a port without one (port IPC's
 * {@code "None"}: the guest asked from its link-local address) the port's {@code ip-address}.
 * Never the guest's link-local address: nova does not know it, and it is the same on many VMs
 * (it is derived from the MAC, or chosen by the guest). With neither, no X-Forwarded-For.
 *
 * <p>Indexed by the interface index (the low 16 bits of the metadata IP), so a lookup is an
 * array read: lock-free, no hashing, no boxing; safe for any number of event-loop readers
 * while the port-IPC thread writes. The tenant id is stored without dashes, as nova compares it
 * with keystone's project id.
 */
public final class PortInstanceDirectory implements InstanceDirectory, PortObserver {
    private final ByMetadataIp<VmIdentity> byIndex = new ByMetadataIp<>();
    private final ByMetadataIp<VmIdentity> byIndex6 = new ByMetadataIp<>();

    @Override
    public VmIdentity lookup(InetAddress source) {
        return source instanceof Inet6Address ? byIndex6.get(source) : byIndex.get(source);
    }

    @Override
    public void portAdded(VmPort port) {
        byIndex.set(port, identityOf(port));
        byIndex6.set(port, identity6Of(port));
    }

    @Override
    public void portRemoved(VmPort port) {
        byIndex.set(port, null);
        byIndex6.set(port, null);
    }

    /** What the proxy sends nova for this port. */
    public static VmIdentity identityOf(VmPort port) {
        return new VmIdentity(port.instanceId(), port.projectId().replace("-", ""), port.fixedIp());
    }

    /** What the proxy sends nova for a request from this port's IPv6 metadata source. */
    public static VmIdentity identity6Of(VmPort port) {
        String ip = port.ip6Address() != null ? port.ip6Address()
                : port.ipAddress() != null ? port.ipAddress().getHostAddress() : null;
        return new VmIdentity(port.instanceId(), port.projectId().replace("-", ""), ip);
    }
}
