package io.vrouter.provision.store;

import io.vrouter.linklocal.config.VersionedConfig;

import static io.vrouter.provision.store.StoreFixtures.counter;
import static io.vrouter.provision.store.StoreFixtures.empty;
import static io.vrouter.provision.store.StoreFixtures.withCounter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileConfigStoreTest extends ConfigStoreContractTest {
    @TempDir
    Path tmp;
    private int n;

    @Override
    protected ConfigStore createStore() throws Exception {
        return new FileConfigStore(tmp.resolve("store-" + n++));
    }

    @Test
    void shouldKeepTheObjectAndRevisionAcrossReopen() throws Exception {
        Path dir = tmp.resolve("reopen");
        long rev;
        String uuid;
        try (FileConfigStore s = new FileConfigStore(dir)) {
            VersionedConfig v = s.createIfAbsent(empty());
            uuid = v.config().uuid();
            rev = s.replace(v.revision(), withCounter(v.config(), 5));
        }
        try (FileConfigStore s = new FileConfigStore(dir)) {
            VersionedConfig v = s.current();
            assertEquals(uuid, v.config().uuid());
            assertEquals(rev, v.revision());
            assertEquals(5, counter(v.config()));
            assertEquals(rev + 1, s.replace(rev, withCounter(v.config(), 6)), "revisions continue after reopen");
        }
    }

    @Test
    void shouldRemoveTemporaryFilesLeftByAnInterruptedWrite() throws Exception {
        Path dir = tmp.resolve("temps");
        try (FileConfigStore s = new FileConfigStore(dir)) {
            s.createIfAbsent(empty());
        }
        Path half = dir.resolve(FileConfigStore.TEMP_PREFIX + "7-123" + FileConfigStore.TEMP_SUFFIX);
        Files.writeString(half, "{\"revision\": 7, \"global-vrou");
        try (FileConfigStore s = new FileConfigStore(dir)) {
            assertEquals(1, s.current().revision());
        }
        assertFalse(Files.exists(half));
    }

    @Test
    void shouldLeaveNoTemporaryFilesAfterWrites() throws Exception {
        Path dir = tmp.resolve("clean");
        try (FileConfigStore s = new FileConfigStore(dir)) {
            VersionedConfig v = s.createIfAbsent(empty());
            s.replace(v.revision(), withCounter(v.config(), 1));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(Stream.of(FileConfigStore.FILE_NAME, FileConfigStore.LOCK_NAME).sorted().toList(),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void shouldRefuseToOpenACorruptFileAndLeaveItAlone() throws Exception {
        Path dir = tmp.resolve("corrupt");
        Files.createDirectories(dir);
        Path file = dir.resolve(FileConfigStore.FILE_NAME);
        Files.writeString(file, "{\"revision\": 3, \"global-vrouter-con");
        StoreException e = assertThrows(StoreException.class, () -> new FileConfigStore(dir));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("corrupt"), e.getMessage());
        assertEquals("{\"revision\": 3, \"global-vrouter-con", Files.readString(file));
    }

    @Test
    void shouldRefuseAFileWithAnInvalidEntryNamingTheField() throws Exception {
        Path dir = tmp.resolve("invalid");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(FileConfigStore.FILE_NAME), "{\"revision\": 3, \"global-vrouter-config\": "
                + "{\"uuid\": \"u\", \"linklocal_services\": {\"linklocal_service_entry\": [{\"linklocal_service_name\": "
                + "\"m\", \"linklocal_service_ip\": \"169.254.169.254\", \"linklocal_service_port\": 0, "
                + "\"ip_fabric_service_port\": 1, \"ip_fabric_service_ip\": [\"10.0.0.1\"]}]}}}");
        StoreException e = assertThrows(StoreException.class, () -> new FileConfigStore(dir));
        assertTrue(e.getMessage().contains("linklocal_service_port"), e.getMessage());
    }

    @Test
    void aSecondStoreOnTheSameDirectoryShouldBeRefused() throws Exception {
        Path dir = tmp.resolve("locked");
        try (FileConfigStore s = new FileConfigStore(dir)) {
            StoreException e = assertThrows(StoreException.class, () -> new FileConfigStore(dir));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
        new FileConfigStore(dir).close(); // free again once the first is closed
    }

    @Test
    void encodeAndDecodeShouldRoundTrip() throws Exception {
        VersionedConfig v = new VersionedConfig(42, withCounter(empty(), 3));
        VersionedConfig back = FileConfigStore.decode(FileConfigStore.encode(v), "test");
        assertEquals(42, back.revision());
        assertEquals(v.config().uuid(), back.config().uuid());
        assertEquals(v.config().linklocalServices(), back.config().linklocalServices());
        assertEquals(3, counter(back.config()));
    }
}
