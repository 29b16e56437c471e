package io.vrouter.agent.config;

import io.vrouter.agent.dataplane.host.VhostInterface;
import io.vrouter.agent.introspect.IntrospectServer;
import io.vrouter.agent.port.PortIpcServer;
import io.vrouter.flow.FlowTableConfig;
import io.vrouter.linklocal.config.ConfigValidationException;
import io.vrouter.linklocal.proxy.MetadataProxyConfig;
import io.vrouter.linklocal.registry.LinkLocalFileSource;
import io.vrouter.plumbing.config.IniException;
import io.vrouter.plumbing.config.IniFile;
import io.vrouter.plumbing.logging.LogSettings;
import io.vrouter.plumbing.logging.Severity;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.net.Inet4Address;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses {@code agent.conf} (Contrail's INI format, read by the shared {@link IniFile}) into an
 * {@link AgentConfig}. It runs every check start-up depends on, so {@code --check} and a start
 * accept and refuse exactly the same files: the vhost rules are {@link VhostInterface}'s own, the
 * services file is parsed as its source parses it, the listening ports must differ.
 *
 * <p>Rules: a bad value is an error naming section, key, value and what is expected; a
 * required key that is missing is an error; a key given twice in a section is an error (a
 * repeated section is merged, as generated files repeat them); a section or key this agent does
 * not use is a one-line warning, so a Contrail {@code contrail-vrouter-agent.conf} with its many
 * other keys loads unchanged. All errors are reported at once.
 *
 * <table>
 *   <caption>Keys and defaults</caption>
 *   <tr><th>section.key</th><th>default</th></tr>
 *   <tr><td>DEFAULT.http_server_port / http_server_ip</td><td>{@value #DEFAULT_HTTP_SERVER_PORT} (introspect) /
 *       {@value #DEFAULT_HTTP_SERVER_IP} (Contrail: 0.0.0.0; introspect lists every tenant's ports)</td></tr>
 *   <tr><td>DEFAULT.port_ipc_port</td><td>{@value #DEFAULT_PORT_IPC_PORT}</td></tr>
 *   <tr><td>DEFAULT.thrift_server_port</td><td>{@value #DEFAULT_THRIFT_SERVER_PORT} (Introspect Thrift service, ours)</td></tr>
 *   <tr><td>DEFAULT.ports_dir</td><td>{@value #DEFAULT_PORTS_DIR}</td></tr>
 *   <tr><td>DEFAULT.stale_interface_cleanup_timeout</td><td>{@value PortIpcServer#DEFAULT_STALE_TIMEOUT_SECONDS} s
 *       (1-86400; Contrail's: ports not re-added after {@code /syncports} are removed)</td></tr>
 *   <tr><td>DEFAULT.flow_cache_timeout</td><td>0 = {@link #DEFAULT_FLOW_CACHE_TIMEOUT} s (the flow table's idle timeout)</td></tr>
 *   <tr><td>DEFAULT.log_file / log_level / log_files_count / log_file_size / log_local</td><td>stderr /
 *       SYS_NOTICE / 10 / 1048576 / true ({@link LogSettings})</td></tr>
 *   <tr><td>VIRTUAL-HOST-INTERFACE.name</td><td>{@value #DEFAULT_VHOST_NAME} (at most 12 characters)</td></tr>
 *   <tr><td>VIRTUAL-HOST-INTERFACE.ip</td><td>required, IPv4 CIDR</td></tr>
 *   <tr><td>VIRTUAL-HOST-INTERFACE.gateway / physical_interface / compute_node_address</td><td>space-separated
 *       lists: none / none / ip</td></tr>
 *   <tr><td>METADATA.metadata_proxy_secret</td><td>required</td></tr>
 *   <tr><td>METADATA.metadata_proxy_port</td><td>{@value #DEFAULT_METADATA_PROXY_PORT}; 0 = any free port (proxy-only mode)</td></tr>
 *   <tr><td>METADATA.metadata_use_ssl, metadata_ssl_insecure</td><td>false</td></tr>
 *   <tr><td>METADATA.metadata_client_cert / _cert_type / _key, metadata_ca_cert</td><td>none / PEM / none / none</td></tr>
 *   <tr><td>METADATA.metadata_token (ours)</td><td>optional (or required)</td></tr>
 *   <tr><td>METADATA.metadata_token_required_ports / _optional_ports / _key_file (ours)</td><td>none / none / a random key per start</td></tr>
 *   <tr><td>METADATA.metadata_rate_limit / _rate_burst / _max_connections</td><td>{@value #DEFAULT_METADATA_RATE_LIMIT}
 *       req/s per VM (0 = off) / {@value #DEFAULT_METADATA_RATE_BURST} / {@value #DEFAULT_METADATA_MAX_CONNECTIONS} per VM</td></tr>
 *   <tr><td>FLOWS.max_vm_flows</td><td>{@value #DEFAULT_MAX_VM_FLOWS} (%)</td></tr>
 *   <tr><td>FLOWS.max_system_linklocal_flows / max_vm_linklocal_flows</td><td>{@value #DEFAULT_MAX_SYSTEM_LINKLOCAL_FLOWS} / {@value #DEFAULT_MAX_VM_LINKLOCAL_FLOWS}</td></tr>
 *   <tr><td>FLOWS.vm_new_flow_rate / vm_new_flow_burst / embryonic_flow_timeout / drop_flow_timeout (ours)</td>
 *       <td>{@link AgentConfig.FlowGuards#DEFAULTS}</td></tr>
 *   <tr><td>LINKLOCAL.services_file</td><td>built-in default (metadata → 127.0.0.1:8775)</td></tr>
 *   <tr><td>LINKLOCAL.config_api_url / _user / _password / _ca_cert</td><td>none</td></tr>
 *   <tr><td>LINKLOCAL.cache_file</td><td>{@value #DEFAULT_LINKLOCAL_CACHE_FILE}</td></tr>
 *   <tr><td>DATAPLANE.enabled / route_table</td><td>true / 0 (the main table)</td></tr>
 *   <tr><td>DATAPLANE.port_mode / internal_address / kernel_fast_path / vhost_napi_thread</td><td>exclusive /
 *       {@value AgentConfig.Dataplane#DEFAULT_INTERNAL_ADDRESS} / true / true ({@link DataplaneKeys})</td></tr>
 * </table>
 */
public final class AgentConfigParser {
    // Defaults owned by a component are referenced, not repeated: one number, one place.
    public static final int DEFAULT_HTTP_SERVER_PORT = IntrospectServer.DEFAULT_PORT;
    public static final String DEFAULT_HTTP_SERVER_IP = "127.0.0.1";
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
    private static final Set<String> SECTIONS = Set.of(DEFAULT, VHOST, METADATA, FLOWS, LINKLOCAL, DATAPLANE);
    /** {@code log_file} values that mean the console in Contrail's files. */
    private static final Set<String> CONSOLE = Set.of("<stdout>", "<stderr>");

    /** A successful parse: the config and the warnings (unused keys, risky settings) to log. */
    public record Result(AgentConfig config, List<String> warnings) {
    }

    /** A TCP port the agent listens on, by the key that sets it. */
    private record Listener(String section, String key, int port) {
    }

    private final ConfReader r;

    private AgentConfigParser(IniFile ini) {
        this.r = new ConfReader(ini);
    }

    /** Parses a file; also warns when the file (it holds the secret) is readable by everyone. */
    public static Result parse(Path file) throws AgentConfigException {
        Result res;
        try {
            res = parse(IniFile.read(file));
        } catch (IniException e) {
            throw new AgentConfigException(file.toString(), e.problems());
        }
        try {
            if (Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ)) {
                List<String> w = new ArrayList<>(res.warnings());
                w.add(file + " is readable by every user, and it holds metadata_proxy_secret: chmod o-r it");
                return new Result(res.config(), List.copyOf(w));
            }
        } catch (IOException | UnsupportedOperationException e) {
            // permissions unknown: nothing to warn about
        }
        return res;
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
        if (!p.r.errors.isEmpty()) {
            throw new AgentConfigException(ini.source(), p.r.errors);
        }
        return new Result(config, List.copyOf(p.r.warnings));
    }

    private AgentConfig build() {
        AgentConfig.General general = new AgentConfig.General(
                r.port(DEFAULT, "http_server_port", DEFAULT_HTTP_SERVER_PORT),
                r.port(DEFAULT, "port_ipc_port", DEFAULT_PORT_IPC_PORT),
                r.path(DEFAULT, "ports_dir", Path.of(DEFAULT_PORTS_DIR)),
                r.ip(DEFAULT, "http_server_ip", ConfReader.ipv4Literal(DEFAULT_HTTP_SERVER_IP)),
                r.port(DEFAULT, "thrift_server_port", DEFAULT_THRIFT_SERVER_PORT),
                r.integer(DEFAULT, "stale_interface_cleanup_timeout", PortIpcServer.DEFAULT_STALE_TIMEOUT_SECONDS, 1, 86_400));
        if (Files.exists(general.portsDir()) && !Files.isDirectory(general.portsDir())) {
            r.bad(DEFAULT, "ports_dir", general.portsDir().toString(), "a directory (it is a file)");
        }
        AgentConfig.Dataplane dataplane = new DataplaneKeys(r).read();
        AgentConfig.VirtualHostInterface vhost = vhost();
        if (dataplane.enabled()) {
            new DataplaneKeys(r).checkApartFromFabric(dataplane.internalAddress(), vhost);
        }
        AgentConfig.Metadata metadata = new MetadataSection(r).read();
        AgentConfig.Flows flows = new AgentConfig.Flows(
                r.percent(FLOWS, "max_vm_flows", DEFAULT_MAX_VM_FLOWS),
                r.integer(FLOWS, "max_system_linklocal_flows", DEFAULT_MAX_SYSTEM_LINKLOCAL_FLOWS, 0, 1 << 22),
                r.integer(FLOWS, "max_vm_linklocal_flows", DEFAULT_MAX_VM_LINKLOCAL_FLOWS, 0, 1 << 22),
                flowCacheTimeout(), flowGuards());
        AgentConfig.LinkLocal linklocal = linklocal();
        LogSettings logging = logging();

        if (dataplane.enabled() && metadata.proxyPort() == 0) {
            r.errors.add("[" + METADATA + "] metadata_proxy_port = 0 (any free port) needs [" + DATAPLANE
                    + "] enabled = false: the dataplane NATs guests' metadata flows to a fixed port");
        }
        distinct(List.of(
                new Listener(DEFAULT, "http_server_port", general.introspectPort()),
                new Listener(DEFAULT, "port_ipc_port", general.portIpcPort()),
                new Listener(DEFAULT, "thrift_server_port", general.thriftPort()),
                new Listener(METADATA, "metadata_proxy_port", metadata.proxyPort())));
        warnControlNodeWithoutLinkLocalSource(linklocal);
        warnUnused();
        return r.errors.isEmpty() ? new AgentConfig(general, vhost, metadata, flows, linklocal, dataplane, logging) : null;
    }

    private AgentConfig.VirtualHostInterface vhost() {
        String name = r.string(VHOST, "name", DEFAULT_VHOST_NAME, s -> VhostInterface.nameProblem(s) == null,
                VhostInterface.nameProblem(""));
        Inet4Address ip = null;
        int prefix = 0;
        String cidr = r.get(VHOST, "ip");
        if (cidr == null || cidr.isEmpty()) {
            r.required(VHOST, "ip", "the vhost interface's IPv4 address with prefix, e.g. 10.0.0.5/24");
        } else {
            int slash = cidr.indexOf('/');
            Inet4Address a = slash < 0 ? null : ConfReader.ipv4Literal(cidr.substring(0, slash));
            Integer len = slash < 0 ? null : io.vrouter.plumbing.config.ConfigValues.parseInteger(cidr.substring(slash + 1));
            if (a == null || len == null || len < 0 || len > 32) {
                r.bad(VHOST, "ip", cidr, "an IPv4 address with prefix length, e.g. 10.0.0.5/24");
            } else {
                r.problem(VHOST, "ip", cidr, VhostInterface.prefixLengthProblem(len));
                ip = a;
                prefix = len;
            }
        }
        List<Inet4Address> gateways = r.list(VHOST, "gateway", ConfReader::ipv4Literal, "dotted-quad IPv4 addresses");
        List<String> physical = r.list(VHOST, "physical_interface", ConfReader::ifName,
                "interface names of 1-15 characters from [A-Za-z0-9_.-]");
        List<Inet4Address> compute = r.list(VHOST, "compute_node_address", ConfReader::ipv4Literal,
                "dotted-quad IPv4 addresses");
        return new AgentConfig.VirtualHostInterface(name, ip, prefix, gateways, physical,
                compute.isEmpty() && ip != null ? List.of(ip) : compute);
    }

    /** {@code [FLOWS]} keys of ours: a flooding guest hurts only itself. */
    private AgentConfig.FlowGuards flowGuards() {
        AgentConfig.FlowGuards d = AgentConfig.FlowGuards.DEFAULTS;
        return new AgentConfig.FlowGuards(
                r.integer(FLOWS, "vm_new_flow_rate", d.vmNewFlowRate(), 0, FlowTableConfig.MAX_NEW_FLOWS_PER_SECOND),
                r.integer(FLOWS, "vm_new_flow_burst", d.vmNewFlowBurst(), 1, FlowTableConfig.MAX_NEW_FLOWS_PER_SECOND),
                r.integer(FLOWS, "embryonic_flow_timeout", d.embryonicTimeoutSeconds(), 1, 86_400),
                r.integer(FLOWS, "drop_flow_timeout", d.dropTimeoutSeconds(), 1, 86_400));
    }

    /** Contrail's key is {@code [DEFAULT] flow_cache_timeout}; ours was {@code [FLOWS]}: both read, one allowed. */
    private int flowCacheTimeout() {
        int contrail = r.integer(DEFAULT, "flow_cache_timeout", 0, 0, 86_400);
        boolean legacySet = r.ini.value(FLOWS, "flow_cache_timeout") != null;
        int legacy = r.integer(FLOWS, "flow_cache_timeout", 0, 0, 86_400);
        if (legacySet && r.ini.value(DEFAULT, "flow_cache_timeout") != null) {
            r.errors.add("[" + DEFAULT + "] flow_cache_timeout and [" + FLOWS + "] flow_cache_timeout are both given:"
                    + " keep [" + DEFAULT + "] flow_cache_timeout (where Contrail reads it)");
        } else if (legacySet) {
            r.warnings.add("[" + FLOWS + "] flow_cache_timeout is read as [" + DEFAULT
                    + "] flow_cache_timeout, where Contrail has it: move it there");
        }
        int seconds = legacySet ? legacy : contrail;
        return seconds == 0 ? DEFAULT_FLOW_CACHE_TIMEOUT : seconds; // 0 = the default, as in Contrail
    }

    private LogSettings logging() {
        String raw = r.get(DEFAULT, "log_file");
        Path file = raw == null || CONSOLE.contains(raw) ? null : r.path(DEFAULT, "log_file", null);
        if (file != null && Files.isDirectory(file)) {
            r.bad(DEFAULT, "log_file", raw, "a file (it is a directory)");
        }
        Severity severity = Severity.DEFAULT;
        String level = r.get(DEFAULT, "log_level");
        if (level != null && !level.isEmpty()) {
            Severity s = Severity.parse(level);
            if (s == null) {
                r.bad(DEFAULT, "log_level", level, "one of " + Severity.NAMES);
            } else {
                severity = s;
            }
        }
        int count = r.integer(DEFAULT, "log_files_count", LogSettings.DEFAULT_FILES_COUNT, 1, LogSettings.MAX_FILES_COUNT);
        int size = r.integer(DEFAULT, "log_file_size", (int) LogSettings.DEFAULT_FILE_SIZE, (int) LogSettings.MIN_FILE_SIZE,
                Integer.MAX_VALUE);
        boolean local = r.bool(DEFAULT, "log_local", true);
        if (!local && file != null) {
            r.warnings.add("[" + DEFAULT + "] log_local = 0: log_file is not written; the agent logs to stderr"
                    + " (the journal, under systemd)");
        }
        return new LogSettings(local ? file : null, severity, count, size);
    }

    private AgentConfig.LinkLocal linklocal() {
        Path services = r.path(LINKLOCAL, "services_file", null);
        URI url = null;
        String raw = r.get(LINKLOCAL, "config_api_url");
        if (raw != null && !raw.isEmpty()) {
            try {
                URI u = new URI(raw);
                if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                    r.bad(LINKLOCAL, "config_api_url", raw, "an http:// or https:// URL with a host, e.g. http://10.0.0.1:8082");
                } else {
                    url = u;
                }
            } catch (URISyntaxException e) {
                r.bad(LINKLOCAL, "config_api_url", raw, "an http:// or https:// URL (" + e.getReason() + ")");
            }
        }
        String user = r.string(LINKLOCAL, "config_api_user", null, s -> true, "");
        String password = r.get(LINKLOCAL, "config_api_password");
        password = password == null || password.isEmpty() ? null : password;
        Path ca = r.path(LINKLOCAL, "config_api_ca_cert", null);
        Path cache = r.path(LINKLOCAL, "cache_file", Path.of(DEFAULT_LINKLOCAL_CACHE_FILE));
        if (url != null && services != null) {
            r.warnings.add("[" + LINKLOCAL + "] services_file is ignored: config_api_url is set");
        }
        if ((user == null) != (password == null)) {
            r.errors.add("[" + LINKLOCAL + "] config_api_user and config_api_password must be given together");
        }
        if (url == null && (user != null || ca != null)) {
            r.warnings.add("[" + LINKLOCAL + "] config_api_user/config_api_ca_cert have no effect without config_api_url");
        }
        if (url != null && password != null && "http".equals(url.getScheme())) {
            r.warnings.add("[" + LINKLOCAL + "] config_api_password is sent in clear text to " + url + ": use https");
        }
        if (url != null) {
            r.readable(LINKLOCAL, "config_api_ca_cert", ca);
        } else if (services != null) {
            servicesFile(services);
        }
        return new AgentConfig.LinkLocal(services, url, user, password, ca, cache);
    }

    /** The services file is parsed as its source parses it at start: a bad one fails --check too. */
    private void servicesFile(Path services) {
        if (!Files.isReadable(services)) {
            r.bad(LINKLOCAL, "services_file", services.toString(), "a readable link-local services JSON file");
            return;
        }
        try {
            LinkLocalFileSource.parse(Files.readString(services, StandardCharsets.UTF_8));
        } catch (ConfigValidationException | IOException e) {
            r.bad(LINKLOCAL, "services_file", services.toString(), "a valid link-local services JSON file: "
                    + e.getMessage());
        }
    }

    /** Two listeners on one port cannot both bind; 0 (any free port) never clashes. */
    private void distinct(List<Listener> listeners) {
        for (int i = 0; i < listeners.size(); i++) {
            for (int j = 0; j < i; j++) {
                Listener a = listeners.get(j);
                Listener b = listeners.get(i);
                if (a.port() != 0 && a.port() == b.port()) {
                    r.bad(b.section(), b.key(), Integer.toString(b.port()), "a port other than [" + a.section() + "] "
                            + a.key() + "'s (the agent listens on both)");
                }
            }
        }
    }

    private void warnControlNodeWithoutLinkLocalSource(AgentConfig.LinkLocal ll) {
        String servers = r.ini.value("CONTROL-NODE", "servers");
        if (servers != null && !ll.usesConfigApi() && ll.servicesFile() == null) {
            r.warnings.add("METADATA GOES TO THE BUILT-IN DEFAULT: [CONTROL-NODE] servers = " + servers + " names Contrail's"
                    + " control nodes, which this agent does not talk to, and no link-local source is set, so metadata"
                    + " is sent to 127.0.0.1:8775 and no other link-local service is served. Set [" + LINKLOCAL
                    + "] config_api_url (or services_file) to the cloud's link-local services");
        }
    }

    private void warnUnused() {
        for (Map.Entry<String, Map<String, String>> s : r.ini.sections().entrySet()) {
            if (!SECTIONS.contains(s.getKey())) {
                int n = s.getValue().size();
                r.warnings.add("[" + s.getKey() + "] (" + n + " key" + (n == 1 ? "" : "s")
                        + ") is not used by this agent: ignored");
                continue;
            }
            for (String key : s.getValue().keySet()) {
                if (!r.consumed(s.getKey(), key)) {
                    r.warnings.add("[" + s.getKey() + "] " + key + " is not used by this agent: ignored");
                }
            }
        }
    }
}
