package io.vrouter.provision.store;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens a store from its one-line description, as given to {@code config-api --store}:
 *
 * <table>
 *   <caption>Store specifications</caption>
 *   <tr><td>{@code file:<dir>}</td><td>{@link FileConfigStore} in {@code dir} (the default)</td></tr>
 *   <tr><td>{@code etcd:<url>[,<url>...]}</td><td>{@link EtcdConfigStore}; urls like
 *       {@code http://10.0.0.1:2379}; a bare {@code host:port} means {@code http://host:port}; TLS to
 *       etcd is not supported yet (refused with a clear error)</td></tr>
 *   <tr><td>{@code memory:}</td><td>{@link MemoryConfigStore} (lost on exit)</td></tr>
 * </table>
 */
public final class ConfigStores {
    private ConfigStores() {
    }

    public static ConfigStore open(String spec) throws StoreException {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("store is empty; expected file:<dir>, etcd:<endpoints> or memory:");
        }
        if (spec.startsWith("file:")) {
            String dir = spec.substring("file:".length());
            if (dir.isBlank()) {
                throw new IllegalArgumentException("store '" + spec + "' names no directory (file:<dir>)");
            }
            return new FileConfigStore(Path.of(dir));
        }
        if (spec.startsWith("etcd:")) {
            return new EtcdConfigStore(parseEndpoints(spec.substring("etcd:".length())));
        }
        if (spec.equals("memory:")) {
            return new MemoryConfigStore();
        }
        throw new IllegalArgumentException("store '" + spec + "' is not file:<dir>, etcd:<endpoints> or memory:");
    }

    /** Parses {@code http://a:2379,b:2379}; errors name the bad endpoint. */
    public static List<URI> parseEndpoints(String list) {
        List<URI> out = new ArrayList<>();
        for (String raw : list.split(",")) {
            String s = raw.trim();
            if (s.isEmpty()) {
                continue;
            }
            String withScheme = s.contains("://") ? s : "http://" + s;
            URI u;
            try {
                u = URI.create(withScheme);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("etcd endpoint '" + s + "' is not a URL: " + e.getMessage());
            }
            if ("https".equals(u.getScheme())) {
                // jetcd would need a CA and client certificate we have no settings for yet.
                throw new IllegalArgumentException("etcd endpoint '" + s + "': TLS to etcd is not supported yet;"
                        + " use http:// to an etcd on loopback or a trusted network");
            }
            if (!"http".equals(u.getScheme()) || u.getHost() == null || u.getPort() < 1) {
                throw new IllegalArgumentException("etcd endpoint '" + s + "' must be http://host:port");
            }
            out.add(u);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("etcd store names no endpoints (etcd:http://host:2379[,...])");
        }
        return out;
    }
}
