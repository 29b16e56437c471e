package io.vrouter.provision.api;

import io.vrouter.linklocal.config.VersionedConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.linklocal.config.GlobalVrouterConfig;
import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.LinkLocalServices;
import io.vrouter.linklocal.configclient.ConfigApiClient;
import io.vrouter.linklocal.configclient.ConfigApiEndpoint;
import io.vrouter.linklocal.configclient.ConfigApiException;
import io.vrouter.linklocal.configclient.WatchEvent;
import io.vrouter.provision.auth.BasicAuthenticator;
import io.vrouter.provision.auth.CredentialsFile;
import io.vrouter.provision.auth.Role;
import io.vrouter.provision.store.MemoryConfigStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The agents' and the CLI's client (linklocal's ConfigApiClient) against this server. */
@Timeout(60)
class ConfigApiClientInteropTest {

    @Test
    void theSharedClientShouldReadWriteAndWatchThroughTheRealServer() throws Exception {
        CredentialsFile creds = CredentialsFile.empty();
        creds.put("admin", Role.ADMIN, "admin-pw".toCharArray(), 1000);
        creds.put("agent", Role.READER, "agent-pw".toCharArray(), 1000);
        try (MemoryConfigStore store = new MemoryConfigStore();
                ConfigApiServer server = ConfigApiServer.start(new InetSocketAddress("127.0.0.1", 0), store,
                        new BasicAuthenticator(creds), null)) {
            URI base = URI.create("http://127.0.0.1:" + server.port());
            ConfigApiClient admin = new ConfigApiClient(ConfigApiEndpoint.of(base, "admin", "admin-pw"));
            ConfigApiClient agent = new ConfigApiClient(ConfigApiEndpoint.of(base, "agent", "agent-pw"));
            String uuid = admin.uuid();
            VersionedConfig v = admin.read(uuid);
            Optional<WatchEvent> snapshot = agent.watch(0, Duration.ofSeconds(1));
            assertEquals(v.revision(), snapshot.orElseThrow().revision());

            CompletableFuture<Optional<WatchEvent>> held = agent.watchAsync(v.revision(), Duration.ofSeconds(30));
            GlobalVrouterConfig next = v.config().withLinklocalServices(new LinkLocalServices(List.of(
                    new LinkLocalServiceEntry("metadata", "169.254.169.254", 80, null, 8775, List.of("10.0.0.5")))));
            long rev = admin.write(uuid, v.revision(), next);
            WatchEvent e = held.get(5, TimeUnit.SECONDS).orElseThrow();
            assertEquals(rev, e.revision());
            assertTrue(e.valid());
            assertEquals("10.0.0.5", e.config().linklocalServices().entries().get(0).fabricIps().get(0));

            ConfigApiException stale = assertThrows(ConfigApiException.class, () -> admin.write(uuid, v.revision(), next));
            assertEquals(ConfigApiException.Kind.STALE_REVISION, stale.kind());
            ConfigApiException forbidden = assertThrows(ConfigApiException.class, () -> agent.write(uuid, rev, next));
            assertEquals(ConfigApiException.Kind.FORBIDDEN, forbidden.kind());
            ConfigApiException invalid = assertThrows(ConfigApiException.class, () -> admin.write(uuid, rev,
                    next.withLinklocalServices(new LinkLocalServices(List.of(
                            new LinkLocalServiceEntry("metadata", "169.254.169.254", 70000, null, 8775, List.of("10.0.0.5")))))));
            assertEquals(ConfigApiException.Kind.INVALID, invalid.kind());
            assertEquals("linklocal_service_entry[0].linklocal_service_port", invalid.fieldErrors().get(0).field());
            ConfigApiException unauthorized = assertThrows(ConfigApiException.class,
                    () -> new ConfigApiClient(ConfigApiEndpoint.of(base, "admin", "wrong")).read(uuid));
            assertEquals(ConfigApiException.Kind.UNAUTHORIZED, unauthorized.kind());
        }
    }
}
