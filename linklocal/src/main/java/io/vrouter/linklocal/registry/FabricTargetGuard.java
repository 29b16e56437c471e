package io.vrouter.linklocal.registry;

import io.vrouter.linklocal.config.ConfigValidationException;
import io.vrouter.linklocal.config.FabricTargets;
import io.vrouter.linklocal.config.FieldError;
import io.vrouter.linklocal.config.IpLiteral;
import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.LinkLocalServices;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry's half of the fabric-target rule ({@link FabricTargets}): what the validator cannot
 * know. Configured IPs that are this node's own listening endpoints refuse the config; addresses a
 * DNS name resolves to are checked one by one and the refused ones never installed (the registry
 * counts them). Writer thread only.
 */
final class FabricTargetGuard {
    private static final Logger LOG = LoggerFactory.getLogger(LinkLocalRegistry.class);

    private final Predicate<InetSocketAddress> ownEndpoint;

    FabricTargetGuard(Predicate<InetSocketAddress> ownEndpoint) {
        this.ownEndpoint = ownEndpoint;
    }

    /** Refuses {@code services} when a fabric IP is one of this node's own endpoints. */
    void requireNotOwn(LinkLocalServices services) throws ConfigValidationException {
        List<FieldError> errors = new ArrayList<>();
        List<LinkLocalServiceEntry> entries = services.entries();
        for (int i = 0; i < entries.size(); i++) {
            LinkLocalServiceEntry e = entries.get(i);
            for (int j = 0; j < e.fabricIps().size(); j++) {
                InetAddress a = IpLiteral.parse(e.fabricIps().get(j));
                if (a != null && ownEndpoint.test(new InetSocketAddress(a, e.fabricPort()))) {
                    errors.add(new FieldError("linklocal_service_entry[" + i + "].ip_fabric_service_ip[" + j + "]",
                            "'" + e.fabricIps().get(j) + "' port " + e.fabricPort() + " is one of this agent's own"
                                    + " listening endpoints: guests would reach the agent itself"));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigValidationException(errors);
        }
    }

    /**
     * The addresses of {@code answer} that every service using the name may forward to; each
     * other one is logged at WARN with the reason.
     */
    List<InetAddress> allowed(String name, String key, LinkLocalServices config, List<InetAddress> answer) {
        List<InetAddress> kept = new ArrayList<>(answer.size());
        for (InetAddress a : answer) {
            String why = null;
            for (LinkLocalServiceEntry e : config.entries()) {
                if (why == null && e.usesDns() && LinkLocalService.DnsNames.key(e.fabricDnsName()).equals(key)) {
                    why = refusal(a, e);
                }
            }
            if (why == null) {
                kept.add(a);
            } else {
                LOG.warn("DNS name '{}' resolved to {}, refused as a fabric target: {}", name, a.getHostAddress(), why);
            }
        }
        return kept;
    }

    private String refusal(InetAddress a, LinkLocalServiceEntry e) {
        String why = FabricTargets.refusal(a, e.fabricPort(), e.isMetadata());
        if (why == null && ownEndpoint.test(new InetSocketAddress(a, e.fabricPort()))) {
            why = "is one of this agent's own listening endpoints (port " + e.fabricPort() + ")";
        }
        return why == null ? null : "it " + why + " (service '" + e.name() + "')";
    }
}
