package io.vrouter.agent.dataplane.io;

/** Opens a {@link PacketIo} on an interface: {@link HostPacketIoFactory} in production, in-memory in tests. */
@FunctionalInterface
public interface PacketIoFactory {
    /**
     * Opens {@code interfaceName}.
     *
     * @throws PacketIoException when the interface cannot be opened (missing, no permission,
     *                           libpcap unavailable)
     */
    PacketIo open(String interfaceName);

    /**
     * Opens {@code interfaceName} capturing only the frames {@code captureFilter} keeps (null:
     * all): a shared-mode port, where every other frame is the node's, or a port on the kernel
     * fast path. Capture from a real interface must apply it in the kernel; the default, for
     * in-memory I/O that sees only the frames a test feeds it, is {@link #open}.
     */
    default PacketIo open(String interfaceName, CaptureFilter captureFilter) {
        return open(interfaceName);
    }

    /**
     * Opens the vhost agent end, which carries every guest's link-local traffic: implementations
     * may give it more buffering. Defaults to {@link #open}.
     */
    default PacketIo openVhost(String interfaceName) {
        return open(interfaceName);
    }

    /** Null when this packet I/O can work on this host; otherwise why not. Defaults to null. */
    default String unavailabilityCause() {
        return null;
    }
}
