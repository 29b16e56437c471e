package io.vrouter.plumbing.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFileTest {
    @TempDir
    Path dir;

    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void writeShouldCreateTheDirectoryAndLeaveOnlyTheTarget() throws IOException {
        Path target = dir.resolve("a/b/state.json");
        AtomicFile.write(target, "one".getBytes(StandardCharsets.UTF_8));
        assertEquals("one", Files.readString(target));
        try (Stream<Path> s = Files.list(target.getParent())) {
            assertEquals(List.of(target), s.toList());
        }
    }

    @Test
    void writeShouldReplaceTheWholeOldContent() throws IOException {
        Path target = dir.resolve("state.json");
        AtomicFile.write(target, "a much longer first version".getBytes(StandardCharsets.UTF_8));
        AtomicFile.write(target, "v2".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals("v2".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(target));
        assertEquals(List.of(target), listing());
    }

    @Test
    void attributesShouldApplyToTheNewFile() throws IOException {
        Path target = dir.resolve("users");
        AtomicFile.write(target, "x".getBytes(StandardCharsets.UTF_8),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
    }

    @Test
    void aFailedWriteShouldKeepTheOldFileAndLeaveNoTemporary() throws IOException {
        Path target = dir.resolve("state.json");
        AtomicFile.write(target, "old".getBytes(StandardCharsets.UTF_8));
        Path blocker = dir.resolve("sub");
        Files.createDirectories(blocker.resolve("child")); // a non-empty directory cannot be replaced by a file
        assertThrows(IOException.class, () -> AtomicFile.write(blocker, "new".getBytes(StandardCharsets.UTF_8)));
        assertEquals("old", Files.readString(target));
        assertEquals(List.of(target, blocker), listing());
    }

    @Test
    void temporaryNamesShouldBeRecognisedAndOthersNot() {
        assertTrue(AtomicFile.isTemporary(dir.resolve(AtomicFile.tempPrefix(dir.resolve("x.json")) + "k3j" + AtomicFile.TEMP_SUFFIX)));
        assertTrue(AtomicFile.isTemporary(dir.resolve(".0d4f.json.tmp")));
        assertFalse(AtomicFile.isTemporary(dir.resolve("x.json")));
        assertFalse(AtomicFile.isTemporary(dir.resolve("x.tmp")));
    }

    @Test
    void deleteShouldSayWhetherThereWasAFile() throws IOException {
        Path target = dir.resolve("gone");
        assertFalse(AtomicFile.delete(target));
        AtomicFile.write(target, new byte[0]);
        assertTrue(AtomicFile.delete(target));
        assertFalse(Files.exists(target));
    }
}
