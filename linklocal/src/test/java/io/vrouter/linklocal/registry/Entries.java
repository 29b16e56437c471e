package io.vrouter.linklocal.registry;

import io.vrouter.linklocal.config.IpLiteral;
import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.LinkLocalServices;
import java.net.InetAddress;
import java.util.List;

/** Test data builders. */
final class Entries {
    private Entries() {
    }

    static LinkLocalServiceEntry ip(String name, String serviceIp, int port, int fabricPort, String... fabricIps) {
        return new LinkLocalServiceEntry(name, serviceIp, port, null, fabricPort, List.of(fabricIps));
    }

    static LinkLocalServiceEntry dns(String name, String serviceIp, int port, String dnsName, int fabricPort) {
        return new LinkLocalServiceEntry(name, serviceIp, port, dnsName, fabricPort, List.of());
    }

    static LinkLocalServices services(LinkLocalServiceEntry... entries) {
        return new LinkLocalServices(List.of(entries));
    }

    static InetAddress addr(String literal) {
        return IpLiteral.parse(literal);
    }

    static int v4(String literal) {
        return IpLiteral.parseIpv4(literal);
    }

    /** A snapshot of IP-only entries, as the registry would build it. */
    static RegistrySnapshot snapshot(LinkLocalServiceEntry... entries) {
        try {
            return RegistrySnapshot.of(services(entries), "test");
        } catch (io.vrouter.linklocal.config.ConfigValidationException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
