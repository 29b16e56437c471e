package io.vrouter.linklocal.configclient;

import io.vrouter.linklocal.config.VersionedConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.linklocal.config.GlobalVrouterConfig;
import io.vrouter.linklocal.config.LinkLocalServices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCacheTest {
    @TempDir
    Path dir;

    private static VersionedConfig config(long revision, int port) {
        GlobalVrouterConfig c = new GlobalVrouterConfig("u-1", null,
                new LinkLocalServices(List.of(ConfigWatchClientContract.entry("metadata", port))));
        return new VersionedConfig(revision, c);
    }

    @Test
    void loadShouldBeEmptyWhenThereIsNoFile() throws IOException {
        assertTrue(new ConfigCache(dir.resolve("none.json")).load().isEmpty());
    }

    @Test
    void shouldRoundTripAndReplaceWithoutLeavingTemporaryFiles() throws IOException {
        ConfigCache cache = new ConfigCache(dir.resolve("sub/cache.json"));
        cache.store(config(3, 80));
        cache.store(config(4, 8080));
        VersionedConfig back = cache.load().orElseThrow();
        assertEquals(4, back.revision());
        assertEquals(8080, back.config().linklocalServices().entries().get(0).servicePort());
        try (Stream<Path> files = Files.list(dir.resolve("sub"))) {
            assertEquals(List.of("cache.json"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void shouldKeepUnknownPropertiesOfTheObject() throws IOException {
        GlobalVrouterConfig c = LinkLocalJsonFixture.withOtherProperty();
        ConfigCache cache = new ConfigCache(dir.resolve("c.json"));
        cache.store(new VersionedConfig(9, c));
        assertEquals("VXLAN", cache.load().orElseThrow().config().otherProperties()
                .get("encapsulation_priorities").path("encapsulation").get(0).asText());
    }

    @Test
    void shouldRefuseATruncatedFile() throws IOException {
        Path f = dir.resolve("c.json");
        Files.writeString(f, "{\"revision\": 3, \"global-vrouter-con");
        IOException e = assertThrows(IOException.class, () -> new ConfigCache(f).load());
        assertTrue(e.getMessage().contains("not JSON"), e.getMessage());
    }

    @Test
    void shouldRefuseACachedConfigThatFailsValidation() throws IOException {
        Path f = dir.resolve("c.json");
        Files.writeString(f, "{\"revision\": 3, \"global-vrouter-config\": {\"linklocal_services\":"
                + " {\"linklocal_service_entry\": [{\"linklocal_service_name\": \"x\"}]}}}");
        IOException e = assertThrows(IOException.class, () -> new ConfigCache(f).load());
        assertTrue(e.getMessage().contains("linklocal_service_ip"), e.getMessage());
    }

    @Test
    void shouldRefuseAFileWithoutRevision() throws IOException {
        Path f = dir.resolve("c.json");
        Files.writeString(f, "{\"global-vrouter-config\": {}}");
        assertThrows(IOException.class, () -> new ConfigCache(f).load());
    }
}
