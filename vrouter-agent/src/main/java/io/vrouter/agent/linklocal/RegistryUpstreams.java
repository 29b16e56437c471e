package io.vrouter.agent.linklocal;

import io.vrouter.linklocal.proxy.MetadataUpstreams;
import io.vrouter.linklocal.registry.LinkLocalRegistry;
import io.vrouter.linklocal.registry.LinkLocalService;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The proxy's upstreams: the fabric addresses of the registry's {@code metadata} service in
 * the snapshot in force. One volatile read; the list is built once per snapshot by the
 * registry, as the proxy asks on every request from its event loops.
 */
public final class RegistryUpstreams implements MetadataUpstreams {
    private final LinkLocalRegistry registry;

    public RegistryUpstreams(LinkLocalRegistry registry) {
        this.registry = registry;
    }

    @Override
    public List<InetSocketAddress> current() {
        LinkLocalService metadata = registry.snapshot().metadataService();
        return metadata == null ? List.of() : metadata.fabricSocketAddresses();
    }
}
