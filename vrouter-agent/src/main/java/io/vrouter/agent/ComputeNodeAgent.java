package io.vrouter.agent;

import io.netty.channel.EventLoopGroup;
import io.vrouter.agent.config.AgentConfig;
import io.vrouter.agent.dataplane.AgentDataplane;
import io.vrouter.agent.dataplane.DataplaneContext;
import io.vrouter.agent.dataplane.UserspaceDataplane;
import io.vrouter.agent.introspect.IntrospectServer;
import io.vrouter.plumbing.http.HttpTransport;
import io.vrouter.agent.introspect.StatsRegistry;
import io.vrouter.agent.port.FilePortStore;
import io.vrouter.agent.port.InterfaceChecker;
import io.vrouter.agent.port.PortInstanceDirectory;
import io.vrouter.agent.port.PortIpcServer;
import io.vrouter.agent.port.PortJson;
import io.vrouter.agent.port.PortRegistry;
import io.vrouter.agent.port.VmPort;
import io.vrouter.linklocal.config.ConfigValidationException;
import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.LinkLocalServices;
import io.vrouter.linklocal.configclient.ConfigApiEndpoint;
import io.vrouter.linklocal.configclient.ConfigWatchClient;
import io.vrouter.linklocal.proxy.MetadataProxy;
import io.vrouter.linklocal.proxy.MetadataProxyConfig;
import io.vrouter.linklocal.proxy.MetadataUpstreams;
import io.vrouter.linklocal.proxy.ProxyCountersSnapshot;
import io.vrouter.linklocal.proxy.TlsSettings;
import io.vrouter.linklocal.registry.LinkLocalFileSource;
import io.vrouter.linklocal.registry.LinkLocalRegistry;
import io.vrouter.linklocal.registry.LinkLocalService;
import io.vrouter.linklocal.registry.RegistrySnapshot;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One compute node's agent: owns the lifecycle of every component and starts them in an order
 * in which each finds what it needs already running.
 *
 * <ol>
 *   <li>state-directory lock ({@code ports_dir/.agent.lock}, a kernel lock: a second agent on
 *       the same state is refused, a SIGKILL'd one leaves nothing that blocks a restart)</li>
 *   <li>link-local registry: config API watch (with its on-disk cache), or a watched services
 *       file, or the built-in default (metadata → 127.0.0.1:8775)</li>
 *   <li>dataplane created and started (unless {@code [DATAPLANE] enabled = false}): it brings
 *       up the vhost interface and address</li>
 *   <li>metadata proxy on {@code vhost ip : metadata_proxy_port}, upstreams from the registry's
 *       {@code metadata} service, VMs identified through the port table's instance directory</li>
 *   <li>ports replayed from disk; the instance directory and the dataplane hear each one</li>
 *   <li>port IPC on 127.0.0.1:{@code port_ipc_port}, introspect on 127.0.0.1:{@code http_server_port}</li>
 * </ol>
 * {@link #close()} stops them in reverse order; a failed start closes what had started.
 * Not restartable: make a new agent.
 */
public final class ComputeNodeAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ComputeNodeAgent.class);
    static final String BUILT_IN_SERVICES = "/io/vrouter/agent/config/linklocal-services.json";
    static final String LOCK_FILE = ".agent.lock";

    /** Seams for tests and for embedding; the defaults are what a real node uses. */
    public static final class Options {
        InterfaceChecker interfaces = InterfaceChecker.sysfs();
        String localHost = "127.0.0.1";
        Function<DataplaneContext, AgentDataplane> dataplane = UserspaceDataplane::new;

        /** How port IPC checks that a {@code system-name} exists (default: /sys/class/net). */
        public Options interfaces(InterfaceChecker v) {
            interfaces = Objects.requireNonNull(v);
            return this;
        }

        /** How the dataplane is made (default: {@link UserspaceDataplane} on libpcap). */
        public Options dataplane(Function<DataplaneContext, AgentDataplane> v) {
            dataplane = Objects.requireNonNull(v);
            return this;
        }
    }

    private final AgentConfig config;
    private final Options options;
    private final long startedAtMs = System.currentTimeMillis();
    private final StatsRegistry stats = new StatsRegistry();
    private final PortInstanceDirectory directory = new PortInstanceDirectory();
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private volatile String servicesSource = "(none)";
    private LinkLocalRegistry registry;
    private ConfigWatchClient watch;
    private MetadataProxy proxy;
    private PortRegistry ports;
    private PortIpcServer portIpc;
    private IntrospectServer introspect;
    private AgentDataplane dataplane;
    private boolean startCalled;

    public ComputeNodeAgent(AgentConfig config) {
        this(config, new Options());
    }

    public ComputeNodeAgent(AgentConfig config, Options options) {
        this.config = Objects.requireNonNull(config);
        this.options = Objects.requireNonNull(options);
    }

    /** Starts every component; on failure closes what had started and rethrows. */
    public synchronized void start() throws Exception {
        if (startCalled) {
            throw new IllegalStateException("agent already started");
        }
        startCalled = true;
        try {
            doStart();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private void doStart() throws Exception {
        AgentConfig.General general = config.general();
        FilePortStore store = new FilePortStore(general.portsDir());
        lockStateDirectory(general.portsDir());

        startLinkLocal();

        ports = new PortRegistry(store, options.interfaces);
        ports.addObserver(directory);
        if (config.dataplane().enabled()) {
            dataplane = options.dataplane.apply(new DataplaneContext(config, registry, stats));
            String cause = dataplane.unavailabilityCause();
            if (cause != null) {
                throw new IllegalStateException("the dataplane cannot run on this host: " + cause
                        + " (set [DATAPLANE] enabled = false for proxy-only mode)");
            }
            started.push(dataplane);
            dataplane.start(); // brings up the vhost address the proxy binds next
            ports.addObserver(dataplane);
        } else {
            LOG.warn("[DATAPLANE] enabled = false: proxy-only mode, no guest packets are captured");
        }
        startProxy();
        ports.replay();

        EventLoopGroup group = HttpTransport.newGroup(1, "agent-local-http");
        started.push(() -> group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly());
        portIpc = PortIpcServer.start(new InetSocketAddress(options.localHost, general.portIpcPort()), group, ports);
        started.push(portIpc);

        registerStats();
        Map<String, Supplier<?>> pages = new LinkedHashMap<>();
        pages.put("/ports", () -> ports.list().stream().map(PortJson::toJson).toList());
        pages.put("/linklocal", this::linkLocalPage);
        introspect = IntrospectServer.start(new InetSocketAddress(options.localHost, general.introspectPort()),
                group, stats, pages);
        started.push(introspect);
        LOG.info("agent started: metadata proxy {}, port IPC {}, introspect {}, {} port(s), link-local services from {}",
                proxy.localAddress(), portIpc.localAddress(), introspect.localAddress(), ports.size(), servicesSource);
    }

    /**
     * The link-local registry, fed by the config API (watch + on-disk cache), or by a services
     * file (watched for changes), or by the built-in default. A file that is invalid at start
     * stops the start: there is no last good config yet to fall back on.
     */
    private void startLinkLocal() throws Exception {
        registry = LinkLocalRegistry.builder().build();
        started.push(registry);
        AgentConfig.LinkLocal ll = config.linklocal();
        if (ll.usesConfigApi()) {
            ConfigApiEndpoint endpoint = new ConfigApiEndpoint(ll.configApiUrl(), ll.configApiUser(),
                    ll.configApiPassword(), ll.configApiCaCert(), false, null);
            if (ll.cacheFile().getParent() != null) {
                Files.createDirectories(ll.cacheFile().getParent());
            }
            ConfigWatchClient watch = ConfigWatchClient.builder(endpoint,
                    update -> registry.apply(update.services(), update.source())).cacheFile(ll.cacheFile()).build();
            this.watch = watch;
            watch.start();
            started.push(watch);
            servicesSource = "config-api " + endpoint;
            return;
        }
        LinkLocalServices initial;
        if (ll.servicesFile() != null) {
            servicesSource = "file:" + ll.servicesFile();
            initial = parseServices(Files.readString(ll.servicesFile(), StandardCharsets.UTF_8),
                    "[LINKLOCAL] services_file " + ll.servicesFile());
        } else {
            servicesSource = "built-in default";
            try (InputStream in = ComputeNodeAgent.class.getResourceAsStream(BUILT_IN_SERVICES)) {
                if (in == null) {
                    throw new IOException("built-in link-local services " + BUILT_IN_SERVICES + " missing from the classpath");
                }
                initial = parseServices(new String(in.readAllBytes(), StandardCharsets.UTF_8), "built-in " + BUILT_IN_SERVICES);
            }
        }
        registry.apply(initial, servicesSource).get(10, TimeUnit.SECONDS);
        for (LinkLocalServiceEntry entry : initial.entries()) {
            LOG.info("link-local service {}", entry);
        }
        if (ll.servicesFile() != null) {
            LinkLocalFileSource source = new LinkLocalFileSource(registry, ll.servicesFile());
            source.start();
            started.push(source);
        }
    }

    private static LinkLocalServices parseServices(String json, String what) throws IOException {
        try {
            return LinkLocalFileSource.parse(json);
        } catch (ConfigValidationException e) {
            throw new IOException(what + " is invalid: " + e.getMessage(), e);
        }
    }

    /** The metadata proxy on the vhost address, forwarding to the registry's metadata service. */
    private void startProxy() throws IOException {
        AgentConfig.Metadata m = config.metadata();
        TlsSettings tls = m.useSsl()
                ? new TlsSettings(true, m.clientCert(), m.clientKey(), m.caCert(), true, m.sslInsecure())
                : TlsSettings.DISABLED;
        MetadataProxyConfig pc = MetadataProxyConfig.builder()
                .bindAddress(config.vhost().ip())
                .port(m.proxyPort())
                .sharedSecret(m.secret())
                .rateLimitPerSecond(m.rateLimitPerVm())
                .rateLimitBurst(m.rateBurstPerVm())
                .maxConnectionsPerVm(m.maxConnectionsPerVm())
                .tls(tls)
                .build();
        proxy = new MetadataProxy(pc, directory, new RegistryUpstreams(registry));
        started.push(proxy);
        proxy.start();
    }

    /**
     * A kernel lock on a file in the state directory: held while this process lives, released
     * by the kernel however it dies, so it never needs cleaning up.
     */
    private void lockStateDirectory(Path dir) throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by another agent in this same JVM (tests, embedding)
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            ch.close();
            throw new IOException("another agent is running with the same ports_dir " + dir
                    + " (it holds " + dir.resolve(LOCK_FILE) + ")");
        }
        ch.truncate(0);
        ch.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
        started.push(ch); // closing the channel releases the lock
    }

    private void registerStats() {
        Map<String, Object> fixed = new LinkedHashMap<>();
        fixed.put("pid", ProcessHandle.current().pid());
        fixed.put("transport", HttpTransport.epoll() ? "epoll" : "nio");
        fixed.put("dataplane", dataplane != null);
        fixed.put("jvm", ManagementFactory.getRuntimeMXBean().getVmVersion());
        stats.register("agent", () -> {
            Map<String, Object> m = new LinkedHashMap<>(fixed);
            m.put("uptime_seconds", (System.currentTimeMillis() - startedAtMs) / 1000);
            return m;
        });
        stats.register("ports", ports::stats);
        stats.register("linklocal", () -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("source", servicesSource);
            m.put("registry", registry.stats());
            if (watch != null) {
                m.put("config_api", watch.stats());
            }
            return m;
        });
        stats.register("proxy", () -> proxyStats(proxy.counters()));
    }

    /** The proxy's counters as JSON (the latency histogram as percentiles). */
    static Map<String, Object> proxyStats(ProxyCountersSnapshot c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", c.requests());
        m.put("forwarded", c.forwarded());
        m.put("status_2xx", c.status2xx());
        m.put("status_3xx", c.status3xx());
        m.put("status_4xx", c.status4xx());
        m.put("status_5xx", c.status5xx());
        m.put("upstream_connections_opened", c.upstreamConnectionsOpened());
        m.put("retries", c.retries());
        Map<String, Long> rejected = new LinkedHashMap<>();
        c.rejections().forEach((reason, n) -> rejected.put(reason.name(), n));
        m.put("rejected", rejected);
        Histogram h = c.latencyMicros();
        Map<String, Object> lat = new LinkedHashMap<>();
        lat.put("count", h.getTotalCount());
        lat.put("p50_us", h.getValueAtPercentile(50));
        lat.put("p99_us", h.getValueAtPercentile(99));
        lat.put("max_us", h.getMaxValue());
        m.put("latency", lat);
        return m;
    }

    private Map<String, Object> linkLocalPage() {
        RegistrySnapshot snap = registry.snapshot();
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("version", snap.version());
        page.put("source", snap.source());
        page.put("linklocal_services", snap.config());
        page.put("services", snap.services().stream().map(svc -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", svc.name());
            m.put("service", svc.serviceAddress().getHostAddress() + ":" + svc.servicePort());
            m.put("fabric", svc.fabricAddresses().stream().map(InetAddress::getHostAddress).toList());
            m.put("fabric_port", svc.fabricPort());
            m.put("dns_name", svc.fabricDnsName());
            m.put("resolved", svc.isResolved());
            m.put("metadata", svc.isMetadata());
            return m;
        }).toList());
        return page;
    }

    /**
     * The proxy's upstreams: the fabric addresses of the registry's {@code metadata} service in
     * the snapshot in force. One volatile read; the list is built once per snapshot by the
     * registry, as the proxy asks on every request from its event loops.
     */
    static final class RegistryUpstreams implements MetadataUpstreams {
        private final LinkLocalRegistry registry;

        RegistryUpstreams(LinkLocalRegistry registry) {
            this.registry = registry;
        }

        @Override
        public List<InetSocketAddress> current() {
            LinkLocalService metadata = registry.snapshot().metadataService();
            return metadata == null ? List.of() : metadata.fabricSocketAddresses();
        }
    }

    /** Stops everything started, in reverse order. Idempotent; never throws. */
    @Override
    public synchronized void close() {
        while (!started.isEmpty()) {
            AutoCloseable c = started.pop();
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("error while stopping {}: {}", c, e.toString());
            }
        }
    }

    public AgentConfig config() {
        return config;
    }

    public PortRegistry ports() {
        return ports;
    }

    public PortInstanceDirectory instanceDirectory() {
        return directory;
    }

    public StatsRegistry stats() {
        return stats;
    }

    public LinkLocalRegistry linkLocal() {
        return registry;
    }

    public InetSocketAddress metadataProxyAddress() {
        return proxy == null ? null : proxy.localAddress();
    }

    public InetSocketAddress portIpcAddress() {
        return portIpc == null ? null : portIpc.localAddress();
    }

    public InetSocketAddress introspectAddress() {
        return introspect == null ? null : introspect.localAddress();
    }

    /** Every port, for callers that only read. */
    public List<VmPort> listPorts() {
        return ports == null ? List.of() : ports.list();
    }
}
