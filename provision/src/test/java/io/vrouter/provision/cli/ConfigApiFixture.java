package io.vrouter.provision.cli;

import io.vrouter.linklocal.configclient.ConfigApiClient;
import io.vrouter.linklocal.configclient.ConfigApiEndpoint;
import io.vrouter.linklocal.configclient.VersionedConfig;
import java.net.URI;

/**
 * A config API a test runs against: the in-memory fake or the real server, started in-process
 * on an ephemeral loopback port, with one admin and one reader user.
 */
interface ConfigApiFixture extends AutoCloseable {
    URI baseUri();

    String adminUser();

    String adminPassword();

    String readerUser();

    String readerPassword();

    /** Stops serving; the store is kept for {@link #restart()}. */
    void stop();

    /** Serves the same store on the same port again. */
    void restart() throws Exception;

    @Override
    void close();

    default int port() {
        return baseUri().getPort();
    }

    default ConfigApiEndpoint adminEndpoint() {
        return ConfigApiEndpoint.of(baseUri(), adminUser(), adminPassword());
    }

    /** The stored object and its revision, read through the API as admin. */
    default VersionedConfig read() throws Exception {
        ConfigApiClient api = new ConfigApiClient(adminEndpoint());
        return api.read(api.uuid());
    }
}
