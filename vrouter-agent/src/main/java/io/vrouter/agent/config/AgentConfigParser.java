package io.vrouter.agent.config;

import io.vrouter.agent.introspect.IntrospectServer;
import io.vrouter.agent.port.PortIpcServer;
import io.vrouter.flow.FlowTableConfig;
import io.vrouter.linklocal.config.IpLiteral;
import io.vrouter.linklocal.proxy.MetadataProxyConfig;
import io.vrouter.plumbing.config.ConfigValues;
import io.vrouter.plumbing.config.IniException;
import io.vrouter.plumbing.config.IniFile;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.net.Inet4Address;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Parses {@code agent.conf} (Contrail's INI format, read by the shared {@link IniFile}) into an
 * {@link AgentConfig}.
 *
 * <p>Rules: a bad value is an error naming section, key, value and what is expected; a
 * required key that is missing is an error; a key given twice is an error (Contrail's boost
 * parser refuses it too); an unknown section or key is a warning naming it, so a Contrail
 * {@code contrail-vrouter-agent.conf} with its many other keys still loads. All errors are
 * reported at once. Line syntax and value quoting are {@link IniFile}'s.
 *
 * <table>
 *   <caption>Keys and defaults</caption>
 *   <tr><th>section.key</th><th>default</th></tr>
 *   <tr><td>DEFAULT.http_server_port</td><td>{@value #DEFAULT_HTTP_SERVER_PORT} (introspect)</td></tr>
 *   <tr><td>DEFAULT.port_ipc_port</td><td>{@value #DEFAULT_PORT_IPC_PORT}</td></tr>
 *   <tr><td>DEFAULT.thrift_server_port</td><td>{@value #DEFAULT_THRIFT_SERVER_PORT} (Introspect Thrift service, ours)</td></tr>
 *   <tr><td>DEFAULT.ports_dir</td><td>{@value #DEFAULT_PORTS_DIR}</td></tr>
 *   <tr><td>VIRTUAL-HOST-INTERFACE.name</td><td>{@value #DEFAULT_VHOST_NAME}</td></tr>
 *   <tr><td>VIRTUAL-HOST-INTERFACE.ip</td><td>required, IPv4 CIDR</td></tr>
 *   <tr><td>VIRTUAL-HOST-INTERFACE.gateway / physical_interface / compute_node_address</td><td>none / none / ip</td></tr>
 *   <tr><td>METADATA.metadata_proxy_secret</td><td>required</td></tr>
 *   <tr><td>METADATA.metadata_proxy_port</td><td>{@value #DEFAULT_METADATA_PROXY_PORT}; 0 = any free port (proxy-only mode)</td></tr>
 *   <tr><td>METADATA.metadata_use_ssl</td><td>false (booleans: {@value ConfigValues#BOOLEAN_WORDS})</td></tr>
 *   <tr><td>METADATA.metadata_client_cert / _cert_type / _key, metadata_ca_cert</td><td>none / PEM / none / none</td></tr>
 *   <tr><td>METADATA.metadata_ssl_insecure</td><td>false</td></tr>
 *   <tr><td>METADATA.metadata_rate_limit</td><td>{@value #DEFAULT_METADATA_RATE_LIMIT} req/s per VM (0 = off)</td></tr>
 *   <tr><td>METADATA.metadata_rate_burst</td><td>{@value #DEFAULT_METADATA_RATE_BURST} requests</td></tr>
 *   <tr><td>METADATA.metadata_max_connections</td><td>{@value #DEFAULT_METADATA_MAX_CONNECTIONS} per VM</td></tr>
 *   <tr><td>FLOWS.max_vm_flows</td><td>{@value #DEFAULT_MAX_VM_FLOWS} (%)</td></tr>
 *   <tr><td>FLOWS.max_system_linklocal_flows / max_vm_linklocal_flows</td><td>{@value #DEFAULT_MAX_SYSTEM_LINKLOCAL_FLOWS} / {@value #DEFAULT_MAX_VM_LINKLOCAL_FLOWS}</td></tr>
 *   <tr><td>FLOWS.flow_cache_timeout</td><td>{@link #DEFAULT_FLOW_CACHE_TIMEOUT}: the flow table's idle timeout, 180 s</td></tr>
 *   <tr><td>LINKLOCAL.services_file</td><td>built-in default (metadata → 127.0.0.1:8775)</td></tr>
 *   <tr><td>LINKLOCAL.config_api_url / _user / _password / _ca_cert</td><td>none</td></tr>
 *   <tr><td>LINKLOCAL.cache_file</td><td>{@value #DEFAULT_LINKLOCAL_CACHE_FILE}</td></tr>
 *   <tr><td>DATAPLANE.enabled</td><td>true</td></tr>
 *   <tr><td>DATAPLANE.route_table</td><td>0 (the main table)</td></tr>
 * </table>
 */
public final class AgentConfigParser {
    // Defaults owned by a component are referenced, not repeated: one number, one place.
    public static final int DEFAULT_HTTP_SERVER_PORT = IntrospectServer.DEFAULT_PORT;
    public static final int DEFAULT_PORT_IPC_PORT = PortIpcServer.DEFAULT_PORT;
    public static final int DEFAULT_THRIFT_SERVER_PORT = 8098;
    public static final String DEFAULT_PORTS_DIR = "/var/lib/contrail/ports";
    public static final String DEFAULT_VHOST_NAME = "vhost0";
    public static final int DEFAULT_METADATA_PROXY_PORT = MetadataProxyConfig.DEFAULT_PORT;
    /** Whole requests per second: the key takes an integer, the proxy a rate. */
    public static final int DEFAULT_METADATA_RATE_LIMIT = (int) MetadataProxyConfig.DEFAULT_RATE_LIMIT_PER_SECOND;
    public static final int DEFAULT_METADATA_RATE_BURST = MetadataProxyConfig.DEFAULT_RATE_LIMIT_BURST;
    public static final int DEFAULT_METADATA_MAX_CONNECTIONS = MetadataProxyConfig.DEFAULT_MAX_CONNECTIONS_PER_VM;
    public static final int DEFAULT_MAX_VM_FLOWS = FlowTableConfig.DEFAULT_MAX_VM_FLOWS_PERCENT;
    public static final int DEFAULT_MAX_SYSTEM_LINKLOCAL_FLOWS = FlowTableConfig.DEFAULT_MAX_SYSTEM_LINKLOCAL_FLOWS;
    public static final int DEFAULT_MAX_VM_LINKLOCAL_FLOWS = FlowTableConfig.DEFAULT_MAX_VM_LINKLOCAL_FLOWS;
    public static final int DEFAULT_FLOW_CACHE_TIMEOUT = (int) (FlowTableConfig.DEFAULT_IDLE_TIMEOUT_NS / 1_000_000_000L);
    public static final String DEFAULT_LINKLOCAL_CACHE_FILE = "/var/lib/contrail/linklocal-services.json";

    static final String DEFAULT = "DEFAULT";
    static final String VHOST = "VIRTUAL-HOST-INTERFACE";
    static final String METADATA = "METADATA";
    static final String FLOWS = "FLOWS";
    static final String LINKLOCAL = "LINKLOCAL";
    static final String DATAPLANE = "DATAPLANE";

    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,15}");

    /** A successful parse: the config and the warnings (unknown keys, risky settings) to log. */
    public record Result(AgentConfig config, List<String> warnings) {
    }

    private final IniFile ini;
    private final List<String> errors = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final Set<String> consumed = new HashSet<>();

    private AgentConfigParser(IniFile ini) {
        this.ini = ini;
    }

    /** Parses a file; also warns when the file (it holds the secret) is readable by everyone. */
    public static Result parse(Path file) throws AgentConfigException {
        Result r;
        try {
            r = parse(IniFile.read(file));
        } catch (IniException e) {
            throw new AgentConfigException(file.toString(), e.problems());
        }
        try {
            if (Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ)) {
                List<String> w = new ArrayList<>(r.warnings());
                w.add(file + " is readable by every user, and it holds metadata_proxy_secret: chmod o-r it");
                return new Result(r.config(), List.copyOf(w));
            }
        } catch (IOException | UnsupportedOperationException e) {
            // permissions unknown: nothing to warn about
        }
        return r;
    }

    /** Parses INI text; {@code source} names it in messages. */
    public static Result parse(Reader reader, String source) throws AgentConfigException {
        try {
            StringWriter text = new StringWriter();
            reader.transferTo(text);
            return parse(IniFile.parse(text.toString(), source));
        } catch (IOException e) {
            throw new AgentConfigException(source, List.of("cannot read: " + e));
        } catch (IniException e) {
            throw new AgentConfigException(source, e.problems());
        }
    }

    private static Result parse(IniFile ini) throws AgentConfigException {
        AgentConfigParser p = new AgentConfigParser(ini);
        AgentConfig config = p.build();
        if (!p.errors.isEmpty()) {
            throw new AgentConfigException(ini.source(), p.errors);
        }
        return new Result(config, List.copyOf(p.warnings));
    }

    private AgentConfig build() {
        AgentConfig.General general = new AgentConfig.General(
                port(DEFAULT, "http_server_port", DEFAULT_HTTP_SERVER_PORT, true),
                port(DEFAULT, "port_ipc_port", DEFAULT_PORT_IPC_PORT, true),
                path(DEFAULT, "ports_dir", Path.of(DEFAULT_PORTS_DIR)),
                port(DEFAULT, "thrift_server_port", DEFAULT_THRIFT_SERVER_PORT, true));

        String vhostName = string(VHOST, "name", DEFAULT_VHOST_NAME,
                s -> IFNAME.matcher(s).matches() && !".".equals(s) && !"..".equals(s),
                "an interface name of 1-15 characters from [A-Za-z0-9_.-]");
        Inet4Address vhostIp = null;
        int prefix = 0;
        String cidr = get(VHOST, "ip");
        if (cidr == null || cidr.isEmpty()) {
            required(VHOST, "ip", "the vhost interface's IPv4 address with prefix, e.g. 10.0.0.5/24");
        } else {
            int slash = cidr.indexOf('/');
            Inet4Address a = slash < 0 ? null : ipv4Literal(cidr.substring(0, slash));
            Integer len = slash < 0 ? null : intLiteral(cidr.substring(slash + 1));
            if (a == null || len == null || len < 0 || len > 32) {
                bad(VHOST, "ip", cidr, "an IPv4 address with prefix length, e.g. 10.0.0.5/24");
            } else {
                vhostIp = a;
                prefix = len;
            }
        }
        Inet4Address gateway = ipv4(VHOST, "gateway");
        String physical = string(VHOST, "physical_interface", null,
                s -> IFNAME.matcher(s).matches() && !".".equals(s) && !"..".equals(s),
                "an interface name of 1-15 characters from [A-Za-z0-9_.-]");
        Inet4Address computeAddress = ipv4(VHOST, "compute_node_address");
        AgentConfig.VirtualHostInterface vhost = new AgentConfig.VirtualHostInterface(vhostName, vhostIp, prefix,
                gateway, physical, computeAddress == null ? vhostIp : computeAddress);

        AgentConfig.Metadata metadata = metadata();

        AgentConfig.Flows flows = new AgentConfig.Flows(
                percent(FLOWS, "max_vm_flows", DEFAULT_MAX_VM_FLOWS),
                integer(FLOWS, "max_system_linklocal_flows", DEFAULT_MAX_SYSTEM_LINKLOCAL_FLOWS, 0, 1 << 22),
                integer(FLOWS, "max_vm_linklocal_flows", DEFAULT_MAX_VM_LINKLOCAL_FLOWS, 0, 1 << 22),
                integer(FLOWS, "flow_cache_timeout", DEFAULT_FLOW_CACHE_TIMEOUT, 1, 86_400));

        AgentConfig.LinkLocal linklocal = linklocal();

        AgentConfig.Dataplane dataplane = new AgentConfig.Dataplane(bool(DATAPLANE, "enabled", true),
                integer(DATAPLANE, "route_table", 0, 0, 0x7fff_ffff));
        if (dataplane.enabled() && metadata.proxyPort() == 0) {
            errors.add("[" + METADATA + "] metadata_proxy_port = 0 (any free port) needs [" + DATAPLANE
                    + "] enabled = false: the dataplane NATs guests' metadata flows to a fixed port");
        }

        warnUnknown();
        return errors.isEmpty() ? new AgentConfig(general, vhost, metadata, flows, linklocal, dataplane) : null;
    }

    private AgentConfig.Metadata metadata() {
        String secret = get(METADATA, "metadata_proxy_secret");
        if (secret == null || secret.isEmpty()) {
            required(METADATA, "metadata_proxy_secret", "the secret shared with nova ([neutron] metadata_proxy_shared_secret)");
            secret = "";
        } else if (secret.length() < 16) {
            warnings.add("[" + METADATA + "] metadata_proxy_secret is only " + secret.length()
                    + " characters: anyone who guesses it can read every VM's metadata; use 32 or more");
        }
        int port = port(METADATA, "metadata_proxy_port", DEFAULT_METADATA_PROXY_PORT, true);
        boolean ssl = bool(METADATA, "metadata_use_ssl", false);
        Path cert = path(METADATA, "metadata_client_cert", null);
        String certType = string(METADATA, "metadata_client_cert_type", "PEM",
                s -> "PEM".equalsIgnoreCase(s), "PEM (the only format supported)");
        Path key = path(METADATA, "metadata_client_key", null);
        Path ca = path(METADATA, "metadata_ca_cert", null);
        boolean insecure = bool(METADATA, "metadata_ssl_insecure", false);
        int rate = integer(METADATA, "metadata_rate_limit", DEFAULT_METADATA_RATE_LIMIT, 0, 100_000);
        int burst = integer(METADATA, "metadata_rate_burst", DEFAULT_METADATA_RATE_BURST, 1, 100_000);
        int concurrent = integer(METADATA, "metadata_max_connections", DEFAULT_METADATA_MAX_CONNECTIONS, 1, 10_000);
        if (ssl) {
            if ((cert == null) != (key == null)) {
                errors.add("[" + METADATA + "] metadata_client_cert and metadata_client_key must be given together"
                        + " (client certificate authentication needs both)");
            }
            if (ca == null && !insecure) {
                errors.add("[" + METADATA + "] metadata_use_ssl = true needs metadata_ca_cert to verify nova's"
                        + " certificate (or metadata_ssl_insecure = true to skip verification explicitly)");
            }
            if (ca != null && insecure) {
                warnings.add("[" + METADATA + "] metadata_ssl_insecure = true: metadata_ca_cert is ignored");
            }
            readable(METADATA, "metadata_client_cert", cert);
            readable(METADATA, "metadata_client_key", key);
            readable(METADATA, "metadata_ca_cert", insecure ? null : ca);
        } else if (insecure) {
            warnings.add("[" + METADATA + "] metadata_ssl_insecure has no effect without metadata_use_ssl = true");
        }
        return new AgentConfig.Metadata(secret, port, ssl, cert, certType.toUpperCase(Locale.ROOT), key, ca, insecure,
                rate, burst, concurrent);
    }

    private AgentConfig.LinkLocal linklocal() {
        Path services = path(LINKLOCAL, "services_file", null);
        URI url = null;
        String raw = get(LINKLOCAL, "config_api_url");
        if (raw != null && !raw.isEmpty()) {
            try {
                URI u = new URI(raw);
                if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                    bad(LINKLOCAL, "config_api_url", raw, "an http:// or https:// URL with a host, e.g. http://10.0.0.1:8082");
                } else {
                    url = u;
                }
            } catch (URISyntaxException e) {
                bad(LINKLOCAL, "config_api_url", raw, "an http:// or https:// URL (" + e.getReason() + ")");
            }
        }
        String user = string(LINKLOCAL, "config_api_user", null, s -> true, "");
        String password = get(LINKLOCAL, "config_api_password");
        password = password == null || password.isEmpty() ? null : password;
        Path ca = path(LINKLOCAL, "config_api_ca_cert", null);
        Path cache = path(LINKLOCAL, "cache_file", Path.of(DEFAULT_LINKLOCAL_CACHE_FILE));
        if (url != null && services != null) {
            warnings.add("[" + LINKLOCAL + "] services_file is ignored: config_api_url is set");
        }
        if ((user == null) != (password == null)) {
            errors.add("[" + LINKLOCAL + "] config_api_user and config_api_password must be given together");
        }
        if (url == null && (user != null || ca != null)) {
            warnings.add("[" + LINKLOCAL + "] config_api_user/config_api_ca_cert have no effect without config_api_url");
        }
        if (url != null && password != null && "http".equals(url.getScheme())) {
            warnings.add("[" + LINKLOCAL + "] config_api_password is sent in clear text to " + url
                    + ": use https");
        }
        if (url != null) {
            readable(LINKLOCAL, "config_api_ca_cert", ca);
        } else if (services != null && !Files.isReadable(services)) {
            bad(LINKLOCAL, "services_file", services.toString(), "a readable link-local services JSON file");
        }
        return new AgentConfig.LinkLocal(services, url, user, password, ca, cache);
    }

    // --- typed getters: each records an error and returns the default on a bad value ---

    private String get(String section, String key) {
        consumed.add(section + "\u0000" + key);
        return ini.value(section, key);
    }

    private void bad(String section, String key, String value, String expected) {
        errors.add("[" + section + "] " + key + " = \"" + value + "\": expected " + expected);
    }

    private void required(String section, String key, String what) {
        errors.add("[" + section + "] " + key + " is required: " + what);
    }

    private void readable(String section, String key, Path file) {
        if (file != null && !Files.isReadable(file)) {
            bad(section, key, file.toString(), "a readable PEM file");
        }
    }

    private int integer(String section, String key, int dflt, int min, int max) {
        String v = get(section, key);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        Integer i = intLiteral(v);
        if (i == null || i < min || i > max) {
            bad(section, key, v, "an integer " + min + "-" + max);
            return dflt;
        }
        return i;
    }

    private int port(String section, String key, int dflt, boolean zeroMeansAny) {
        return integer(section, key, dflt, zeroMeansAny ? 0 : 1, 65535);
    }

    private double percent(String section, String key, double dflt) {
        String v = get(section, key);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            if (v.matches("[0-9]{1,3}(\\.[0-9]{1,6})?")) {
                double d = Double.parseDouble(v);
                if (d > 0 && d <= 100) {
                    return d;
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        bad(section, key, v, "a percentage greater than 0 and at most 100");
        return dflt;
    }

    private boolean bool(String section, String key, boolean dflt) {
        String v = get(section, key);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        Boolean b = ConfigValues.parseBoolean(v);
        if (b == null) {
            bad(section, key, v, "a boolean: " + ConfigValues.BOOLEAN_WORDS);
            return dflt;
        }
        return b;
    }

    private String string(String section, String key, String dflt, Predicate<String> valid, String expected) {
        String v = get(section, key);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        if (!valid.test(v)) {
            bad(section, key, v, expected);
            return dflt;
        }
        return v;
    }

    private Path path(String section, String key, Path dflt) {
        String v = get(section, key);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        if (v.indexOf('\u0000') >= 0 || !v.startsWith("/")) {
            bad(section, key, v, "an absolute path");
            return dflt;
        }
        return Path.of(v);
    }

    private Inet4Address ipv4(String section, String key) {
        String v = get(section, key);
        if (v == null || v.isEmpty()) {
            return null;
        }
        Inet4Address a = ipv4Literal(v);
        if (a == null) {
            bad(section, key, v, "a dotted-quad IPv4 address");
        }
        return a;
    }

    private static Inet4Address ipv4Literal(String s) {
        return IpLiteral.parseIpv4(s) != -1 && IpLiteral.parse(s) instanceof Inet4Address a ? a : null;
    }

    private static Integer intLiteral(String s) {
        return ConfigValues.parseInteger(s);
    }

    private void warnUnknown() {
        Set<String> known = Set.of(DEFAULT, VHOST, METADATA, FLOWS, LINKLOCAL, DATAPLANE);
        for (Map.Entry<String, Map<String, String>> s : ini.sections().entrySet()) {
            if (!known.contains(s.getKey())) {
                warnings.add("unknown section [" + s.getKey() + "] (" + s.getValue().size() + " key(s)) ignored");
                continue;
            }
            for (String key : s.getValue().keySet()) {
                if (!consumed.contains(s.getKey() + "\u0000" + key)) {
                    warnings.add("unknown key [" + s.getKey() + "] " + key + " ignored");
                }
            }
        }
    }
}
