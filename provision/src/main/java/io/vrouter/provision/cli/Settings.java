package io.vrouter.provision.cli;

import io.vrouter.linklocal.config.IpLiteral;
import io.vrouter.plumbing.config.ConfigValues;
import io.vrouter.provision.api.ConfigApiServer;
import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Everything one {@code provision_linklocal} run needs, resolved from the flags over the conf
 * file (picocli's {@link io.vrouter.plumbing.config.IniDefaultProvider}) over the defaults, and typed. Parse errors name where the bad value came from (a flag or
 * a conf-file key). Range checks of the entry itself are left to the shared validator.
 */
record Settings(Oper oper, boolean failIfAbsent, String apiServerIp, int apiServerPort, boolean useSsl, boolean useAdminApi,
                String adminUser, String adminPassword, String adminTenantName, Path caCert, boolean insecure,
                String serviceName, String serviceIp, Integer servicePort, String fabricDnsName,
                List<String> fabricIps, Integer fabricPort) {

    static final String DEFAULT_API_SERVER_IP = ConfigApiServer.DEFAULT_LISTEN_ADDRESS;
    static final int DEFAULT_API_SERVER_PORT = ConfigApiServer.DEFAULT_PORT;

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})");

    /**
     * @param values    key (the flag's name without dashes) to its value from the command line or
     *                  the conf file; absent when given in neither
     * @param origin    key to where its value came from ("--key" or "conf file F key k")
     * @param fabricIps every --ipfabric_service_ip value (each may be a comma list)
     */
    static Settings resolve(Map<String, String> values, Map<String, String> origin, List<String> fabricIps)
            throws UsageException {
        try {
            return resolve(values, new Resolver(values, origin), splitList(fabricIps));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
    }

    private static Settings resolve(Map<String, String> values, Resolver r, List<String> ips) throws UsageException {
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
            throw new UsageException(r.origin("api_server_ip") + " '" + apiIp + "' is not an IP address or host name");
        }
        int apiPort = r.integer("api_server_port", DEFAULT_API_SERVER_PORT);
        if (apiPort < 1 || apiPort > 65535) {
            throw new UsageException(r.origin("api_server_port") + " " + apiPort + " is outside 1-65535");
        }
        return new Settings(
                Oper.parse(values.getOrDefault("oper", "add"), r.origin("oper")), r.bool("fail_if_absent", false),
                apiIp, apiPort, useSsl, r.bool("use_admin_api", false),
                values.get("admin_user"), values.get("admin_password"), values.get("admin_tenant_name"), ca, insecure,
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

    /** Typed reads ({@link ConfigValues}) with errors naming the origin of the value. */
    private record Resolver(Map<String, String> values, Map<String, String> origins) {
        boolean has(String key) {
            return values.containsKey(key);
        }

        String origin(String key) {
            return origins.getOrDefault(key, "--" + key);
        }

        boolean bool(String key, boolean dflt) {
            String v = values.get(key);
            return v == null ? dflt : ConfigValues.bool(origin(key), v);
        }

        int integer(String key, int dflt) {
            Integer v = integerOrNull(key);
            return v == null ? dflt : v;
        }

        Integer integerOrNull(String key) {
            String v = values.get(key);
            return v == null ? null : ConfigValues.integer(origin(key), v);
        }
    }
}
