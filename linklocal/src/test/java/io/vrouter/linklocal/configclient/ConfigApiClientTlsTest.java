package io.vrouter.linklocal.configclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** https to the config API: verified against a CA file, refused when unverifiable, insecure only explicitly. */
@Timeout(60)
class ConfigApiClientTlsTest {
    @TempDir
    static Path dir;

    @RegisterExtension
    static final TlsFakeConfigApi TLS = new TlsFakeConfigApi();

    private static ConfigApiClient client(Path ca, boolean insecure) throws IOException {
        return new ConfigApiClient(new ConfigApiEndpoint(TLS.server().baseUri(), FakeConfigApi.ADMIN,
                FakeConfigApi.ADMIN_PASSWORD, ca, insecure, null));
    }

    @Test
    void shouldTalkToAServerItsCaFileVouchesFor() throws Exception {
        assertTrue(TLS.server().baseUri().toString().startsWith("https://"));
        ConfigApiClient api = client(TLS.certs().caPem, false);
        assertEquals(TLS.server().revision(), api.read(api.uuid()).revision());
    }

    @Test
    void shouldRefuseAServerTheDefaultTrustStoreDoesNotKnow() throws Exception {
        ConfigApiException e = assertThrows(ConfigApiException.class, () -> client(null, false).uuid());
        assertEquals(ConfigApiException.Kind.UNREACHABLE, e.kind());
        assertTrue(e.getMessage().contains("TLS"), e.getMessage());
    }

    @Test
    void shouldRefuseACertificateForAnotherHostEvenFromATrustedCa() throws Exception {
        TestCertificates wrongHost = TestCertificates.create(dir, "dns:other.example");
        try (FakeConfigApi other = new FakeConfigApi().tls(wrongHost.serverContext).start()) {
            ConfigApiClient api = new ConfigApiClient(new ConfigApiEndpoint(other.baseUri(), FakeConfigApi.ADMIN,
                    FakeConfigApi.ADMIN_PASSWORD, wrongHost.caPem, false, null));
            ConfigApiException e = assertThrows(ConfigApiException.class, api::uuid);
            assertEquals(ConfigApiException.Kind.UNREACHABLE, e.kind());
        }
    }

    @Test
    void insecureShouldSkipVerificationOnlyWhenAskedFor() throws Exception {
        ConfigApiClient api = client(null, true);
        assertFalse(api.uuid().isEmpty());
    }

    @Test
    void aCaFileWithoutCertificatesShouldBeReported() throws Exception {
        Path bad = Files.writeString(dir.resolve("empty.pem"), "");
        IOException e = assertThrows(IOException.class, () -> client(bad, false));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
    }

    @Test
    void plainHttpToATlsPortShouldFailCleanly() throws Exception {
        ConfigApiClient api = new ConfigApiClient(ConfigApiEndpoint.of(
                URI.create("http://127.0.0.1:" + TLS.server().port()), FakeConfigApi.ADMIN, FakeConfigApi.ADMIN_PASSWORD));
        assertThrows(ConfigApiException.class, api::uuid);
    }
}
