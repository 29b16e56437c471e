package io.vrouter.provision.store;

import io.vrouter.linklocal.config.VersionedConfig;

/** Keeps the object in memory only: for tests and throw-away demos. Lost on exit. */
public final class MemoryConfigStore extends AbstractLocalStore {
    @Override
    protected void persist(VersionedConfig next) {
        // Nothing to make durable.
    }

    @Override
    public String describe() {
        return "memory:";
    }
}
