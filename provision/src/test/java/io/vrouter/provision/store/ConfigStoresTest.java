package io.vrouter.provision.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigStoresTest {
    @TempDir
    Path tmp;

    @Test
    void shouldOpenFileAndMemoryStores() throws Exception {
        try (ConfigStore s = ConfigStores.open("file:" + tmp)) {
            assertInstanceOf(FileConfigStore.class, s);
            assertEquals("file:" + tmp.toAbsolutePath(), s.describe());
        }
        try (ConfigStore s = ConfigStores.open("memory:")) {
            assertInstanceOf(MemoryConfigStore.class, s);
        }
    }

    @Test
    void shouldParseEtcdEndpointsWithAndWithoutScheme() {
        assertEquals(List.of(URI.create("http://10.0.0.1:2379"), URI.create("http://h:2379")),
                ConfigStores.parseEndpoints("10.0.0.1:2379, http://h:2379"));
    }

    @Test
    void shouldRejectBadSpecificationsWithAClearMessage() {
        for (String bad : new String[] {"", "file:", "zookeeper:x", "etcd:", "etcd:10.0.0.1", "etcd:ftp://h:1",
                "etcd:https://h:2379"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigStores.open(bad));
            assertTrue(e.getMessage().length() > 10, bad + " -> " + e.getMessage());
        }
    }
}
