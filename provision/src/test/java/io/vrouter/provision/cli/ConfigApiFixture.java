package io.vrouter.provision.cli;

import io.vrouter.linklocal.config.VersionedConfig;

import io.vrouter.linklocal.configclient.ConfigApiClient;
import io.vrouter.linklocal.configclient.ConfigApiTestServer;

/**
 * A config API a test runs against: the in-memory fake or the real server, started in-process
 * on an ephemeral loopback port, with one admin and one reader user.
 */
interface ConfigApiFixture extends ConfigApiTestServer {
    String readerUser();

    String readerPassword();

    /** The stored object and its revision, read through the API as admin. */
    default VersionedConfig read() throws Exception {
        ConfigApiClient api = new ConfigApiClient(adminEndpoint());
        return api.read(api.uuid());
    }
}
