package io.vrouter.provision.cli;

import io.vrouter.linklocal.config.GlobalVrouterConfig;
import io.vrouter.linklocal.config.LinkLocalJson;
import io.vrouter.linklocal.config.LinkLocalServices;
import io.vrouter.linklocal.configclient.ConfigApiTestServer;
import io.vrouter.linklocal.configclient.TestUsers;
import io.vrouter.provision.api.ConfigApiServer;
import io.vrouter.provision.auth.BasicAuthenticator;
import io.vrouter.provision.auth.CredentialsFile;
import io.vrouter.provision.auth.PasswordHasher;
import io.vrouter.provision.auth.Role;
import io.vrouter.provision.store.MemoryConfigStore;
import java.net.InetSocketAddress;
import java.net.URI;

/**
 * {@link ConfigApiTestServer} on the real config API server (Netty, memory store, HTTP Basic with
 * PBKDF2 credentials at the minimum iteration count, to keep tests fast), in-process on loopback.
 */
public final class RealServerFixture implements ConfigApiTestServer {
    public static final TestUsers USERS = new TestUsers("admin", "admin-pw-1", "reader", "reader-pw-1");

    private final MemoryConfigStore store = new MemoryConfigStore();
    private final BasicAuthenticator auth;
    private ConfigApiServer server;
    private int port;

    public RealServerFixture() throws Exception {
        CredentialsFile users = CredentialsFile.empty();
        users.put(USERS.admin(), Role.ADMIN, USERS.adminPassword().toCharArray(), PasswordHasher.MIN_ITERATIONS);
        users.put(USERS.reader(), Role.READER, USERS.readerPassword().toCharArray(), PasswordHasher.MIN_ITERATIONS);
        auth = new BasicAuthenticator(users);
        restart();
    }

    @Override
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public TestUsers users() {
        return USERS;
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Override
    public void restart() throws Exception {
        server = ConfigApiServer.start(new InetSocketAddress("127.0.0.1", port), store, auth, null);
        port = server.port();
    }

    @Override
    public void forceLinklocalServices(String json) throws Exception {
        // Straight into the store: the API itself would refuse an invalid list.
        LinkLocalServices services = LinkLocalJson.mapper().readValue(json, LinkLocalServices.class);
        GlobalVrouterConfig cur = store.current().config();
        store.replace(store.current().revision(), cur.withLinklocalServices(services));
    }

    @Override
    public void close() {
        stop();
        store.close();
    }
}
