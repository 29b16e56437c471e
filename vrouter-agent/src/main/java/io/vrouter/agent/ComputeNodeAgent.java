package io.vrouter.agent;

import io.netty.channel.EventLoopGroup;
import io.vrouter.agent.config.AgentConfig;
import io.vrouter.agent.dataplane.AgentDataplane;
import io.vrouter.agent.dataplane.DataplaneContext;
import io.vrouter.agent.dataplane.UserspaceDataplane;
import io.vrouter.agent.introspect.AgentSection;
import io.vrouter.agent.introspect.IntrospectServer;
import io.vrouter.agent.introspect.LinkLocalPage;
import io.vrouter.agent.introspect.LinkLocalSection;
import io.vrouter.agent.introspect.ProxySection;
import io.vrouter.plumbing.http.HttpTransport;
import io.vrouter.agent.introspect.StatsRegistry;
import io.vrouter.agent.introspect.service.AgentIntrospect;
import io.vrouter.agent.introspect.service.AgentMetrics;
import io.vrouter.agent.introspect.service.IntrospectThriftServer;
import io.vrouter.agent.introspect.service.MetadataView;
import io.vrouter.agent.introspect.service.NodeView;
import io.vrouter.agent.introspect.service.SandeshPages;
import io.vrouter.plumbing.http.Handler;
import io.vrouter.agent.linklocal.LinkLocalSource;
import io.vrouter.agent.linklocal.RegistryUpstreams;
import io.vrouter.agent.port.FilePortStore;
import io.vrouter.agent.dataplane.host.VhostInterface;
import io.vrouter.agent.port.InterfaceChecker;
import io.vrouter.agent.port.PortFileWatcher;
import io.vrouter.agent.port.PortInstanceDirectory;
import io.vrouter.agent.port.PortIpcServer;
import io.vrouter.agent.port.PortJson;
import io.vrouter.agent.port.PortObserver;
import io.vrouter.agent.port.PortRegistry;
import io.vrouter.agent.port.PortTokenModes;
import io.vrouter.agent.port.VmPort;
import io.vrouter.linklocal.proxy.MetadataProxy;
import io.vrouter.linklocal.proxy.MetadataProxyConfig;
import io.vrouter.linklocal.proxy.MetadataTokenPolicy;
import io.vrouter.linklocal.proxy.MetadataTokens;
import io.vrouter.linklocal.proxy.ProxyWarmUp;
import io.vrouter.linklocal.proxy.TlsSettings;
import io.vrouter.linklocal.registry.LinkLocalRegistry;
import io.vrouter.linklocal.registry.OwnEndpoints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
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
 *   <li>metadata proxy on {@code [DATAPLANE] internal_address : metadata_proxy_port} (proxy-only
 *       mode: {@code vhost ip}), upstreams from the registry's
 *       {@code metadata} service, VMs identified through the port table's instance directory</li>
 *   <li>ports replayed from the port files; the instance directory and the dataplane hear each
 *       one; then port files written or deleted while running are noticed ("port-files")</li>
 *   <li>port IPC on 127.0.0.1:{@code port_ipc_port}, introspect on {@code http_server_ip:http_server_port}
 *       (JSON pages, {@code Snh_*} XML pages, {@code /metrics}), the Introspect Thrift service on
 *       127.0.0.1:{@code thrift_server_port} (the vif/flow/dropstats CLIs)</li>
 * </ol>
 * {@link #close()} stops them in reverse order; a failed start closes what had started.
 * Not restartable: make a new agent.
 */
public final class ComputeNodeAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ComputeNodeAgent.class);
    /** The first answer after a start was as fast with 50 as with 200 (class loading is most of the gain). */
    static final int WARM_UP_REQUESTS = 100;
    static final String LOCK_FILE = ".agent.lock";

    /** Seams for tests and for embedding; the defaults are what a real node uses. */
    public static final class Options {
        InterfaceChecker interfaces; // null: the host's, with this agent's vhost names
        long portScanIntervalMs = PortFileWatcher.DEFAULT_INTERVAL_MS;
        String localHost = "127.0.0.1";
        Function<DataplaneContext, AgentDataplane> dataplane = UserspaceDataplane::new;

        /**
         * How port IPC checks that a {@code system-name} is a guest's interface (default:
         * {@link InterfaceChecker#host} with this agent's vhost and agent end).
         */
        public Options interfaces(InterfaceChecker v) {
            interfaces = Objects.requireNonNull(v);
            return this;
        }

        /** How often port files written behind the agent's back are looked for. */
        public Options portScanIntervalMs(long v) {
            portScanIntervalMs = v;
            return this;
        }

        /** How the dataplane is made (default: {@link UserspaceDataplane} on the host's packet I/O). */
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
    private PortTokenModes tokenModes;
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private LinkLocalRegistry registry;
    private LinkLocalSource linkLocalSource;
    private volatile MetadataProxy proxy;
    private PortRegistry ports;
    private volatile PortIpcServer portIpc;
    private volatile IntrospectServer introspect;
    private volatile IntrospectThriftServer thrift;
    private AgentIntrospect introspection;
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

        String vhostName = config.vhost().name();
        InterfaceChecker interfaces = options.interfaces != null ? options.interfaces
                : InterfaceChecker.host(Set.of(vhostName, VhostInterface.agentEndName(vhostName)));
        ports = new PortRegistry(store, interfaces);
        ports.addObserver(directory);
        AgentConfig.Tokens tokens = config.metadata().tokens();
        tokenModes = new PortTokenModes(tokens.requiredPorts(), tokens.optionalPorts());
        if (!tokenModes.isEmpty()) {
            ports.addObserver(tokenModes);
        }
        if (config.dataplane().enabled()) {
            dataplane = options.dataplane.apply(new DataplaneContext(config, registry, stats));
            String cause = dataplane.unavailabilityCause();
            if (cause != null) {
                throw new IllegalStateException("the dataplane cannot run on this host: " + cause
                        + " (set [DATAPLANE] enabled = false for proxy-only mode)");
            }
            started.push(dataplane);
            LOG.info(fabricUnused(config));
            dataplane.start(); // brings up the vhost address the proxy binds next
            ports.addObserver(dataplane);
        } else {
            LOG.warn("[DATAPLANE] enabled = false: proxy-only mode, no guest packets are captured");
        }
        startProxy();
        ports.addObserver(new PortObserver() {
            @Override
            public void portAdded(VmPort port) {
            }

            @Override
            public void portRemoved(VmPort port) {
                if (port.metadataIp() != null) {
                    proxy.trace().forget(port.metadataIp()); // a later port reusing the IP starts clean
                }
            }
        });
        ports.replay();
        started.push(PortFileWatcher.start(ports, options.portScanIntervalMs));

        EventLoopGroup group = HttpTransport.newGroup(1, "agent-local-http");
        started.push(() -> group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly());
        portIpc = PortIpcServer.start(new InetSocketAddress(options.localHost, general.portIpcPort()), group, ports,
                Duration.ofSeconds(general.staleInterfaceCleanupSeconds()));
        started.push(portIpc);

        registerStats();
        startIntrospection();
        Map<String, Supplier<?>> pages = new LinkedHashMap<>();
        pages.put("/ports", () -> ports.list().stream().map(PortJson::toJson).toList());
        pages.put("/linklocal", () -> LinkLocalPage.of(registry.snapshot()));
        Map<String, Handler> handlers = new LinkedHashMap<>(SandeshPages.handlers(introspection));
        handlers.put("/metrics", new AgentMetrics(introspection).handler());
        introspect = IntrospectServer.start(new InetSocketAddress(general.introspectIp(), general.introspectPort()),
                group, stats, pages, handlers);
        started.push(introspect);
        LOG.info("agent started: metadata proxy {}, port IPC {}, introspect {}, Thrift {}, {} port(s), link-local services from {}",
                proxy.localAddress(), portIpc.localAddress(), introspect.localAddress(), thrift.localAddress(), ports.size(),
                linkLocalSource.describe());
    }

    /** The Introspect service over the live state, and its Thrift port for the CLIs. */
    private void startIntrospection() throws IOException {
        NodeView node = new NodeView(AgentMain.VERSION, startedAtMs, registry, linkLocalSource, proxy);
        started.push(node);
        AgentDataplane dp = dataplane;
        introspection = new AgentIntrospect(config, ports::list, () -> dp == null ? null : dp.dataplane(),
                new MetadataView(registry, proxy), node);
        thrift = IntrospectThriftServer.start(
                new InetSocketAddress(options.localHost, config.general().thriftPort()), introspection);
        started.push(thrift);
    }

    /** The link-local registry, fed by the one source agent.conf names (see {@link LinkLocalSource}). */
    private void startLinkLocal() throws Exception {
        registry = LinkLocalRegistry.builder().ownEndpoints(OwnEndpoints.onThisHost(this::ownPorts)).build();
        started.push(registry);
        linkLocalSource = LinkLocalSource.forConfig(config.linklocal());
        started.push(linkLocalSource);
        linkLocalSource.start(registry);
    }

    /** The ports this agent listens on, configured and (once bound) actual: never a fabric target. */
    private List<Integer> ownPorts() {
        List<Integer> own = new ArrayList<>(List.of(config.general().portIpcPort(), config.general().introspectPort(),
                config.metadata().proxyPort()));
        for (InetSocketAddress bound : new InetSocketAddress[] {portIpcAddress(), introspectAddress(), metadataProxyAddress()}) {
            if (bound != null) {
                own.add(bound.getPort());
            }
        }
        return own;
    }

    /**
     * The one start-up line about the fabric keys: this agent does not take the NIC over (in
     * Contrail vhost0 is the NIC), so it never claims {@code ip} nor routes via {@code gateway} or
     * {@code physical_interface}; the host's own fabric configuration stays as it is.
     */
    static String fabricUnused(AgentConfig config) {
        AgentConfig.VirtualHostInterface v = config.vhost();
        return "[VIRTUAL-HOST-INTERFACE] ip " + v.ip().getHostAddress() + "/" + v.prefixLength() + ", gateway "
                + (v.gateways().isEmpty() ? "(none)" : v.gateways().stream().map(java.net.InetAddress::getHostAddress).toList())
                + ", physical_interface " + (v.physicalInterfaces().isEmpty() ? "(none)" : v.physicalInterfaces())
                + ": the host's fabric, not used and not touched by this agent (its vhost " + v.name()
                + " has its own address " + config.dataplane().internalAddress().getHostAddress()
                + "/32 and only the route 169.254.0.0/16)";
    }

    /** The metadata proxy on the vhost address, forwarding to the registry's metadata service. */
    private void startProxy() throws IOException {
        AgentConfig.Metadata m = config.metadata();
        TlsSettings tls = m.useSsl()
                ? new TlsSettings(true, m.clientCert(), m.clientKey(), m.caCert(), true, m.sslInsecure())
                : TlsSettings.DISABLED;
        MetadataProxyConfig pc = MetadataProxyConfig.builder()
                // with the dataplane: the vhost's internal address, never the fabric ip (the NIC's)
                .bindAddress(config.dataplane().enabled() ? config.dataplane().internalAddress() : config.vhost().ip())
                .port(m.proxyPort())
                .sharedSecret(m.secret())
                .rateLimitPerSecond(m.rateLimitPerVm())
                .rateLimitBurst(m.rateBurstPerVm())
                .maxConnectionsPerVm(m.maxConnectionsPerVm())
                .tls(tls)
                .tokenMode(m.tokens().mode())
                .build();
        MetadataTokens tokens = m.tokens().keyFile() == null ? MetadataTokens.withRandomKey()
                : MetadataTokens.withKeyFile(m.tokens().keyFile());
        proxy = new MetadataProxy(pc, directory, new RegistryUpstreams(registry), tokens,
                tokenModes.isEmpty() ? MetadataTokenPolicy.NODE : tokenModes);
        started.push(proxy);
        warmUp(pc);
        proxy.start();
        java.net.Inet6Address v6 = dataplane == null ? null : dataplane.metadataAddress6();
        if (v6 != null) {
            proxy.listenAlso(new InetSocketAddress(v6, m.proxyPort())); // metadata6 guests
        }
    }

    /**
     * The proxy path run through once on loopback before guests can reach it (see
     * {@link ProxyWarmUp}): the first guest after a start is answered as fast as the next ones.
     * A failure is logged, not fatal: the warm-up is a speed-up and a self-check, not the service.
     */
    private static void warmUp(MetadataProxyConfig pc) {
        LOG.info("metadata proxy warm-up: {} requests through a throwaway proxy on loopback to a loopback answerer",
                WARM_UP_REQUESTS);
        ProxyWarmUp.Result w = ProxyWarmUp.run(pc, WARM_UP_REQUESTS);
        if (w.failure() == null) {
            LOG.info("metadata proxy path warmed up: {} requests in {} ms (nothing sent to nova)",
                    w.requests(), w.elapsedMs());
        } else {
            LOG.warn("metadata proxy warm-up stopped after {} requests in {} ms: {} (the proxy starts anyway; "
                    + "the first guests' requests may be slower)", w.requests(), w.elapsedMs(), w.failure());
        }
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
        long pid = ProcessHandle.current().pid();
        String transport = HttpTransport.epoll() ? "epoll" : "nio";
        String jvm = ManagementFactory.getRuntimeMXBean().getVmVersion();
        boolean withDataplane = dataplane != null;
        stats.register("agent", () -> new AgentSection(pid, transport, withDataplane, jvm,
                (System.currentTimeMillis() - startedAtMs) / 1000));
        stats.register("ports", ports::stats);
        stats.register("linklocal", () ->
                new LinkLocalSection(linkLocalSource.describe(), registry.stats(), linkLocalSource.stats()));
        stats.register("proxy", () -> ProxySection.of(proxy.counters()));
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

    /** The Introspect Thrift service's address (the CLIs' {@code --port}). */
    public InetSocketAddress thriftAddress() {
        return thrift == null ? null : thrift.localAddress();
    }

    /** The Introspect service itself, for in-process callers. */
    public AgentIntrospect introspection() {
        return introspection;
    }

    /** Every port, for callers that only read. */
    public List<VmPort> listPorts() {
        return ports == null ? List.of() : ports.list();
    }
}
