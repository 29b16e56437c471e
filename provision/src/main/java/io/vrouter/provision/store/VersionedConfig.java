package io.vrouter.provision.store;

import io.vrouter.linklocal.config.GlobalVrouterConfig;
import java.util.Objects;

/**
 * The {@code global-vrouter-config} object together with the store revision it was written at.
 * The revision is what the API hands out as the {@code ETag} and what watchers resume from.
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
