package io.vrouter.linklocal.proxy;

import java.net.InetAddress;

/**
 * Maps the source address of a connection to the metadata proxy (a VM interface's link-local
 * metadata IP, 169.254.X.Y) to the VM's identity. Implemented by the agent from its ports.
 * Called on a Netty event loop: must not block, and must be safe for concurrent readers.
 */
@FunctionalInterface
public interface InstanceDirectory {
    /** The identity of the interface owning {@code source}, or {@code null} when there is none. */
    VmIdentity lookup(InetAddress source);
}
