package io.vrouter.agent.introspect;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import io.vrouter.linklocal.config.LinkLocalServices;
import io.vrouter.linklocal.registry.LinkLocalService;
import io.vrouter.linklocal.registry.RegistrySnapshot;
import java.net.InetAddress;
import java.util.List;

/**
 * {@code /linklocal}: the registry's snapshot in force, as configured ({@code linklocal_services},
 * Contrail's field names) and as resolved ({@code services}).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record LinkLocalPage(long version, String source, LinkLocalServices linklocalServices, List<Service> services) {

    /** One service as the dataplane and the proxy use it. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Service(String name, String service, List<String> fabric, int fabricPort, String dnsName,
                          boolean resolved, boolean metadata) {
        static Service of(LinkLocalService s) {
            return new Service(s.name(), s.serviceAddress().getHostAddress() + ":" + s.servicePort(),
                    s.fabricAddresses().stream().map(InetAddress::getHostAddress).toList(), s.fabricPort(),
                    s.entry().fabricDnsName(), s.isResolved(), s.isMetadata());
        }
    }

    public static LinkLocalPage of(RegistrySnapshot snap) {
        return new LinkLocalPage(snap.version(), snap.source(), snap.config(),
                snap.services().stream().map(Service::of).toList());
    }
}
