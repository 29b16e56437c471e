package io.vrouter.agent.linklocal;

import io.vrouter.agent.config.AgentConfig;
import io.vrouter.linklocal.configclient.ConfigApiEndpoint;
import io.vrouter.linklocal.configclient.ConfigWatchClient;
import io.vrouter.linklocal.configclient.WatchClientStats;
import io.vrouter.linklocal.registry.LinkLocalRegistry;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code [LINKLOCAL] config_api_url}: a watch of the config API's {@code global-vrouter-config}
 * ({@link ConfigWatchClient}, thread {@code config-watch}), each update applied to the registry;
 * the last good config is cached in {@code cache_file} so a restart without the API still serves.
 */
public final class ConfigApiSource implements LinkLocalSource {
    private final ConfigApiEndpoint endpoint;
    private final Path cacheFile;
    private ConfigWatchClient watch;

    public ConfigApiSource(AgentConfig.LinkLocal ll) {
        this.endpoint = new ConfigApiEndpoint(ll.configApiUrl(), ll.configApiUser(), ll.configApiPassword(),
                ll.configApiCaCert(), false, null);
        this.cacheFile = ll.cacheFile();
    }

    @Override
    public synchronized void start(LinkLocalRegistry registry) throws Exception {
        if (cacheFile.getParent() != null) {
            Files.createDirectories(cacheFile.getParent());
        }
        watch = ConfigWatchClient.builder(endpoint, update -> registry.apply(update.services(), update.source()))
                .cacheFile(cacheFile).build();
        watch.start();
    }

    @Override
    public String describe() {
        return "config-api " + endpoint;
    }

    @Override
    public WatchClientStats stats() {
        ConfigWatchClient w = watch;
        return w == null ? null : w.stats();
    }

    @Override
    public synchronized void close() {
        if (watch != null) {
            watch.close();
        }
    }
}
