package io.vrouter.provision.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** provision_linklocal as operators' existing scripts call Contrail's argparse-based one. */
@Timeout(30)
class ExistingScriptsTest {
    @TempDir
    Path dir;

    private final String closedPort = CliRun.closedPort();

    @Test
    void uniquePrefixesOfLongOptionsShouldWorkAsArgparseAllows() throws UsageException {
        Settings s = ProvisionLinklocal.settingsOf("--admin_pass", "pw", "--admin_u", "admin", "--admin_t", "demo",
                "--linklocal_service_na", "metadata", "--linklocal_service_i", "169.254.169.254",
                "--linklocal_service_p", "80", "--ipfabric_service_i", "10.0.0.5", "--ipfabric_service_p", "8775",
                "--op", "del", "--api_server_p=9001", "--api_server_i", "127.0.0.3");
        assertEquals("pw", s.adminPassword());
        assertEquals("admin", s.adminUser());
        assertEquals("demo", s.adminTenantName());
        assertEquals("metadata", s.serviceName());
        assertEquals(80, s.servicePort());
        assertEquals(List.of("10.0.0.5"), s.fabricIps());
        assertEquals(8775, s.fabricPort());
        assertEquals(Oper.DEL, s.oper());
        assertEquals(9001, s.apiServerPort());
        assertEquals("127.0.0.3", s.apiServerIp());
    }

    @Test
    void anAmbiguousPrefixShouldBeAUsageErrorNamingTheCandidates() {
        CliRun r = CliRun.run("--api", "10.0.0.1", "--oper", "list").assertFails(ExitStatus.USAGE, "--api");
        for (String candidate : List.of("--api_server_ip", "--api_server_port", "--api_server_use_ssl")) {
            assertTrue(r.err().contains(candidate), r.err());
        }
        CliRun.run("--admin", "x", "--oper", "list").assertFails(ExitStatus.USAGE, "--admin_password");
        CliRun.run("--adminPass", "x", "--oper", "list").assertFails(ExitStatus.USAGE, "Unknown option");
    }

    /** argparse: an exact option name wins even when it is also the prefix of a longer one. */
    @CommandLine.Command(name = "t")
    static final class PrefixPair {
        @CommandLine.Option(names = "--oper")
        String oper;
        @CommandLine.Option(names = "--operator")
        String operator;
    }

    @Test
    void anExactNameShouldWinOverALongerOptionItPrefixes() {
        PrefixPair p = new PrefixPair();
        // the same switch ProvisionLinklocal.commandLine sets
        new CommandLine(p).setAbbreviatedOptionsAllowed(true).parseArgs("--oper", "add", "--operat", "x");
        assertEquals("add", p.oper);
        assertEquals("x", p.operator);
        assertTrue(ProvisionLinklocal.commandLine(new ProvisionLinklocal()).isAbbreviatedOptionsAllowed());
    }

    @Test
    void extraKeysInDefaultsAndKeystoneShouldBeWarningsNotErrors() throws IOException {
        Path conf = Files.writeString(dir.resolve("provision.ini"), """
                [DEFAULTS]
                api_server_ip = 127.0.0.1
                api_server_port = %s
                multi_tenancy = True
                [KEYSTONE]
                admin_user = admin
                admin_password = pw
                admin_tenant_name = admin
                memcache_servers = 127.0.0.1:11211
                """.formatted(closedPort));
        CliRun r = CliRun.run("-c", conf.toString(), "--oper", "del", "--linklocal_service_name", "metadata");
        assertEquals(ExitStatus.UNREACHABLE, r.status(), r.err());
        List<String> lines = r.err().strip().lines().toList();
        assertEquals(3, lines.size(), r.err());
        assertEquals("provision_linklocal: warning: conf file " + conf + " [DEFAULTS]: unknown key 'multi_tenancy' ignored",
                lines.get(0));
        assertEquals("provision_linklocal: warning: conf file " + conf + " [KEYSTONE]: unknown key 'memcache_servers' ignored",
                lines.get(1));
        assertTrue(lines.get(2).contains("cannot connect"), lines.get(2));
    }
}
