package io.vrouter.linklocal.proxy;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Where the metadata service (nova-api) currently lives on the fabric: the
 * {@code ip_fabric_service_ip} list and {@code ip_fabric_service_port} of the link-local entry
 * named {@code metadata}. The agent wires its link-local registry to this; the proxy asks on
 * every request, so a config change applies to the next request without a restart.
 *
 * <p>Called on Netty event loops: must not block, must be safe for concurrent callers, and
 * should return a cached immutable list.
 */
@FunctionalInterface
public interface MetadataUpstreams {
    /** The current fabric addresses; empty when no {@code metadata} service is configured. */
    List<InetSocketAddress> current();

    /** A fixed list, for standalone runs and tests. */
    static MetadataUpstreams fixed(List<InetSocketAddress> addresses) {
        List<InetSocketAddress> copy = List.copyOf(addresses);
        return () -> copy;
    }
}
