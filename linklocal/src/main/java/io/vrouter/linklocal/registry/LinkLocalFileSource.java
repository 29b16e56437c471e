package io.vrouter.linklocal.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.vrouter.linklocal.config.ConfigValidationException;
import io.vrouter.linklocal.config.FieldError;
import io.vrouter.linklocal.config.LinkLocalJson;
import io.vrouter.linklocal.config.LinkLocalServices;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds a {@link LinkLocalRegistry} from a JSON file (the agent's embedded default) and keeps
 * watching it: the file's modification time, size and file key are polled on the registry's
 * writer thread, and a changed file is read, validated and applied as a diff.
 *
 * <p>The file holds either a whole {@code global-vrouter-config} object (optionally wrapped as
 * {@code {"global-vrouter-config": {...}}}, the VNC API's GET shape) or just a
 * {@code linklocal_services} value ({@code {"linklocal_service_entry": [...]}}). A document
 * with neither key is refused rather than read as "no services": a typo must not empty the
 * registry. An explicitly empty entry list is a deliberate "no services" and is applied.
 *
 * <p>An unreadable or invalid file is logged once per version of the file, naming the file and
 * every bad field, and counted as a rejected config; the last good config stays in force. A
 * file that disappears leaves the last good config too. Replace the file atomically (write a
 * temporary file, then rename) so that a half-written file is never seen; one that is seen is
 * refused and read again when it changes.
 *
 * <table>
 *   <caption>Limits</caption>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>poll interval</td><td>{@value #DEFAULT_POLL_SECONDS} s</td></tr>
 *   <tr><td>file size</td><td>{@value #DEFAULT_MAX_FILE_BYTES} bytes (a 1024-entry config is
 *       about 300 KB); a larger file is refused</td></tr>
 * </table>
 */
public final class LinkLocalFileSource implements AutoCloseable {
    public static final long DEFAULT_POLL_SECONDS = 5;
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(DEFAULT_POLL_SECONDS);
    public static final int DEFAULT_MAX_FILE_BYTES = 4 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(LinkLocalFileSource.class);

    private final LinkLocalRegistry registry;
    private final Path file;
    private final Duration pollInterval;
    private final int maxFileBytes;
    private final String source;
    private Scheduler.Cancellable timer;

    // Writer-thread state.
    private Stamp lastSeen;
    private boolean missingLogged;
    private volatile String lastError;
    private volatile long applied;

    public LinkLocalFileSource(LinkLocalRegistry registry, Path file) {
        this(registry, file, DEFAULT_POLL_INTERVAL, DEFAULT_MAX_FILE_BYTES);
    }

    public LinkLocalFileSource(LinkLocalRegistry registry, Path file, Duration pollInterval, int maxFileBytes) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.file = Objects.requireNonNull(file, "file");
        if (pollInterval == null || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive, got " + pollInterval);
        }
        if (maxFileBytes <= 0) {
            throw new IllegalArgumentException("maxFileBytes must be positive, got " + maxFileBytes);
        }
        this.pollInterval = pollInterval;
        this.maxFileBytes = maxFileBytes;
        this.source = "file:" + file;
    }

    /**
     * Reads the file now (on the writer thread), then polls it every poll interval.
     *
     * @return completes once the first read is done, whatever its outcome (see {@link #lastError()}),
     *         so the agent can have its default config in force before it serves guests
     */
    public synchronized CompletableFuture<Void> start() {
        if (timer != null) {
            throw new IllegalStateException("already started");
        }
        Scheduler scheduler = registry.scheduler();
        CompletableFuture<Void> firstRead = new CompletableFuture<>();
        scheduler.execute(() -> {
            try {
                poll();
            } finally {
                firstRead.complete(null);
            }
        });
        long ns = pollInterval.toNanos();
        timer = scheduler.scheduleWithFixedDelay(this::poll, ns, ns);
        return firstRead;
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.cancel();
        }
    }

    public Path file() {
        return file;
    }

    /** The error of the latest refused version of the file, or {@code null} once a version is applied. */
    public String lastError() {
        return lastError;
    }

    /** How many versions of the file were accepted. */
    public long appliedCount() {
        return applied;
    }

    /**
     * Parses either document shape (see the class comment) and validates it.
     *
     * @throws ConfigValidationException naming each bad field, or {@code (document)} for the shape
     */
    public static LinkLocalServices parse(String json) throws ConfigValidationException {
        if (json == null || json.isBlank()) {
            return LinkLocalJson.parseLinkLocalServices(json); // throws "(document): is empty"
        }
        JsonNode root;
        try {
            root = LinkLocalJson.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            LinkLocalJson.parseLinkLocalServices(json); // throws with line and column
            throw error("(document)", "malformed JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw error("(document)", "must be a JSON object: a global-vrouter-config or a linklocal_services value");
        }
        if (root.size() == 1 && root.has("global-vrouter-config")) {
            root = root.get("global-vrouter-config");
            if (!root.isObject()) {
                throw error("global-vrouter-config", "must be a JSON object");
            }
            json = LinkLocalJson.write(root);
        }
        if (root.has("linklocal_service_entry")) {
            return LinkLocalJson.parseLinkLocalServices(json);
        }
        if (root.has("linklocal_services")) {
            if (!root.get("linklocal_services").isObject()) {
                throw error("linklocal_services", "must be an object {\"linklocal_service_entry\": [...]}");
            }
            return LinkLocalJson.parseGlobalVrouterConfig(json).linklocalServices();
        }
        throw error("(document)", "has neither linklocal_services nor linklocal_service_entry (fields: "
                + fieldNames(root) + ")");
    }

    /** Writer thread: applies the file if it changed since the last poll. */
    void poll() {
        if (registry.isClosed()) {
            return;
        }
        Stamp stamp;
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            stamp = new Stamp(a.lastModifiedTime(), a.size(), a.fileKey());
        } catch (NoSuchFileException e) {
            if (!missingLogged) {
                missingLogged = true;
                RegistrySnapshot now = registry.snapshot();
                LOG.warn("link-local config file {} does not exist; keeping version {} from {} ({} services)",
                        file, now.version(), now.source(), now.size());
            }
            lastSeen = null;
            return;
        } catch (IOException e) {
            LOG.warn("cannot stat link-local config file {}: {}", file, e.toString());
            return;
        }
        missingLogged = false;
        if (stamp.equals(lastSeen)) {
            return;
        }
        lastSeen = stamp;
        LinkLocalServices services;
        try {
            services = parse(read(stamp.size()));
        } catch (ConfigValidationException e) {
            lastError = e.getMessage();
            registry.recordRejected(source, e);
            return;
        }
        try {
            registry.applyOnWriter(services, source);
            lastError = null;
            applied++;
        } catch (ConfigValidationException e) {
            lastError = e.getMessage(); // parse() validated already; kept for safety
        }
    }

    private String read(long size) throws ConfigValidationException {
        if (size > maxFileBytes) {
            throw error("(file)", "is " + size + " bytes, the limit is " + maxFileBytes);
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw error("(file)", "cannot be read: " + e);
        }
        if (bytes.length > maxFileBytes) {
            throw error("(file)", "is " + bytes.length + " bytes, the limit is " + maxFileBytes);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw error("(file)", "is not UTF-8 text");
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static ConfigValidationException error(String field, String message) {
        return new ConfigValidationException(List.of(new FieldError(field, message)));
    }

    /** What identifies a version of the file without reading it. */
    private record Stamp(FileTime modified, long size, Object fileKey) {
    }
}
