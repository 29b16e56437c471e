package io.vrouter.agent.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilePortStoreTest {
    @TempDir
    Path dir;

    @Test
    void shouldWriteOneFilePerPortAndReadThemBack() throws Exception {
        FilePortStore store = new FilePortStore(dir);
        VmPort a = PortFixtures.request(1).toPort(1);
        VmPort b = PortFixtures.request(2).toPort(43519);
        store.save(a);
        store.save(b);
        assertTrue(Files.exists(dir.resolve(a.id() + ".json")));
        assertEquals(List.of(a, b), new FilePortStore(dir).loadAll());
        store.delete(a.id());
        assertEquals(List.of(b), new FilePortStore(dir).loadAll());
        store.delete(a.id()); // absent: no error
    }

    @Test
    void shouldMoveCorruptFilesAsideAndLoadTheRest() throws Exception {
        FilePortStore store = new FilePortStore(dir);
        VmPort good = PortFixtures.request(1).toPort(1);
        store.save(good);
        String badId = PortFixtures.uuid(1, 9);
        Files.writeString(dir.resolve(badId + ".json"), "{\"id\": \"" + badId + "\", trunc", StandardCharsets.UTF_8);
        // a valid port under another port's name
        Files.write(dir.resolve(PortFixtures.uuid(1, 8) + ".json"),
                PortJson.toBytes(PortJson.toJson(PortFixtures.request(7).toPort(7))));

        List<VmPort> loaded = new FilePortStore(dir).loadAll();

        assertEquals(List.of(good), loaded);
        assertFalse(Files.exists(dir.resolve(badId + ".json")));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(2, files.filter(p -> p.getFileName().toString().contains(".json.corrupt-")).count());
        }
        assertEquals(List.of(good), new FilePortStore(dir).loadAll(), "moved-aside files are not read again");
    }

    @Test
    void shouldIgnoreAndRemoveLeftOverTempFiles() throws Exception {
        FilePortStore store = new FilePortStore(dir);
        VmPort good = PortFixtures.request(1).toPort(1);
        store.save(good);
        Path tmp = dir.resolve("." + PortFixtures.uuid(1, 2) + ".json.tmp");
        Files.writeString(tmp, "{\"half", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("README"), "not a port", StandardCharsets.UTF_8);

        assertEquals(List.of(good), store.loadAll());
        assertFalse(Files.exists(tmp));
    }

    @Test
    void saveShouldReplaceAtomically() throws Exception {
        FilePortStore store = new FilePortStore(dir);
        VmPort a = PortFixtures.request(1).toPort(1);
        store.save(a);
        VmPort moved = PortRequest.of(a).toPort(2);
        store.save(moved);
        assertEquals(List.of(moved), store.loadAll());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temp file left behind");
        }
    }
}
