package io.vrouter.provision.api;

import io.vrouter.provision.auth.Authenticator;
import io.vrouter.provision.store.MemoryConfigStore;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * For tests of the HTTP contract: a fresh config API server per test on an ephemeral loopback
 * port, with the in-memory store and no authentication, and a client for it.
 */
abstract class LoopbackApiFixture {
    MemoryConfigStore store;
    ConfigApiServer server;
    ApiClient api;
    /** The one object's uuid and its path, {@code /global-vrouter-config/<uuid>}. */
    String uuid;
    String path;

    @BeforeEach
    void startServer() throws Exception {
        store = new MemoryConfigStore();
        server = ConfigApiServer.start(new InetSocketAddress("127.0.0.1", 0), store, Authenticator.NONE, null);
        api = ApiClient.of(server);
        uuid = api.uuid();
        path = "/global-vrouter-config/" + uuid;
    }

    @AfterEach
    void stopServer() {
        server.close();
        store.close();
    }
}
