package io.vrouter.agent.introspect.service;

import io.vrouter.agent.linklocal.LinkLocalSource;
import io.vrouter.introspect.api.ConnectionInfo;
import io.vrouter.introspect.api.NodeStatus;
import io.vrouter.introspect.api.ProcessStatus;
import io.vrouter.introspect.api.introspectConstants;
import io.vrouter.linklocal.configclient.WatchClientStats;
import io.vrouter.linklocal.proxy.MetadataProxy;
import io.vrouter.linklocal.registry.LinkLocalRegistry;
import io.vrouter.linklocal.registry.RegistrySnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The agent's {@code NodeStatus}, as {@code contrail-status} reads it from
 * {@code Snh_SandeshUVECacheReq?x=NodeStatus}: the process is {@code Functional} when the metadata
 * proxy listens, a {@code metadata} link-local service is configured and, with a config API, the
 * API answered recently; otherwise {@code Non-Functional} with the reasons in {@code description}.
 *
 * <p>The time a configuration was applied is recorded by a registry listener (the registry's
 * thread), read by introspect threads.
 */
public final class NodeView implements AutoCloseable {
    /** A config API silent for longer than this is shown Down (the watch long-polls far more often). */
    static final Duration CONFIG_API_SILENCE = Duration.ofMinutes(3);

    private final String hostName;
    private final String version;
    private final long startedAtMs;
    private final LinkLocalRegistry registry;
    private final LinkLocalSource source;
    private final MetadataProxy proxy;
    private final LinkLocalRegistry.Subscription subscription;
    private volatile long appliedVersion = -1;
    private volatile long appliedAtMs;

    public NodeView(String version, long startedAtMs, LinkLocalRegistry registry, LinkLocalSource source,
                    MetadataProxy proxy) {
        this.hostName = hostName();
        this.version = Objects.requireNonNull(version, "version");
        this.startedAtMs = startedAtMs;
        this.registry = Objects.requireNonNull(registry, "registry");
        this.source = Objects.requireNonNull(source, "source");
        this.proxy = Objects.requireNonNull(proxy, "proxy");
        RegistrySnapshot now = registry.snapshot();
        if (!now.isEmpty()) {
            appliedVersion = now.version();
            appliedAtMs = System.currentTimeMillis();
        }
        this.subscription = registry.subscribe(diff -> {
            appliedAtMs = System.currentTimeMillis();
            appliedVersion = diff.after().version();
        });
    }

    /** The kernel's host name (what Contrail uses as the UVE key), without a DNS lookup. */
    private static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (Exception e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "localhost" : env;
        }
    }

    NodeStatus status() {
        long nowMs = System.currentTimeMillis();
        List<String> problems = new ArrayList<>();
        List<ConnectionInfo> connections = new ArrayList<>();
        long revision = appliedVersion;
        if (source.stats() instanceof WatchClientStats w) {
            revision = w.revision() > 0 ? w.revision() : -1;
            String status = w.lastContact() == null ? "Initializing"
                    : Duration.between(w.lastContact(), Instant.ofEpochMilli(nowMs)).compareTo(CONFIG_API_SILENCE) > 0
                    ? "Down" : "Up";
            ConnectionInfo ci = new ConnectionInfo("ApiServer", "config-api", List.of(source.describe()), status);
            if (!"Up".equals(status)) {
                ci.setDescription(w.lastContact() == null ? "no answer yet" : "last answer at " + w.lastContact());
                problems.add("config API " + status.toLowerCase());
            }
            connections.add(ci);
        }
        if (proxy.localAddress() == null) {
            problems.add("metadata proxy not listening");
        }
        if (registry.snapshot().metadataService() == null) {
            problems.add("no metadata link-local service configured");
        }
        ProcessStatus ps = new ProcessStatus(introspectConstants.MODULE_ID, "0",
                problems.isEmpty() ? introspectConstants.PROCESS_STATE_FUNCTIONAL
                        : introspectConstants.PROCESS_STATE_NON_FUNCTIONAL, connections);
        if (!problems.isEmpty()) {
            ps.setDescription(String.join(", ", problems));
        }
        NodeStatus n = new NodeStatus();
        n.setName(hostName);
        n.setProcess_status(List.of(ps));
        n.setBuild_info(version);
        n.setConfig_source(source.describe());
        n.setConfig_revision(revision);
        n.setConfig_applied_ms(appliedAtMs);
        n.setStart_time_ms(startedAtMs);
        n.setUptime_ms(Math.max(0, nowMs - startedAtMs));
        return n;
    }

    @Override
    public void close() {
        subscription.close();
    }
}
