package io.vrouter.agent;

import io.netty.channel.EventLoopGroup;
import io.vrouter.agent.config.AgentConfig;
import io.vrouter.agent.introspect.IntrospectServer;
import io.vrouter.agent.introspect.NettyTransport;
import io.vrouter.agent.introspect.StatsRegistry;
import io.vrouter.agent.port.FilePortStore;
import io.vrouter.agent.port.InterfaceChecker;
import io.vrouter.agent.port.PortInstanceDirectory;
import io.vrouter.agent.port.PortIpcServer;
import io.vrouter.agent.port.PortJson;
import io.vrouter.agent.port.PortRegistry;
import io.vrouter.agent.port.VmPort;
import io.vrouter.linklocal.config.ConfigValidationException;
import io.vrouter.linklocal.config.LinkLocalJson;
import io.vrouter.linklocal.config.LinkLocalServices;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
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
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One compute node's agent: owns the lifecycle of every component and starts them in an order
 * in which each finds what it needs already running.
 *
 * <ol>
 *   <li>state-directory lock ({@code ports_dir/.agent.lock}, a kernel lock: a second agent on
 *       the same state is refused, a SIGKILL'd one leaves nothing that blocks a restart)</li>
 *   <li>link-local services (file, or the built-in default)</li>
 *   <li>port table; the instance directory and the dataplane as its observers</li>
 *   <li>ports replayed from disk (observers hear each one)</li>
 *   <li>dataplane started (unless {@code [DATAPLANE] enabled = false})</li>
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
        DataplaneProvider dataplane;

        /** How port IPC checks that a {@code system-name} exists (default: /sys/class/net). */
        public Options interfaces(InterfaceChecker v) {
            interfaces = Objects.requireNonNull(v);
            return this;
        }

        /** The dataplane to use instead of looking one up with ServiceLoader. */
        public Options dataplane(DataplaneProvider v) {
            dataplane = v;
            return this;
        }
    }

    private final AgentConfig config;
    private final Options options;
    private final long startedAtMs = System.currentTimeMillis();
    private final StatsRegistry stats = new StatsRegistry();
    private final PortInstanceDirectory directory = new PortInstanceDirectory();
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private volatile LinkLocalServices services = LinkLocalServices.EMPTY;
    private volatile String servicesSource = "(none)";
    private PortRegistry ports;
    private PortIpcServer portIpc;
    private IntrospectServer introspect;
    private Dataplane dataplane;
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

        loadServices();

        ports = new PortRegistry(store, options.interfaces);
        ports.addObserver(directory);
        if (config.dataplane().enabled()) {
            DataplaneProvider provider = findDataplane();
            dataplane = provider.create(new DataplaneContext(config, () -> services, ports, directory, stats));
            started.push(dataplane);
            ports.addObserver(dataplane);
            LOG.info("dataplane: {}", provider.name());
        } else {
            LOG.warn("[DATAPLANE] enabled = false: proxy-only mode, no guest packets are captured");
        }
        ports.replay();
        if (dataplane != null) {
            dataplane.start();
        }

        EventLoopGroup group = NettyTransport.newGroup(1, "agent-local-http");
        started.push(() -> group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly());
        portIpc = PortIpcServer.start(new InetSocketAddress(options.localHost, general.portIpcPort()), group, ports);
        started.push(portIpc);

        registerStats();
        Map<String, Supplier<?>> pages = new LinkedHashMap<>();
        pages.put("/ports", () -> ports.list().stream().map(PortJson::toJson).toList());
        pages.put("/linklocal", () -> Map.of("source", servicesSource, "linklocal_services", services));
        introspect = IntrospectServer.start(new InetSocketAddress(options.localHost, general.introspectPort()),
                group, stats, pages);
        started.push(introspect);
        LOG.info("agent started: port IPC {}, introspect {}, {} port(s), {} link-local service(s)",
                portIpc.localAddress(), introspect.localAddress(), ports.size(), services.entries().size());
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

    private void loadServices() throws IOException, ConfigValidationException {
        AgentConfig.LinkLocal ll = config.linklocal();
        if (ll.usesConfigApi()) {
            throw new IOException("[LINKLOCAL] config_api_url is set, but this build has no config API client yet;"
                    + " use services_file");
        }
        String json;
        if (ll.servicesFile() != null) {
            json = Files.readString(ll.servicesFile(), StandardCharsets.UTF_8);
            servicesSource = ll.servicesFile().toString();
        } else {
            try (InputStream in = ComputeNodeAgent.class.getResourceAsStream(BUILT_IN_SERVICES)) {
                if (in == null) {
                    throw new IOException("built-in link-local services " + BUILT_IN_SERVICES + " missing from the classpath");
                }
                json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            servicesSource = "(built-in default)";
        }
        try {
            services = LinkLocalJson.parseLinkLocalServices(json);
        } catch (ConfigValidationException e) {
            throw new ConfigValidationException(List.of(new io.vrouter.linklocal.config.FieldError(
                    servicesSource, e.getMessage())));
        }
        for (var entry : services.entries()) {
            LOG.info("link-local service {}", entry);
        }
    }

    private DataplaneProvider findDataplane() {
        DataplaneProvider provider = options.dataplane;
        if (provider == null) {
            for (DataplaneProvider p : ServiceLoader.load(DataplaneProvider.class)) {
                provider = p;
                break;
            }
        }
        if (provider == null) {
            throw new IllegalStateException("[DATAPLANE] enabled = true, but this build has no dataplane"
                    + " implementation; set [DATAPLANE] enabled = false for proxy-only mode");
        }
        String cause = provider.unavailabilityCause();
        if (cause != null) {
            throw new IllegalStateException("dataplane " + provider.name() + " cannot run on this host: " + cause
                    + " (set [DATAPLANE] enabled = false for proxy-only mode)");
        }
        return provider;
    }

    private void registerStats() {
        Map<String, Object> fixed = new LinkedHashMap<>();
        fixed.put("pid", ProcessHandle.current().pid());
        fixed.put("transport", NettyTransport.epoll() ? "epoll" : "nio");
        fixed.put("dataplane", dataplane != null);
        fixed.put("jvm", ManagementFactory.getRuntimeMXBean().getVmVersion());
        stats.register("agent", () -> {
            Map<String, Object> m = new LinkedHashMap<>(fixed);
            m.put("uptime_seconds", (System.currentTimeMillis() - startedAtMs) / 1000);
            return m;
        });
        stats.register("ports", ports::stats);
        stats.register("linklocal", () -> Map.of("source", servicesSource, "services", services.entries().size()));
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

    public LinkLocalServices linkLocalServices() {
        return services;
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
