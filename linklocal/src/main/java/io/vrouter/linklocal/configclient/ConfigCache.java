package io.vrouter.linklocal.configclient;

import io.vrouter.linklocal.config.VersionedConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vrouter.linklocal.config.ConfigValidationException;
import io.vrouter.linklocal.config.GlobalVrouterConfig;
import io.vrouter.linklocal.config.LinkLocalJson;
import io.vrouter.plumbing.files.AtomicFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * The last good config on disk, so that a node restarted while the config API is down still
 * serves what it served before.
 *
 * <p>File format (JSON): {@code {"revision": N, "saved_at": "<ISO-8601>", "global-vrouter-config": {...}}}.
 * Writes go through {@link AtomicFile}, so a crash leaves either the old or the new file, never
 * a torn one. A file that is unreadable or fails validation is reported and ignored.
 */
public final class ConfigCache {
    private final Path file;

    public ConfigCache(Path file) {
        this.file = file.toAbsolutePath();
    }

    public Path file() {
        return file;
    }

    /**
     * The cached config.
     *
     * @return empty when there is no cache file
     * @throws IOException when the file exists but cannot be read or is not a valid cache
     */
    public Optional<VersionedConfig> load() throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        String text = Files.readString(file, StandardCharsets.UTF_8);
        JsonNode root;
        try {
            root = LinkLocalJson.mapper().readTree(text);
        } catch (IOException e) {
            throw new IOException("cache " + file + " is not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.path("revision").isIntegralNumber() || root.path("revision").asLong() < 1
                || !root.path(ConfigApiClient.TYPE).isObject()) {
            throw new IOException("cache " + file + " lacks a \"revision\" >= 1 or \"" + ConfigApiClient.TYPE + "\"");
        }
        try {
            GlobalVrouterConfig config = LinkLocalJson.parseGlobalVrouterConfig(root.get(ConfigApiClient.TYPE).toString());
            return Optional.of(new VersionedConfig(root.get("revision").asLong(), config));
        } catch (ConfigValidationException e) {
            throw new IOException("cache " + file + " holds an invalid config: " + e.getMessage(), e);
        }
    }

    /** Replaces the cache with {@code config} atomically and durably. */
    public void store(VersionedConfig config) throws IOException {
        ObjectNode root = LinkLocalJson.mapper().createObjectNode();
        root.put("revision", config.revision());
        root.put("saved_at", Instant.now().toString());
        root.set(ConfigApiClient.TYPE, LinkLocalJson.mapper().valueToTree(config.config()));
        AtomicFile.write(file, LinkLocalJson.write(root).getBytes(StandardCharsets.UTF_8));
    }
}
