package io.vrouter.provision.cli;

import io.vrouter.linklocal.configclient.FakeConfigApi;
import io.vrouter.linklocal.configclient.TestCertificates;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --api_server_use_ssl} with {@code --ca_cert} / {@code --insecure}. */
@Timeout(60)
class ProvisionLinklocalTlsTest {
    @TempDir
    static Path dir;

    static TestCertificates certs;
    static FakeConfigApi server;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCertificates.create(dir, "ip:127.0.0.1");
        server = new FakeConfigApi().tls(certs.serverContext).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static List<String> base() {
        return List.of("--api_server_port", String.valueOf(server.port()), "--admin_user", FakeConfigApi.ADMIN,
                "--admin_password", FakeConfigApi.ADMIN_PASSWORD, "--oper", "list");
    }

    @Test
    void aCaFileShouldLetTheCliVerifyTheServer() {
        CliRun.run(CliRun.args(base(), "--api_server_use_ssl", "true", "--ca_cert", certs.caPem.toString())).assertOk();
    }

    @Test
    void anUnverifiableServerShouldExitSixNamingTls() {
        CliRun.run(CliRun.args(base(), "--api_server_use_ssl")).assertFails(ExitStatus.UNREACHABLE, "TLS");
    }

    @Test
    void insecureShouldWorkOnlyWhenGiven() {
        CliRun.run(CliRun.args(base(), "--api_server_use_ssl", "yes", "--insecure")).assertOk();
    }

    /**
     * The TLS server answers plain HTTP with no HTTP at all (it drops the connection), so no
     * request was served: that is "unreachable" (6), naming the http:// address tried, never
     * an internal error.
     */
    @Test
    void plainHttpToTheTlsPortShouldFailOnOneLine() {
        CliRun.run(CliRun.args(base())).assertFails(ExitStatus.UNREACHABLE,
                "config API at http://127.0.0.1:" + server.port() + " unreachable");
    }
}
