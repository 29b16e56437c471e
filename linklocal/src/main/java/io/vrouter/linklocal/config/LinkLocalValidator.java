package io.vrouter.linklocal.config;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one set of rules for link-local service entries, shared by the config API,
 * {@code provision_linklocal} and the agent. Every error is reported, each naming its field.
 *
 * <table>
 *   <caption>Rules</caption>
 *   <tr><th>field</th><th>rule</th></tr>
 *   <tr><td>linklocal_service_name</td><td>required, 1-{@value #MAX_NAME_LENGTH} printable
 *       characters, unique (names are the key of add/del)</td></tr>
 *   <tr><td>linklocal_service_ip</td><td>required IPv4 or IPv6 literal</td></tr>
 *   <tr><td>linklocal_service_port, ip_fabric_service_port</td><td>required, 1-65535</td></tr>
 *   <tr><td>ip_fabric_DNS_service_name</td><td>an RFC 1123 host name, not {@code localhost}</td></tr>
 *   <tr><td>ip_fabric_service_ip</td><td>IP literals, at most {@value #MAX_FABRIC_IPS},
 *       no repeats, none that {@link FabricTargets} refuses (loopback, unspecified, multicast,
 *       link-local, the agent's own ports)</td></tr>
 *   <tr><td>(entry)</td><td>exactly one of DNS name or fabric IPs; (service IP, port) unique
 *       (Contrail keeps the first duplicate silently; we refuse it)</td></tr>
 * </table>
 */
public final class LinkLocalValidator {
    public static final int MAX_NAME_LENGTH = 255;
    public static final int MAX_FABRIC_IPS = 32;
    public static final int MAX_ENTRIES = 1024;

    private static final Pattern HOSTNAME = Pattern.compile(
            "(?=.{1,253}\\.?$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");

    private LinkLocalValidator() {
    }

    /** Validates a whole set of entries; an empty list means valid. */
    public static List<FieldError> validate(LinkLocalServices services) {
        List<FieldError> errors = new ArrayList<>();
        List<LinkLocalServiceEntry> entries = services.entries();
        if (entries.size() > MAX_ENTRIES) {
            errors.add(new FieldError("linklocal_service_entry",
                    entries.size() + " entries exceed the limit of " + MAX_ENTRIES));
            return errors;
        }
        Map<String, Integer> byName = new HashMap<>();
        Map<String, Integer> byAddress = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            LinkLocalServiceEntry e = entries.get(i);
            String at = "linklocal_service_entry[" + i + "]";
            if (e == null) {
                errors.add(new FieldError(at, "entry is null"));
                continue;
            }
            validateEntry(e, at, errors);
            if (e.name() != null) {
                Integer first = byName.putIfAbsent(e.name(), i);
                if (first != null) {
                    errors.add(new FieldError(at + ".linklocal_service_name",
                            "duplicate name '" + e.name() + "' (already used by entry " + first + ")"));
                }
            }
            InetAddress ip = IpLiteral.parse(e.serviceIp());
            if (ip != null && e.servicePort() != null) {
                String key = ip.getHostAddress() + "/" + e.servicePort();
                Integer first = byAddress.putIfAbsent(key, i);
                if (first != null) {
                    errors.add(new FieldError(at + ".linklocal_service_ip",
                            "duplicate service address " + e.serviceIp() + ":" + e.servicePort()
                                    + " (already used by entry " + first + " '"
                                    + entries.get(first).name() + "')"));
                }
            }
        }
        return errors;
    }

    /** Validates one entry on its own (no uniqueness checks); {@code at} prefixes field paths. */
    public static void validateEntry(LinkLocalServiceEntry e, String at, List<FieldError> errors) {
        String name = e.name();
        if (name == null || name.isBlank()) {
            errors.add(new FieldError(at + ".linklocal_service_name", "is required"));
        } else if (name.length() > MAX_NAME_LENGTH) {
            errors.add(new FieldError(at + ".linklocal_service_name",
                    "is " + name.length() + " characters, the limit is " + MAX_NAME_LENGTH));
        } else if (name.chars().anyMatch(Character::isISOControl)) {
            errors.add(new FieldError(at + ".linklocal_service_name", "contains control characters"));
        }
        if (e.serviceIp() == null) {
            errors.add(new FieldError(at + ".linklocal_service_ip", "is required"));
        } else if (IpLiteral.parse(e.serviceIp()) == null) {
            errors.add(new FieldError(at + ".linklocal_service_ip",
                    "'" + e.serviceIp() + "' is not an IPv4 or IPv6 address"));
        }
        checkPort(e.servicePort(), at + ".linklocal_service_port", errors);
        checkPort(e.fabricPort(), at + ".ip_fabric_service_port", errors);
        boolean hasDns = e.fabricDnsName() != null;
        boolean hasIps = !e.fabricIps().isEmpty();
        if (hasDns && hasIps) {
            errors.add(new FieldError(at, "give either ip_fabric_DNS_service_name or ip_fabric_service_ip, not both"));
        } else if (!hasDns && !hasIps) {
            errors.add(new FieldError(at, "one of ip_fabric_DNS_service_name or ip_fabric_service_ip is required"));
        }
        if (hasDns && !HOSTNAME.matcher(e.fabricDnsName()).matches()) {
            errors.add(new FieldError(at + ".ip_fabric_DNS_service_name",
                    "'" + e.fabricDnsName() + "' is not a valid DNS name"));
        } else if (hasDns && FabricTargets.refusal(e.fabricDnsName()) != null) {
            errors.add(new FieldError(at + ".ip_fabric_DNS_service_name",
                    "'" + e.fabricDnsName() + "' " + FabricTargets.refusal(e.fabricDnsName())));
        }
        if (e.fabricIps().size() > MAX_FABRIC_IPS) {
            errors.add(new FieldError(at + ".ip_fabric_service_ip",
                    e.fabricIps().size() + " addresses exceed the limit of " + MAX_FABRIC_IPS));
        }
        List<String> seen = new ArrayList<>();
        int port = e.fabricPort() == null ? -1 : e.fabricPort();
        for (int j = 0; j < e.fabricIps().size(); j++) {
            String ip = e.fabricIps().get(j);
            InetAddress addr = IpLiteral.parse(ip);
            String field = at + ".ip_fabric_service_ip[" + j + "]";
            if (ip == null) {
                errors.add(new FieldError(field, "is null"));
            } else if (addr == null) {
                errors.add(new FieldError(field, "'" + ip + "' is not an IPv4 or IPv6 address"));
            } else if (seen.contains(addr.getHostAddress())) {
                errors.add(new FieldError(field, "'" + ip + "' is listed twice"));
            } else if (FabricTargets.refusal(addr, port, e.isMetadata()) != null) {
                errors.add(new FieldError(field, "'" + ip + "' " + FabricTargets.refusal(addr, port, e.isMetadata())));
            } else {
                seen.add(addr.getHostAddress());
            }
        }
    }

    private static void checkPort(Integer port, String field, List<FieldError> errors) {
        if (port == null) {
            errors.add(new FieldError(field, "is required"));
        } else if (port < 1 || port > 65535) {
            errors.add(new FieldError(field, port + " is outside 1-65535"));
        }
    }
}
