package io.vrouter.linklocal.configclient;

import java.net.URI;

/**
 * A config API that client tests run against, started in-process on loopback: the in-memory
 * {@link FakeConfigApi} here, the real server in the provision module's tests. Shared through
 * the test-jar so that one contract suite ({@link ConfigWatchClientContract}) runs on both.
 */
public interface ConfigApiTestServer extends AutoCloseable {
    URI baseUri();

    String adminUser();

    String adminPassword();

    /** Stops serving; the stored object is kept for {@link #restart()}. */
    void stop();

    /** Serves the same store on the same port again. */
    void restart() throws Exception;

    /**
     * Replaces {@code linklocal_services} with this JSON without any validation, bumping the
     * revision, as a broken or older writer could; works while stopped.
     */
    void forceLinklocalServices(String json) throws Exception;

    @Override
    void close();

    default int port() {
        return baseUri().getPort();
    }

    default ConfigApiEndpoint adminEndpoint() {
        return ConfigApiEndpoint.of(baseUri(), adminUser(), adminPassword());
    }
}
