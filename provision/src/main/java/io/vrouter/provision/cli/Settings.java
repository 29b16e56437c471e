package io.vrouter.provision.cli;

import io.vrouter.linklocal.config.IpLiteral;
import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything one {@code provision_linklocal} run needs, resolved from the flags over the conf
 * file over the defaults, and typed. Parse errors name where the bad value came from (a flag or
 * a conf-file key). Range checks of the entry itself are left to the shared validator.
 */
record Settings(Oper oper, String apiServerIp, int apiServerPort, boolean useSsl, boolean useAdminApi,
                String adminUser, String adminPassword, String adminTenantName, Path caCert, boolean insecure,
                String serviceName, String serviceIp, Integer servicePort, String fabricDnsName,
                List<String> fabricIps, Integer fabricPort) {

    static final String DEFAULT_API_SERVER_IP = "127.0.0.1";
    static final int DEFAULT_API_SERVER_PORT = 8082;

    /** The conf-file keys (= flag names without dashes). */
    static final Set<String> KEYS = Set.of("api_server_ip", "api_server_port", "api_server_use_ssl",
            "use_admin_api", "linklocal_service_name", "linklocal_service_ip", "linklocal_service_port",
            "ipfabric_dns_service_name", "ipfabric_service_ip", "ipfabric_service_port", "oper",
            "admin_user", "admin_password", "admin_tenant_name", "ca_cert", "insecure");

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})");

    /**
     * @param flags     flag name (without dashes) to the value given on the command line
     * @param fabricIps every --ipfabric_service_ip value given (each may be a comma list)
     * @param confFile  the -c file, or null
     */
    static Settings resolve(Map<String, String> flags, List<String> fabricIps, Path confFile) throws UsageException {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> origin = new LinkedHashMap<>();
        if (confFile != null) {
            ConfFile.load(confFile, KEYS).forEach((k, v) -> {
                if (v != null && !v.isBlank()) {
                    values.put(k, v.trim());
                    origin.put(k, "conf file " + confFile + " key " + k);
                }
            });
        }
        flags.forEach((k, v) -> {
            if (v != null) {
                values.put(k, v);
                origin.put(k, "--" + k);
            }
        });
        List<String> ips;
        if (!fabricIps.isEmpty()) {
            ips = splitList(fabricIps);
        } else if (values.containsKey("ipfabric_service_ip")) {
            ips = splitList(List.of(values.get("ipfabric_service_ip")));
        } else {
            ips = List.of();
        }
        Resolver r = new Resolver(values, origin);
        boolean useSsl = r.bool("api_server_use_ssl", false);
        Path ca = r.has("ca_cert") ? Path.of(values.get("ca_cert")) : null;
        boolean insecure = r.bool("insecure", false);
        if (ca != null && insecure) {
            throw new UsageException("give --ca_cert or --insecure, not both");
        }
        if ((ca != null || insecure) && !useSsl) {
            throw new UsageException((ca != null ? "--ca_cert" : "--insecure") + " needs --api_server_use_ssl");
        }
        if (ca != null && !Files.isReadable(ca)) {
            throw new UsageException("--ca_cert " + ca + " is not a readable file");
        }
        String apiIp = values.getOrDefault("api_server_ip", DEFAULT_API_SERVER_IP);
        if (IpLiteral.parse(apiIp) == null && !HOST.matcher(apiIp).matches()) {
            throw new UsageException(origin.get("api_server_ip") + " '" + apiIp + "' is not an IP address or host name");
        }
        int apiPort = r.integer("api_server_port", DEFAULT_API_SERVER_PORT);
        if (apiPort < 1 || apiPort > 65535) {
            throw new UsageException(origin.get("api_server_port") + " " + apiPort + " is outside 1-65535");
        }
        String password = values.get("admin_password");
        return new Settings(
                Oper.parse(values.getOrDefault("oper", "add"), origin.getOrDefault("oper", "--oper")),
                apiIp, apiPort, useSsl, r.bool("use_admin_api", false),
                values.get("admin_user"), password, values.get("admin_tenant_name"), ca, insecure,
                values.get("linklocal_service_name"), values.get("linklocal_service_ip"),
                r.integerOrNull("linklocal_service_port"), values.get("ipfabric_dns_service_name"),
                ips, r.integerOrNull("ipfabric_service_port"));
    }

    /** The flags {@code oper} needs that are missing, as "--flag" names; empty when complete. */
    List<String> missingFor() {
        List<String> missing = new ArrayList<>();
        if (oper == Oper.LIST) {
            return missing;
        }
        if (serviceName == null) {
            missing.add("--linklocal_service_name");
        }
        if (oper == Oper.ADD) {
            if (serviceIp == null) {
                missing.add("--linklocal_service_ip");
            }
            if (servicePort == null) {
                missing.add("--linklocal_service_port");
            }
            if (fabricDnsName == null && fabricIps.isEmpty()) {
                missing.add("--ipfabric_service_ip or --ipfabric_dns_service_name");
            }
            if (fabricPort == null) {
                missing.add("--ipfabric_service_port");
            }
        }
        return missing;
    }

    /** The entry an {@code add} provisions. */
    LinkLocalServiceEntry entry() {
        return new LinkLocalServiceEntry(serviceName, serviceIp, servicePort, fabricDnsName, fabricPort, fabricIps);
    }

    URI baseUri() {
        InetAddress literal = IpLiteral.parse(apiServerIp);
        String host = literal instanceof Inet6Address ? "[" + apiServerIp + "]" : apiServerIp;
        return URI.create((useSsl ? "https" : "http") + "://" + host + ":" + apiServerPort);
    }

    private static List<String> splitList(List<String> raw) {
        List<String> out = new ArrayList<>();
        for (String value : raw) {
            for (String part : value.split(",")) {
                String t = part.trim();
                if (!t.isEmpty()) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    /** Typed reads with errors naming the origin of the value. */
    private record Resolver(Map<String, String> values, Map<String, String> origin) {
        boolean has(String key) {
            return values.containsKey(key);
        }

        boolean bool(String key, boolean dflt) throws UsageException {
            String v = values.get(key);
            if (v == null) {
                return dflt;
            }
            return switch (v.trim().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "1", "on" -> true;
                case "false", "no", "0", "off" -> false;
                default -> throw new UsageException(origin.get(key) + " '" + v + "' is not a boolean (true/false/yes/no/1/0)");
            };
        }

        int integer(String key, int dflt) throws UsageException {
            Integer v = integerOrNull(key);
            return v == null ? dflt : v;
        }

        Integer integerOrNull(String key) throws UsageException {
            String v = values.get(key);
            if (v == null) {
                return null;
            }
            try {
                return Integer.valueOf(v.trim());
            } catch (NumberFormatException e) {
                throw new UsageException(origin.get(key) + " '" + v + "' is not a number");
            }
        }
    }
}
