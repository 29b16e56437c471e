package io.vrouter.linklocal.proxy;

import static io.vrouter.linklocal.proxy.ProxyFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import io.vrouter.linklocal.novastandin.NovaMetadataStandIn;
import io.vrouter.linklocal.novastandin.TestPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** TLS to nova: verified by default, insecure only when configured so explicitly. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MetadataProxyTlsTest {
    @TempDir
    static Path dir;
    private static TestPki trusted;
    private static TestPki untrusted;
    private static Path[] novaCert;
    private static Path[] rogueCert;
    private static Path[] clientCert;
    private NovaMetadataStandIn nova;
    private MetadataProxy proxy;

    @BeforeAll
    static void pki() throws Exception {
        trusted = new TestPki(dir, "trusted");
        untrusted = new TestPki(dir, "rogue");
        novaCert = trusted.issue("nova");
        rogueCert = untrusted.issue("rogue-nova");
        clientCert = trusted.issue("agent");
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (nova != null) {
            nova.close();
        }
    }

    private RawHttpClient.Response fetch(Path[] serverCert, TlsSettings tls) throws Exception {
        nova = NovaMetadataStandIn.withTls(SECRET, serverCert[0].toFile(), serverCert[1].toFile())
                .addInstance(NOVA_A);
        nova.start();
        return fetchFrom(tls);
    }

    private RawHttpClient.Response fetchFrom(TlsSettings tls) throws Exception {
        proxy = new MetadataProxy(MetadataProxyConfig.builder().port(0).sharedSecret(SECRET).tls(tls).build(),
                DIRECTORY, MetadataUpstreams.fixed(List.of(nova.address())));
        try (RawHttpClient g = new RawHttpClient(SRC_A, proxy.start())) {
            return g.exchange(RawHttpClient.get("/latest/meta-data/hostname"));
        }
    }

    @Test
    void shouldVerifyNovaAgainstConfiguredCa() throws Exception {
        RawHttpClient.Response r = fetch(novaCert, TlsSettings.verifying(trusted.caFile()));
        assertEquals(200, r.status(), r.bodyText());
        assertEquals("vm-a.novalocal", r.bodyText());
    }

    @Test
    void shouldRefuseUntrustedNovaCertificateWith502() throws Exception {
        RawHttpClient.Response r = fetch(rogueCert, TlsSettings.verifying(trusted.caFile()));
        assertEquals(502, r.status(), r.bodyText());
        assertTrue(nova.requests().isEmpty(), "nothing may be sent to an unverified server");
        assertEquals(1, proxy.counters().rejections(RejectReason.UPSTREAM_ERROR));
    }

    @Test
    void shouldRefuseUntrustedCertificateWhenNoCaIsGivenBecauseJvmDefaultsApply() throws Exception {
        RawHttpClient.Response r = fetch(novaCert, TlsSettings.verifying(null));
        assertEquals(502, r.status(), r.bodyText());
    }

    @Test
    void shouldRefuseCertificateNamingAnotherAddress() throws Exception {
        Path[] elsewhere = trusted.issueFor("nova-elsewhere", "10.9.9.9", "nova.example");
        RawHttpClient.Response r = fetch(elsewhere, TlsSettings.verifying(trusted.caFile()));
        assertEquals(502, r.status(), r.bodyText());
    }

    @Test
    void shouldAcceptUntrustedCertificateOnlyWhenInsecureIsExplicit() throws Exception {
        RawHttpClient.Response r = fetch(rogueCert, new TlsSettings(true, null, null, null, true, true));
        assertEquals(200, r.status(), r.bodyText());
    }

    @Test
    void shouldPresentClientCertificateWhenNovaRequiresOne() throws Exception {
        nova = new NovaMetadataStandIn(SECRET, SslContextBuilder.forServer(novaCert[0].toFile(), novaCert[1].toFile())
                .trustManager(trusted.caFile().toFile()).clientAuth(ClientAuth.REQUIRE).build()).addInstance(NOVA_A);
        nova.start();
        RawHttpClient.Response r = fetchFrom(new TlsSettings(true, clientCert[0], clientCert[1], trusted.caFile(),
                true, false));
        assertEquals(200, r.status(), r.bodyText());
    }

    @Test
    void shouldFailToStartWithClearErrorWhenCaFileIsUnreadable() {
        Path missing = dir.resolve("no-such-ca.pem");
        MetadataProxy p = new MetadataProxy(MetadataProxyConfig.builder().port(0).sharedSecret(SECRET)
                .tls(TlsSettings.verifying(missing)).build(), DIRECTORY, List::of);
        IOException e = assertThrows(IOException.class, p::start);
        assertTrue(e.getMessage().contains("TLS"), e.getMessage());
        p.close();
    }

    @Test
    void shouldRejectClientCertWithoutKey() throws IOException {
        Path cert = Files.writeString(dir.resolve("c.pem"), "x");
        assertThrows(IllegalArgumentException.class, () -> new TlsSettings(true, cert, null, null, true, false));
    }
}
