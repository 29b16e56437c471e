package io.vrouter.linklocal.configclient;

import io.vrouter.linklocal.config.VersionedConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.LinkLocalServices;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class ConfigApiClientTest {
    private FakeConfigApi server;
    private ConfigApiClient api;

    @BeforeEach
    void start() throws Exception {
        server = new FakeConfigApi().start();
        api = new ConfigApiClient(server.adminEndpoint());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void writeShouldReturnTheNewRevisionAndReadShouldSeeIt() throws Exception {
        String uuid = api.uuid();
        VersionedConfig before = api.read(uuid);
        LinkLocalServices s = new LinkLocalServices(List.of(ConfigWatchClientContract.entry("metadata", 80)));
        long rev = api.write(uuid, before.revision(), before.config().withLinklocalServices(s));
        assertTrue(rev > before.revision());
        VersionedConfig after = api.read(uuid);
        assertEquals(rev, after.revision());
        assertEquals(s, after.config().linklocalServices());
    }

    @Test
    void writeWithAStaleRevisionShouldFailAsStale() throws Exception {
        String uuid = api.uuid();
        VersionedConfig cur = api.read(uuid);
        api.write(uuid, cur.revision(), cur.config());
        ConfigApiException e = assertThrows(ConfigApiException.class, () -> api.write(uuid, cur.revision(), cur.config()));
        assertEquals(ConfigApiException.Kind.STALE_REVISION, e.kind());
        assertEquals(412, e.status());
    }

    @Test
    void serverValidationErrorsShouldCarryFieldErrors() throws Exception {
        String uuid = api.uuid();
        VersionedConfig cur = api.read(uuid);
        LinkLocalServices bad = new LinkLocalServices(List.of(
                new LinkLocalServiceEntry("m", "169.254.169.254", 70000, null, 8775, List.of("10.0.0.1"))));
        ConfigApiException e = assertThrows(ConfigApiException.class,
                () -> api.write(uuid, cur.revision(), cur.config().withLinklocalServices(bad)));
        assertEquals(ConfigApiException.Kind.INVALID, e.kind());
        assertEquals("linklocal_service_entry[0].linklocal_service_port", e.fieldErrors().get(0).field());
    }

    @Test
    void badCredentialsShouldBeUnauthorizedAndAReaderWritingForbidden() throws Exception {
        ConfigApiClient wrong = new ConfigApiClient(ConfigApiEndpoint.of(server.baseUri(), "admin", "nope"));
        assertEquals(ConfigApiException.Kind.UNAUTHORIZED,
                assertThrows(ConfigApiException.class, wrong::uuid).kind());
        ConfigApiClient reader = new ConfigApiClient(ConfigApiEndpoint.of(server.baseUri(),
                FakeConfigApi.READER, FakeConfigApi.READER_PASSWORD));
        String uuid = reader.uuid();
        VersionedConfig cur = reader.read(uuid);
        assertEquals(ConfigApiException.Kind.FORBIDDEN,
                assertThrows(ConfigApiException.class, () -> reader.write(uuid, cur.revision(), cur.config())).kind());
    }

    @Test
    void aClosedPortShouldBeUnreachable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ConfigApiClient down = new ConfigApiClient(ConfigApiEndpoint.of(URI.create("http://127.0.0.1:" + port), "a", "b"));
        ConfigApiException e = assertThrows(ConfigApiException.class, down::uuid);
        assertEquals(ConfigApiException.Kind.UNREACHABLE, e.kind());
        assertTrue(e.getMessage().contains("cannot connect"), e.getMessage());
    }

    @Test
    void watchShouldAnswerEmptyWhenNothingChangesWithinTheHold() throws Exception {
        Optional<WatchEvent> snapshot = api.watch(0, Duration.ofSeconds(1));
        assertTrue(snapshot.isPresent());
        assertFalse(api.watch(snapshot.get().revision(), Duration.ofSeconds(1)).isPresent());
    }

    @Test
    void endpointShouldRefuseOtherSchemesAndHideThePassword() {
        assertThrows(IllegalArgumentException.class,
                () -> ConfigApiEndpoint.of(URI.create("ftp://127.0.0.1:8082"), null, null));
        ConfigApiEndpoint e = ConfigApiEndpoint.of(URI.create("http://127.0.0.1:8082/"), "admin", "secret");
        assertEquals("http://127.0.0.1:8082", e.baseUri().toString());
        assertFalse(e.toString().contains("secret"));
    }
}
