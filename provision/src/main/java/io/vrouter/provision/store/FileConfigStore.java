package io.vrouter.provision.store;

import io.vrouter.linklocal.config.VersionedConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vrouter.linklocal.config.ConfigValidationException;
import io.vrouter.linklocal.config.GlobalVrouterConfig;
import io.vrouter.linklocal.config.LinkLocalJson;
import io.vrouter.plumbing.files.AtomicFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default store: one JSON file in a directory, replaced atomically on every write.
 *
 * <h2>Crash safety</h2>
 * A write goes through {@link AtomicFile} (a temporary file in the same directory, fsynced,
 * renamed over {@value #FILE_NAME}, then an fsync of the directory), and only then is the write
 * acknowledged. A SIGKILL or power loss at any moment
 * therefore leaves either the previous or the new complete file, never a half-written one; the
 * revision found after a crash is the last acknowledged one or, when the crash fell between the
 * rename and the acknowledgement, one more. Left-over temporary files are deleted on start.
 *
 * <p>The file holds {@code {"revision": N, "global-vrouter-config": {...}}}. A directory is
 * used by one process at a time (an advisory lock on {@value #LOCK_NAME}); a second config-api
 * on the same directory fails at start with a clear error. A corrupt file is never overwritten:
 * opening fails and names the file.
 */
public final class FileConfigStore extends AbstractLocalStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileConfigStore.class);

    public static final String FILE_NAME = "global-vrouter-config.json";
    public static final String LOCK_NAME = ".lock";
    static final String TEMP_PREFIX = AtomicFile.tempPrefix(Path.of(FILE_NAME));
    static final String TEMP_SUFFIX = AtomicFile.TEMP_SUFFIX;

    private final Path dir;
    private final Path file;
    private final FileChannel lockChannel;
    private final FileLock lock;

    /** Opens (creating the directory when needed) and loads the object if there is one. */
    public FileConfigStore(Path dir) throws StoreException {
        this.dir = dir.toAbsolutePath().normalize();
        this.file = this.dir.resolve(FILE_NAME);
        FileChannel channel = null;
        FileLock acquired = null;
        try {
            Files.createDirectories(this.dir);
            channel = FileChannel.open(this.dir.resolve(LOCK_NAME),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                acquired = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                acquired = null;
            }
            if (acquired == null) {
                throw new StoreException("store directory " + this.dir + " is in use by another config-api");
            }
            removeTempFiles();
            load(read());
        } catch (IOException e) {
            closeQuietly(channel);
            throw new StoreException("cannot open store directory " + this.dir + ": " + e.getMessage(), e);
        } catch (StoreException e) {
            closeQuietly(channel);
            throw e;
        }
        this.lockChannel = channel;
        this.lock = acquired;
    }

    private void removeTempFiles() throws IOException {
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, TEMP_PREFIX + "*" + TEMP_SUFFIX)) {
            for (Path t : temps) {
                LOG.info("removing temporary file {} left by an interrupted write", t);
                Files.deleteIfExists(t);
            }
        }
    }

    private VersionedConfig read() throws StoreException {
        if (!Files.exists(file)) {
            return null;
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return decode(text, file.toString());
    }

    /** Parses the file format; {@code source} names it in errors. */
    static VersionedConfig decode(String text, String source) throws StoreException {
        JsonNode root;
        try {
            root = LinkLocalJson.mapper().readTree(text);
        } catch (IOException e) {
            throw new StoreException(source + " is corrupt (not JSON): " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || !root.path("revision").canConvertToLong()
                || root.path("revision").asLong() < 1 || !root.path("global-vrouter-config").isObject()) {
            throw new StoreException(source + " is corrupt: expected {\"revision\": N, \"global-vrouter-config\": {...}}");
        }
        try {
            GlobalVrouterConfig config = LinkLocalJson.parseGlobalVrouterConfig(
                    root.get("global-vrouter-config").toString());
            return new VersionedConfig(root.get("revision").asLong(), config);
        } catch (ConfigValidationException e) {
            throw new StoreException(source + " holds an invalid global-vrouter-config: " + e.getMessage(), e);
        }
    }

    static String encode(VersionedConfig v) {
        ObjectNode root = LinkLocalJson.mapper().createObjectNode();
        root.put("revision", v.revision());
        root.set("global-vrouter-config", LinkLocalJson.mapper().valueToTree(v.config()));
        return LinkLocalJson.write(root) + "\n";
    }

    @Override
    protected void persist(VersionedConfig next) throws StoreException {
        try {
            AtomicFile.write(file, encode(next).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new StoreException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return "file:" + dir;
    }

    @Override
    public void close() {
        super.close();
        try {
            lock.release();
        } catch (IOException e) {
            LOG.debug("releasing {} failed", LOCK_NAME, e);
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // Closing a lock file cannot lose data.
            }
        }
    }
}
