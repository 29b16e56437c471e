package io.vrouter.provision.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Flag and conf-file handling. Runs that must fail before any request point at a closed port,
 * so reaching the network would show up as status 6 instead of the expected one.
 */
@Timeout(20)
class ProvisionLinklocalFlagsTest {
    @TempDir
    Path dir;

    static String closedPort;

    @BeforeAll
    static void findClosedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = String.valueOf(s.getLocalPort());
        }
    }

    private static List<String> metadataAdd() {
        return List.of("--api_server_port", closedPort, "--oper", "add",
                "--linklocal_service_name", "metadata", "--linklocal_service_ip", "169.254.169.254",
                "--linklocal_service_port", "80", "--ipfabric_service_ip", "10.0.0.5",
                "--ipfabric_service_port", "8775");
    }

    @Test
    void aValidAddShouldGetAsFarAsTheNetwork() {
        CliRun.run(metadataAdd().toArray(String[]::new)).assertFails(ExitStatus.UNREACHABLE, "cannot connect");
    }

    /** One bad flag on an otherwise valid add: the status and the one line that names it. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--oper|remove|2|--oper 'remove' is not one of add, del, list",
        "--linklocal_service_port|http|2|--linklocal_service_port 'http' is not a number",
        "--ipfabric_service_port|70000|4|--ipfabric_service_port: 70000 is outside 1-65535",
        "--linklocal_service_ip|169.254.169|4|--linklocal_service_ip: '169.254.169' is not an IPv4 or IPv6 address",
        "--ipfabric_service_ip|10.0.0.6,nova.example|4|--ipfabric_service_ip: 'nova.example' is not an IPv4 or IPv6 address",
        "--ipfabric_dns_service_name|nova.example|4|not both",
        "--api_server_use_ssl|maybe|2|--api_server_use_ssl 'maybe' is not a boolean",
    })
    void aBadFlagValueShouldFailOnOneLineNamingTheFlag(String flag, String value, int status, String message) {
        CliRun.run(CliRun.args(metadataAdd(), flag, value)).assertFails(status, message);
    }

    @Test
    void missingFlagsForAddShouldAllBeNamed() {
        CliRun.run("--api_server_port", closedPort, "--linklocal_service_name", "metadata", "--linklocal_service_port", "80")
                .assertFails(ExitStatus.USAGE, "--oper add needs --linklocal_service_ip, "
                        + "--ipfabric_service_ip or --ipfabric_dns_service_name, --ipfabric_service_port");
    }

    @Test
    void delShouldNeedOnlyAName() {
        CliRun.run("--api_server_port", closedPort, "--oper", "del")
                .assertFails(ExitStatus.USAGE, "--oper del needs --linklocal_service_name");
        CliRun.run("--api_server_port", closedPort, "--oper", "del", "--linklocal_service_name", "metadata")
                .assertFails(ExitStatus.UNREACHABLE, "cannot connect");
    }

    @Test
    void anUnknownFlagShouldBeAUsageErrorOnOneLine() {
        CliRun.run(CliRun.args(metadataAdd(), "--linklocal_service_nmae", "x"))
                .assertFails(ExitStatus.USAGE, "Unknown option");
    }

    @Test
    void aFlagWithoutItsValueShouldBeAUsageError() {
        CliRun.run("--oper").assertFails(ExitStatus.USAGE, "--oper");
    }

    @Test
    void helpShouldDocumentTheExitStatuses() {
        CliRun r = CliRun.run("--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("--ipfabric_service_ip"), r.out());
        assertTrue(r.out().contains("7  gave up after repeated concurrent-update conflicts"), r.out());
    }

    @ParameterizedTest
    @CsvSource({"true,true", "True,true", "yes,true", "1,true", "on,true",
                "false,false", "False,false", "NO,false", "0,false", "off,false"})
    void useSslShouldBeARealBoolean(String text, boolean expected) throws UsageException {
        Settings s = ProvisionLinklocal.settingsOf("--api_server_use_ssl", text);
        assertEquals(expected, s.useSsl());
        assertEquals(expected ? "https" : "http", s.baseUri().getScheme());
    }

    @Test
    void theBareUseSslFlagShouldMeanTrueAndItsAbsenceFalse() {
        // "--api_server_use_ssl --insecure" would reach TLS; the bare flag must not eat "--oper".
        CliRun r = CliRun.run(CliRun.args(metadataAdd(), "--api_server_use_ssl", "--insecure"));
        r.assertFails(ExitStatus.UNREACHABLE, "https://127.0.0.1:" + closedPort);
        CliRun.run(CliRun.args(metadataAdd(), "--api_server_use_ssl", "False", "--insecure"))
                .assertFails(ExitStatus.USAGE, "--insecure needs --api_server_use_ssl");
    }

    @Test
    void caCertAndInsecureTogetherShouldBeRefused() throws IOException {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
        CliRun.run(CliRun.args(metadataAdd(), "--api_server_use_ssl", "true", "--insecure", "--ca_cert", ca.toString()))
                .assertFails(ExitStatus.USAGE, "not both");
        CliRun.run(CliRun.args(metadataAdd(), "--api_server_use_ssl", "--ca_cert", dir.resolve("none.pem").toString()))
                .assertFails(ExitStatus.USAGE, "is not a readable file");
    }

    @Test
    void aCaFileThatIsNotPemShouldBeReportedClearly() throws IOException {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
        CliRun.run(CliRun.args(metadataAdd(), "--api_server_use_ssl", "--ca_cert", ca.toString()))
                .assertFails(ExitStatus.USAGE, "cannot set up TLS");
    }

    @Test
    void defaultsShouldBeContrails() throws UsageException {
        Settings s = ProvisionLinklocal.settingsOf();
        assertEquals(URI.create("http://127.0.0.1:8082"), s.baseUri());
        assertEquals(Oper.ADD, s.oper());
        assertFalse(s.insecure());
        assertNull(s.adminUser());
    }

    @Test
    void fabricIpsShouldComeFromRepeatedFlagsAndCommaLists() throws UsageException {
        Settings s = ProvisionLinklocal.settingsOf("--ipfabric_service_ip", "10.0.0.5, 10.0.0.6", "--ipfabric_service_ip", "fd00::7");
        assertEquals(List.of("10.0.0.5", "10.0.0.6", "fd00::7"), s.fabricIps());
    }

    @Test
    void anIpv6ApiServerShouldBeBracketedInTheUri() throws UsageException {
        assertEquals(URI.create("http://[::1]:8082"), ProvisionLinklocal.settingsOf("--api_server_ip", "::1").baseUri());
        assertThrows(UsageException.class, () -> ProvisionLinklocal.settingsOf("--api_server_ip", "bad host!"));
        assertThrows(UsageException.class, () -> ProvisionLinklocal.settingsOf("--api_server_port", "0"));
    }

    @Test
    void theConfFileShouldSupplyDefaultsThatFlagsOverride() throws Exception {
        Path conf = Files.writeString(dir.resolve("provision.ini"), """
                # Contrail layout
                [DEFAULTS]
                api_server_ip = 127.0.0.2
                api_server_port = 9000
                api_server_use_ssl = False
                ipfabric_service_ip = 10.0.0.5,10.0.0.6
                oper = del

                [KEYSTONE]
                admin_user = admin
                admin_password = s3cret;with=specials
                admin_tenant_name = admin
                auth_host = 10.0.0.9
                insecure = True
                """);
        Settings s = ProvisionLinklocal.settingsOf("-c", conf.toString(), "--api_server_port", "9001");
        assertEquals(URI.create("http://127.0.0.2:9001"), s.baseUri());
        assertEquals(Oper.DEL, s.oper());
        assertEquals("admin", s.adminUser());
        assertEquals("s3cret;with=specials", s.adminPassword());
        assertEquals(List.of("10.0.0.5", "10.0.0.6"), s.fabricIps());
        assertFalse(s.insecure(), "[KEYSTONE] insecure concerns Keystone, not the config API");
        Settings flagged = ProvisionLinklocal.settingsOf("-c", conf.toString(), "--ipfabric_service_ip", "10.0.0.7");
        assertEquals(List.of("10.0.0.7"), flagged.fabricIps());
    }

    /** A bad conf file: one usage line naming the file's key (the flags alone would have been valid). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "api_server_port = eighty|key api_server_port 'eighty' is not a number",
        "oper = delete-all|key oper 'delete-all' is not one of add, del, list",
        "api_server_use_ssl = sometimes|key api_server_use_ssl 'sometimes' is not a boolean",
    })
    void aBadConfFileShouldBeAUsageErrorNamingFileAndKey(String line, String message) throws IOException {
        Path conf = Files.writeString(dir.resolve("p.ini"), "[DEFAULTS]\n" + line + "\n");
        CliRun.run("--conf_file", conf.toString(), "--linklocal_service_name", "metadata")
                .assertFails(ExitStatus.USAGE, "conf file " + conf)
                .assertFails(ExitStatus.USAGE, message);
    }

    @Test
    void aMissingConfFileShouldBeAUsageError() {
        CliRun.run("-c", dir.resolve("absent.ini").toString(), "--oper", "list")
                .assertFails(ExitStatus.USAGE, "does not exist");
    }
}
