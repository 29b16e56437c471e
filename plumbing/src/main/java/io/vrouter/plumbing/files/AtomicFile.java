package io.vrouter.plumbing.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces a file so that a crash at any moment (SIGKILL, power loss) leaves either the old or
 * the new content, never a mix: the bytes go to a temporary file in the target's directory
 * (same file system, so the rename is atomic), which is fsync'd, renamed over the target with
 * {@code ATOMIC_MOVE}, and then the directory is fsync'd so the rename itself survives.
 *
 * <p>Temporary files are named {@code .<target name>.<random>.tmp}; a crash between create and
 * rename leaves one behind, which {@link #isTemporary} recognises so a store can delete it at
 * start. A file system without atomic rename fails the write with
 * {@link java.nio.file.AtomicMoveNotSupportedException} rather than degrading silently.
 */
public final class AtomicFile {
    /** Suffix of every temporary file this class creates. */
    public static final String TEMP_SUFFIX = ".tmp";

    private AtomicFile() {
    }

    /**
     * Writes {@code bytes} to {@code target} atomically and durably, creating the directory
     * when missing. {@code attributes} apply to the new file (e.g. owner-only permissions);
     * without them it gets the process's default mode.
     */
    public static void write(Path target, byte[] bytes, FileAttribute<?>... attributes) throws IOException {
        Path file = target.toAbsolutePath();
        Path dir = file.getParent();
        Files.createDirectories(dir);
        Path temp = dir.resolve(tempPrefix(file) + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36)
                + TEMP_SUFFIX);
        try {
            try (FileChannel ch = FileChannel.open(temp, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), attributes)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        syncDirectory(dir);
    }

    /** Deletes {@code target} and makes the deletion durable; false when there was nothing to delete. */
    public static boolean delete(Path target) throws IOException {
        Path file = target.toAbsolutePath();
        if (!Files.deleteIfExists(file)) {
            return false;
        }
        syncDirectory(file.getParent());
        return true;
    }

    /** True for a temporary file {@link #write} left behind when interrupted. */
    public static boolean isTemporary(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
    }

    /** The name every temporary file for {@code target} starts with. */
    public static String tempPrefix(Path target) {
        return "." + target.getFileName() + ".";
    }

    /** Makes renames and deletions in {@code dir} durable (POSIX: the entry lives in the directory). */
    private static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
