package io.vrouter.provision.cli;

import io.vrouter.linklocal.configclient.FakeConfigApi;
import io.vrouter.linklocal.configclient.TlsFakeConfigApi;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code --api_server_use_ssl} with {@code --ca_cert} / {@code --insecure}. */
@Timeout(60)
class ProvisionLinklocalTlsTest {
    @RegisterExtension
    static final TlsFakeConfigApi TLS = new TlsFakeConfigApi();

    private static List<String> base() {
        return List.of("--api_server_port", String.valueOf(TLS.server().port()), "--admin_user", FakeConfigApi.ADMIN,
                "--admin_password", FakeConfigApi.ADMIN_PASSWORD, "--oper", "list");
    }

    @Test
    void aCaFileShouldLetTheCliVerifyTheServer() {
        CliRun.run(CliRun.args(base(), "--api_server_use_ssl", "true", "--ca_cert", TLS.certs().caPem.toString())).assertOk();
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
                "config API at http://127.0.0.1:" + TLS.server().port() + " unreachable");
    }
}
