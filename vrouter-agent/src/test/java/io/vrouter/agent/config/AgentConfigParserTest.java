package io.vrouter.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.plumbing.logging.LogSettings;
import io.vrouter.plumbing.logging.Severity;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentConfigParserTest {
    static final Path SAMPLE = Path.of("..", "conf", "agent.conf");

    static final String MINIMAL = """
            [VIRTUAL-HOST-INTERFACE]
            ip = 192.168.1.10/24
            [METADATA]
            metadata_proxy_secret = 0123456789abcdef0123456789abcdef
            """;

    private static AgentConfigParser.Result parse(String text) throws AgentConfigException {
        return AgentConfigParser.parse(new StringReader(text), "test.conf");
    }

    private static AgentConfigException refuse(String text) {
        return assertThrows(AgentConfigException.class, () -> parse(text));
    }

    @Test
    void shippedSampleShouldParseWithoutWarnings() throws Exception {
        AgentConfigParser.Result r = AgentConfigParser.parse(new StringReader(Files.readString(SAMPLE)), "agent.conf");
        assertEquals(List.of(), r.warnings());
        AgentConfig c = r.config();
        assertEquals(8085, c.general().introspectPort());
        assertEquals(9091, c.general().portIpcPort());
        assertEquals(Path.of("/var/lib/contrail/ports"), c.general().portsDir());
        assertEquals("vhost0", c.vhost().name());
        assertEquals("10.0.0.5", c.vhost().ip().getHostAddress());
        assertEquals(24, c.vhost().prefixLength());
        assertEquals(List.of(InetAddress.getByName("10.0.0.1")), c.vhost().gateways());
        assertEquals(List.of("eth0"), c.vhost().physicalInterfaces());
        assertEquals(InetAddress.getByName("127.0.0.1"), c.general().introspectIp());
        assertEquals(new LogSettings(Path.of("/var/log/contrail/contrail-vrouter-agent.log"), Severity.SYS_NOTICE, 10,
                1048576), c.logging());
        assertEquals("change-me-to-32-random-characters", c.metadata().secret());
        assertEquals(8097, c.metadata().proxyPort());
        assertFalse(c.metadata().useSsl());
        assertNull(c.metadata().caCert());
        assertEquals("PEM", c.metadata().clientCertType());
        assertEquals(AgentConfig.Tokens.DEFAULTS, c.metadata().tokens(), "tokens optional, a random key");
        assertEquals(5.0, c.flows().maxVmFlowsPercent(), "ours: a per-VM share, not Contrail's 100");
        assertEquals(16384, c.flows().maxSystemLinkLocalFlows());
        assertEquals(1024, c.flows().maxVmLinkLocalFlows(), "ours: well below the node's");
        assertEquals(180, c.flows().flowCacheTimeoutSeconds());
        assertEquals(AgentConfig.FlowGuards.DEFAULTS, c.flows().guards());
        assertNull(c.linklocal().servicesFile(), "empty = built-in default");
        assertFalse(c.linklocal().usesConfigApi());
        assertTrue(c.dataplane().enabled());
        assertEquals(0, c.dataplane().routeTable());
    }

    @Test
    void tokenKeysShouldGiveTheNodeModePerPortExceptionsAndTheKeyFile(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("token.key");
        Files.write(key, new byte[32]);
        AgentConfig.Tokens t = parse(MINIMAL + """
                metadata_token = Required
                metadata_token_required_ports = 0B7E5C3A-1111-4111-8111-111111111111
                metadata_token_optional_ports = 22222222-2222-4222-8222-222222222222 33333333-3333-4333-8333-333333333333
                metadata_token_key_file = %s
                """.formatted(key)).config().metadata().tokens();
        assertEquals(io.vrouter.linklocal.proxy.MetadataTokenMode.REQUIRED, t.mode());
        assertEquals(java.util.Set.of("0b7e5c3a-1111-4111-8111-111111111111"), t.requiredPorts(), "lower-cased");
        assertEquals(2, t.optionalPorts().size());
        assertEquals(key, t.keyFile());
    }

    @Test
    void tokenKeysShouldRefuseAPortInBothListsAndAShortKeyFile(@TempDir Path dir) throws Exception {
        Path key = dir.resolve("token.key");
        Files.write(key, new byte[31]);
        AgentConfigException e = refuse(MINIMAL + """
                metadata_token_required_ports = 22222222-2222-4222-8222-222222222222
                metadata_token_optional_ports = 22222222-2222-4222-8222-222222222222
                metadata_token_key_file = %s
                """.formatted(key));
        assertEquals(2, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("both name [22222222-2222-4222-8222-222222222222]"), e.getMessage());
        assertTrue(e.getMessage().contains("at least 32 random bytes"), e.getMessage());
    }

    @Test
    void flowGuardKeysShouldBeReadAndABadValueRefusedByName() throws Exception {
        AgentConfig c = parse(MINIMAL + """
                [FLOWS]
                vm_new_flow_rate = 0
                vm_new_flow_burst = 10
                embryonic_flow_timeout = 3
                drop_flow_timeout = 2
                """).config();
        assertEquals(new AgentConfig.FlowGuards(0, 10, 3, 2), c.flows().guards());
        assertEquals(AgentConfig.FlowGuards.DEFAULTS, parse(MINIMAL).config().flows().guards());
        for (String bad : List.of("vm_new_flow_rate = -1", "vm_new_flow_burst = 0", "embryonic_flow_timeout = soon",
                "drop_flow_timeout = 0")) {
            AgentConfigException e = refuse(MINIMAL + "[FLOWS]\n" + bad + "\n");
            String key = bad.substring(0, bad.indexOf(' '));
            assertTrue(e.getMessage().contains(key), bad + ": " + e.getMessage());
        }
    }

    @Test
    void staleInterfaceCleanupTimeoutShouldBeContrailsKeyWithItsDefault() throws Exception {
        assertEquals(60, parse(MINIMAL).config().general().staleInterfaceCleanupSeconds());
        assertEquals(300, parse("[DEFAULT]\nstale_interface_cleanup_timeout = 300\n" + MINIMAL).config()
                .general().staleInterfaceCleanupSeconds());
        AgentConfigException e = refuse("[DEFAULT]\nstale_interface_cleanup_timeout = 0\n" + MINIMAL);
        assertTrue(e.getMessage().contains("[DEFAULT] stale_interface_cleanup_timeout"), e.getMessage());
    }

    @Test
    void thriftPortShouldNotClashWithAnotherListener() {
        AgentConfigException e = refuse("[DEFAULT]\nhttp_server_port = 8098\n" + MINIMAL);
        assertTrue(e.getMessage().contains("thrift_server_port"), e.getMessage());
    }

    @Test
    void anyFreeProxyPortShouldNeedProxyOnlyMode() throws Exception {
        AgentConfigException e = refuse(MINIMAL + "metadata_proxy_port = 0\n");
        assertTrue(e.getMessage().contains("metadata_proxy_port = 0 (any free port) needs [DATAPLANE] enabled = false"),
                e.getMessage());
        assertEquals(0, parse(MINIMAL + "metadata_proxy_port = 0\n[DATAPLANE]\nenabled = false\n").config()
                .metadata().proxyPort());
    }

    @Test
    void defaultsShouldFollowContrail() throws Exception {
        AgentConfig c = parse(MINIMAL).config();
        assertEquals(8085, c.general().introspectPort());
        assertEquals(9091, c.general().portIpcPort());
        assertEquals("vhost0", c.vhost().name());
        assertEquals(List.of(c.vhost().ip()), c.vhost().computeNodeAddresses());
        assertEquals(List.of(), c.vhost().gateways());
        assertEquals(LogSettings.stderr(Severity.SYS_NOTICE), c.logging(), "no log_file: stderr (the journal)");
        assertEquals(8097, c.metadata().proxyPort());
        assertEquals(180, c.flows().flowCacheTimeoutSeconds());
        assertEquals(Path.of(AgentConfigParser.DEFAULT_LINKLOCAL_CACHE_FILE), c.linklocal().cacheFile());
    }

    @Test
    void toStringShouldNotShowSecrets() throws Exception {
        AgentConfig c = parse(MINIMAL + "[LINKLOCAL]\nconfig_api_url = https://cfg:8082\nconfig_api_user = admin\n"
                + "config_api_password = hunter2hunter2\n").config();
        String s = c.toString();
        assertFalse(s.contains("0123456789abcdef0123456789abcdef"), s);
        assertFalse(s.contains("hunter2"), s);
        assertEquals(URI.create("https://cfg:8082"), c.linklocal().configApiUrl());
    }

    @ParameterizedTest(name = "[{0}] {1} = {2}")
    @CsvSource(delimiter = '|', value = {
        "DEFAULT|http_server_port|80a|an integer 0-65535",
        "DEFAULT|http_server_port|65536|an integer 0-65535",
        "DEFAULT|port_ipc_port|-1|an integer 0-65535",
        "DEFAULT|ports_dir|var/lib/ports|an absolute path",
        "VIRTUAL-HOST-INTERFACE|name|vhost0-with-a-long-name|an interface name",
        "VIRTUAL-HOST-INTERFACE|ip|10.0.0.5|an IPv4 address with prefix length",
        "VIRTUAL-HOST-INTERFACE|ip|10.0.0.5/33|an IPv4 address with prefix length",
        "VIRTUAL-HOST-INTERFACE|ip|fe80::1/64|an IPv4 address with prefix length",
        "VIRTUAL-HOST-INTERFACE|name|vhost0-abcdef|an interface name of 1-12 characters",
        "VIRTUAL-HOST-INTERFACE|gateway|10.0.0.300|a space-separated list of dotted-quad IPv4 addresses",
        "VIRTUAL-HOST-INTERFACE|gateway|10.0.0.1,10.0.0.2|a space-separated list of dotted-quad IPv4 addresses",
        "VIRTUAL-HOST-INTERFACE|physical_interface|eth0 averyveryverylongname|a space-separated list of interface names",
        "VIRTUAL-HOST-INTERFACE|compute_node_address|node1|a space-separated list of dotted-quad IPv4 addresses",
        "DEFAULT|http_server_ip|localhost|an IPv4 or IPv6 address",
        "DEFAULT|flow_cache_timeout|-1|an integer 0-86400",
        "DEFAULT|log_file|contrail-vrouter-agent.log|an absolute path",
        "DEFAULT|log_level|NOTICE|one of SYS_EMERG",
        "DEFAULT|log_files_count|0|an integer 1-20",
        "DEFAULT|log_file_size|100|an integer 1024-2147483647",
        "DEFAULT|log_local|sometimes|a boolean",
        "METADATA|metadata_proxy_port|-1|an integer 0-65535",
        "METADATA|metadata_proxy_port|8097x|an integer 0-65535",
        "METADATA|metadata_use_ssl|maybe|a boolean: true/false",
        "METADATA|metadata_client_cert_type|DER|PEM",
        "METADATA|metadata_rate_limit|-5|an integer 0-100000",
        "METADATA|metadata_token|mandatory|optional or required",
        "METADATA|metadata_token_required_ports|port-1|a space-separated list of port UUIDs",
        "METADATA|metadata_token_optional_ports|1-1-1-1-1|a space-separated list of port UUIDs",
        "METADATA|metadata_token_key_file|/nonexistent/token.key|an existing file",
        "METADATA|metadata_token_key_file|token.key|an absolute path",
        "METADATA|metadata_max_connections|0|an integer 1-10000",
        "METADATA|metadata_rate_burst|0|an integer 1-100000",
        "FLOWS|max_vm_flows|0|a percentage",
        "FLOWS|max_vm_flows|150|a percentage",
        "FLOWS|max_system_linklocal_flows|lots|an integer",
        "FLOWS|max_vm_linklocal_flows|-1|an integer",
        "LINKLOCAL|services_file|/nonexistent/services.json|a readable link-local services JSON file",
        "LINKLOCAL|config_api_url|ftp://cfg|an http:// or https:// URL",
        "LINKLOCAL|config_api_url|http://|an http:// or https:// URL",
        "DATAPLANE|enabled|sometimes|a boolean: true/false",
        "DATAPLANE|route_table|-1|an integer 0-2147483647",
        "DATAPLANE|route_table|254|0 (the main table) or a private table id",
        "DATAPLANE|port_mode|bridge|exclusive (the agent owns each guest port) or shared",
        "DATAPLANE|kernel_fast_path|maybe|a boolean: true/false",
        "DATAPLANE|vhost_napi_thread|threaded|a boolean: true/false",
        "DATAPLANE|internal_address|198.18.0.1/32|a dotted-quad IPv4 address (no prefix",
        "DATAPLANE|internal_address|169.254.0.9|not loopback (127/8), link-local (169.254/16)",
        "DATAPLANE|internal_address|192.168.1.77|outside the fabric subnet 192.168.1.0/24 of [VIRTUAL-HOST-INTERFACE] ip",
        "DATAPLANE|internal_address|192.168.1.10|outside the fabric subnet 192.168.1.0/24",
    })
    void badValueShouldNameSectionKeyValueAndExpectation(String section, String key, String value, String expected) {
        String text = MINIMAL.replace("ip = 192.168.1.10/24\n", VHOST_IP(section, key))
                + "[" + section + "]\n" + key + " = " + value + "\n";
        AgentConfigException e = refuse(text);
        assertEquals(1, e.problems().size(), e.getMessage());
        String p = e.problems().get(0);
        assertTrue(p.startsWith("[" + section + "] " + key + " = \"" + value + "\": expected "), p);
        assertTrue(p.contains(expected), p);
        assertTrue(e.getMessage().contains("test.conf"), e.getMessage());
    }

    /** A bad vhost ip replaces the good one rather than being given twice. */
    private static String VHOST_IP(String section, String key) {
        return "VIRTUAL-HOST-INTERFACE".equals(section) && "ip".equals(key) ? "" : "ip = 192.168.1.10/24\n";
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "garbage line|line 5: \"garbage line\": expected key = value",
        "[FLOWS|line 5: \"[FLOWS\": expected a section header",
        "= value|line 5: \"= value\": expected key = value",
        "metadata proxy port = 1|expected key = value",
        "[ ]|expected a section header",
    })
    void malformedLinesShouldBeErrorsWithTheirLineNumber(String line, String message) {
        AgentConfigException e = refuse(MINIMAL + line + "\n");
        assertEquals(1, e.problems().size(), e.getMessage());
        assertTrue(e.problems().get(0).contains(message), e.getMessage());
    }

    @Test
    void controlCharactersShouldBeRefusedAndAByteOrderMarkIgnored() throws Exception {
        assertTrue(refuse(MINIMAL + "x = \u0001\n").getMessage().contains("line 5: \"x = ?\": contains control characters"));
        assertEquals(List.of(), parse("\uFEFF" + MINIMAL).warnings());
    }

    @Test
    void missingSecretShouldBeAClearError() {
        AgentConfigException e = refuse("[VIRTUAL-HOST-INTERFACE]\nip = 10.0.0.5/24\n");
        assertEquals(1, e.problems().size(), e.getMessage());
        assertTrue(e.problems().get(0).startsWith("[METADATA] metadata_proxy_secret is required"), e.getMessage());
        assertTrue(refuse(MINIMAL.replace("0123456789abcdef0123456789abcdef", "")).getMessage()
                .contains("metadata_proxy_secret is required"));
    }

    @Test
    void missingVhostIpShouldBeAClearError() {
        AgentConfigException e = refuse("[METADATA]\nmetadata_proxy_secret = 0123456789abcdef0123\n");
        assertTrue(e.problems().get(0).startsWith("[VIRTUAL-HOST-INTERFACE] ip is required"), e.getMessage());
    }

    @Test
    void everyProblemShouldBeReportedAtOnce() {
        AgentConfigException e = refuse("[DEFAULT]\nhttp_server_port = x\n[FLOWS]\nflow_cache_timeout = y\n");
        assertEquals(4, e.problems().size(), e.getMessage()); // two bad values, two required keys
    }

    @Test
    void unknownSectionsAndKeysShouldBeWarnings() throws Exception {
        AgentConfigParser.Result r = parse(MINIMAL + "[METADATA]\nmetadata_proxy_sekret = x\n"
                + "[CONTROL-NODE]\nservers = 10.0.0.1:5269\n");
        assertTrue(r.warnings().contains("[METADATA] metadata_proxy_sekret is not used by this agent: ignored"),
                r.warnings().toString());
        assertTrue(r.warnings().contains("[CONTROL-NODE] (1 key) is not used by this agent: ignored"), r.warnings().toString());
    }

    @Test
    void keyGivenTwiceShouldBeAnError() {
        AgentConfigException e = refuse(MINIMAL + "[FLOWS]\nflow_cache_timeout = 10\nflow_cache_timeout = 20\n");
        assertTrue(e.getMessage().contains("[FLOWS] flow_cache_timeout is given 2 times"), e.getMessage());
    }

    @Test
    void shortSecretShouldWarn() throws Exception {
        AgentConfigParser.Result r = parse(MINIMAL.replace("0123456789abcdef0123456789abcdef", "short"));
        assertTrue(r.warnings().stream().anyMatch(w -> w.contains("metadata_proxy_secret is only 5 characters")));
    }

    @Test
    void inlineCommentAfterAValueShouldBeCut() throws Exception {
        AgentConfig c = parse(MINIMAL.replace("ip = 192.168.1.10/24", "ip = 192.168.1.10/24   # the vhost")).config();
        assertEquals(24, c.vhost().prefixLength());
    }

    @Test
    void quotedSecretShouldKeepCommentCharacters() throws Exception {
        AgentConfig c = parse(MINIMAL.replace("0123456789abcdef0123456789abcdef", "\"abc ;def #ghi0123456789\"")).config();
        assertEquals("abc ;def #ghi0123456789", c.metadata().secret());
    }

    @Test
    void sslWithoutCaShouldBeRefusedUnlessInsecureIsExplicit(@TempDir Path dir) throws Exception {
        AgentConfigException e = refuse(MINIMAL + "metadata_use_ssl = true\n");
        assertTrue(e.getMessage().contains("metadata_use_ssl = true needs metadata_ca_cert"), e.getMessage());
        AgentConfig insecure = parse(MINIMAL + "metadata_use_ssl = yes\nmetadata_ssl_insecure = true\n").config();
        assertTrue(insecure.metadata().sslInsecure());

        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        AgentConfig verified = parse(MINIMAL + "metadata_use_ssl = true\nmetadata_ca_cert = " + ca + "\n").config();
        assertEquals(ca, verified.metadata().caCert());

        AgentConfigException missingFile = refuse(MINIMAL + "metadata_use_ssl = true\nmetadata_ca_cert = "
                + dir.resolve("nope.pem") + "\n");
        assertTrue(missingFile.getMessage().contains("metadata_ca_cert = \"" + dir.resolve("nope.pem")
                + "\": expected a readable PEM file"), missingFile.getMessage());
        AgentConfigException certOnly = refuse(MINIMAL + "metadata_use_ssl = true\nmetadata_ca_cert = " + ca
                + "\nmetadata_client_cert = " + ca + "\n");
        assertTrue(certOnly.getMessage().contains("must be given together"), certOnly.getMessage());
    }

    @Test
    void configApiUserWithoutPasswordShouldBeRefused() {
        AgentConfigException e = refuse(MINIMAL + "[LINKLOCAL]\nconfig_api_url = http://10.0.0.2:8082\nconfig_api_user = admin\n");
        assertTrue(e.getMessage().contains("config_api_user and config_api_password must be given together"), e.getMessage());
    }

    @Test
    void worldReadableFileShouldWarn(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("agent.conf"), MINIMAL);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(AgentConfigParser.parse(f).warnings().stream().anyMatch(w -> w.contains("readable by every user")));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        assertEquals(List.of(), AgentConfigParser.parse(f).warnings());
    }

    @Test
    void unreadableFileShouldBeAClearError(@TempDir Path dir) {
        AgentConfigException e = assertThrows(AgentConfigException.class,
                () -> AgentConfigParser.parse(dir.resolve("missing.conf")));
        assertTrue(e.getMessage().contains("cannot read the file"), e.getMessage());
    }
}
