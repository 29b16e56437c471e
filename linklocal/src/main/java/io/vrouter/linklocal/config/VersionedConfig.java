package io.vrouter.linklocal.config;

import java.util.Objects;

/**
 * The {@code global-vrouter-config} object with the revision it was written at: what the config
 * API hands out as the {@code ETag}, what a store compares on write and what watchers resume from.
 * Shared by the config API's stores and the agents' client.
 *
 * <p>Treat the config as immutable: stores hand the same instance to every reader.
 */
public record VersionedConfig(long revision, GlobalVrouterConfig config) {
    public VersionedConfig {
        if (revision < 1) {
            throw new IllegalArgumentException("revision must be >= 1, was " + revision);
        }
        Objects.requireNonNull(config, "config");
    }
}
