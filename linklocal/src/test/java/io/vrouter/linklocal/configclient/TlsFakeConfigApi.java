package io.vrouter.linklocal.configclient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link FakeConfigApi} on https with a fresh certificate for 127.0.0.1, for one test class
 * ({@code @RegisterExtension static}): started before its tests, closed and its files removed after.
 * Shared through the test-jar by the TLS tests of the watch client and of provision_linklocal.
 */
public final class TlsFakeConfigApi implements BeforeAllCallback, AfterAllCallback {
    private Path dir;
    private TestCertificates certs;
    private FakeConfigApi server;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("tls-fake-config-api");
        certs = TestCertificates.create(dir, "ip:127.0.0.1");
        server = new FakeConfigApi().tls(certs.serverContext).start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (server != null) {
            server.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** The running server (https). */
    public FakeConfigApi server() {
        return server;
    }

    /** Its certificate: {@code caPem} is the CA file a client verifies it with. */
    public TestCertificates certs() {
        return certs;
    }
}
