package io.vrouter.agent.port;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A value per port, found by the port's metadata IP 169.254.X.Y (or its IPv6 form fe80::a9fe:XXYY): an array indexed by the
 * interface index (the address's low 16 bits), so a lookup is an array read: lock-free, no
 * hashing, no boxing, no allocation; safe for any number of readers (the proxy's event loops)
 * while the port-IPC thread writes.
 */
final class ByMetadataIp<T> {
    private final AtomicReferenceArray<T> byIndex = new AtomicReferenceArray<>(InterfaceIndexAllocator.MAX_INDEX + 1);

    /** The value of the port owning {@code source}, or null. */
    T get(InetAddress source) {
        int idx = InterfaceIndexAllocator.indexOf(source);
        return idx < InterfaceIndexAllocator.MIN_INDEX || idx > InterfaceIndexAllocator.MAX_INDEX
                ? null : byIndex.get(idx);
    }

    /** Sets (or with null, clears) {@code port}'s value. */
    void set(VmPort port, T value) {
        byIndex.set(port.interfaceIndex(), value);
    }
}
