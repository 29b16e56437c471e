package io.vrouter.linklocal.configclient;

import io.vrouter.linklocal.config.GlobalVrouterConfig;

/** A {@code global-vrouter-config} as read, with the revision it had (its ETag). */
public record VersionedConfig(GlobalVrouterConfig config, long revision) {
}
