package io.vrouter.provision.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.SslContextBuilder;
import io.vrouter.provision.auth.Authenticator;
import io.vrouter.provision.store.MemoryConfigStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Optional TLS: a client trusting the server's CA gets through; one that does not, does not. */
@Timeout(30)
class TlsApiTest {
    @TempDir
    Path tmp;

    @Test
    void shouldServeHttpsToClientsThatTrustTheCaOnly() throws Exception {
        TestCertificates certs = TestCertificates.create(tmp);
        try (MemoryConfigStore store = new MemoryConfigStore();
                ConfigApiServer server = ConfigApiServer.start(new InetSocketAddress("127.0.0.1", 0), store,
                        Authenticator.NONE,
                        SslContextBuilder.forServer(certs.serverCert().toFile(), certs.serverKey().toFile()).build())) {
            assertTrue(server.tls());
            ApiClient trusting = new ApiClient("https://127.0.0.1:" + server.port(), trusting(certs));
            ApiClient.Reply r = trusting.get("/global-vrouter-configs");
            assertEquals(200, r.status());
            assertTrue(r.json().get("global-vrouter-configs").get(0).get("href").asText().startsWith("https://"));
            ApiClient defaultTrust = new ApiClient("https://127.0.0.1:" + server.port());
            assertThrows(IOException.class, () -> defaultTrust.get("/global-vrouter-configs"));
            ApiClient plain = new ApiClient("http://127.0.0.1:" + server.port());
            assertThrows(IOException.class, () -> plain.get("/global-vrouter-configs"));
        }
    }

    static SSLContext trusting(TestCertificates certs) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setCertificateEntry("ca", certs.ca());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
