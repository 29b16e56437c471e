package io.vrouter.agent.linklocal;

import io.vrouter.linklocal.registry.LinkLocalFileSource;
import io.vrouter.linklocal.registry.LinkLocalRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code [LINKLOCAL] services_file}: the file must be valid at start (there is no last good
 * config to fall back on yet); afterwards {@link LinkLocalFileSource} re-reads it when it
 * changes and keeps the last good config when a new version is refused.
 */
public final class ServicesFileSource implements LinkLocalSource {
    private final Path file;
    private LinkLocalFileSource watcher;

    public ServicesFileSource(Path file) {
        this.file = file;
    }

    @Override
    public synchronized void start(LinkLocalRegistry registry) throws Exception {
        InitialServices.apply(registry, Files.readString(file, StandardCharsets.UTF_8),
                "[LINKLOCAL] services_file " + file, describe());
        watcher = new LinkLocalFileSource(registry, file);
        watcher.start();
    }

    @Override
    public String describe() {
        return "file:" + file;
    }

    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.close();
        }
    }
}
