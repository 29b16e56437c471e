package io.vrouter.linklocal.configclient;

import io.vrouter.linklocal.config.VersionedConfig;
import java.net.URI;

/**
 * A config API that client tests run against, started in-process on an ephemeral loopback port:
 * the in-memory {@link FakeConfigApi} here, the real server in the provision module's tests.
 * Shared through the test-jar so that one contract suite per client ({@link ConfigWatchClientContract}
 * here, provision_linklocal's in provision) runs on both.
 */
public interface ConfigApiTestServer extends AutoCloseable {
    URI baseUri();

    /** Its admin and reader users. */
    TestUsers users();

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
        return ConfigApiEndpoint.of(baseUri(), users().admin(), users().adminPassword());
    }

    /** The stored object and its revision, read through the API as admin. */
    default VersionedConfig read() throws Exception {
        ConfigApiClient api = new ConfigApiClient(adminEndpoint());
        return api.read(api.uuid());
    }
}
