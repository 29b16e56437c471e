package io.vrouter.agent.dataplane;

import io.vrouter.agent.config.AgentConfig;
import io.vrouter.agent.dataplane.host.HostIsolation;
import io.vrouter.agent.dataplane.host.LinkLocalFilter;
import io.vrouter.agent.dataplane.host.PortMode;
import io.vrouter.agent.dataplane.host.TcLinkLocalDiversion;
import io.vrouter.agent.dataplane.host.NodeLock;
import io.vrouter.agent.dataplane.host.VhostInterface;
import io.vrouter.agent.dataplane.io.CaptureFilter;
import io.vrouter.agent.dataplane.io.PacketIo;
import io.vrouter.agent.dataplane.kernel.FastPathPorts;
import io.vrouter.agent.dataplane.kernel.KernelFastPath;
import io.vrouter.agent.dataplane.io.PacketIoFactory;
import io.vrouter.agent.dataplane.io.HostPacketIoFactory;
import io.vrouter.agent.dataplane.relay.RelayManager;
import io.vrouter.agent.introspect.StatsRegistry;
import io.vrouter.agent.port.VmPort;
import io.vrouter.flow.FlowTableConfig;
import io.vrouter.linklocal.registry.LinkLocalRegistry;
import io.vrouter.linklocal.registry.LinkLocalService;
import io.vrouter.linklocal.registry.RegistryDiff;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's dataplane on a real host: the vhost veth pair, host isolation, packet I/O per
 * interface, the {@link Dataplane} thread and the link-local service relays, wired to the agent's
 * port events and the link-local registry. The agent makes it from agent.conf
 * ({@link #UserspaceDataplane(DataplaneContext)}); tests give the host settings themselves.
 *
 * <table>
 * <caption>agent.conf → dataplane</caption>
 * <tr><td>VIRTUAL-HOST-INTERFACE.name</td><td>the vhost pair</td></tr>
 * <tr><td>DATAPLANE.internal_address</td><td>the vhost's own /32 (never the fabric {@code ip}: the
 * host's fabric routes are not touched)</td></tr>
 * <tr><td>DATAPLANE.port_mode</td><td>exclusive: nft/tc drop of every guest frame; shared: only
 * link-local frames captured (pcap filter) and kept from the bridge ({@link TcLinkLocalDiversion})</td></tr>
 * <tr><td>METADATA.metadata_proxy_port</td><td>DNAT port of metadata flows</td></tr>
 * <tr><td>FLOWS.max_vm_flows, max_vm_linklocal_flows, max_system_linklocal_flows,
 * flow_cache_timeout</td><td>flow table limits and idle timeout</td></tr>
 * <tr><td>DATAPLANE.route_table</td><td>0: link-local route in main; else that table</td></tr>
 * </table>
 * The nft table is named {@code vrouter_<vhost name>} (one agent per vhost on a host).
 *
 * <h2>Start ({@link #start})</h2>
 * Making one touches nothing on the host. Starting it:
 * <ol>
 *   <li>the node lock for the vhost name ({@link NodeLock}): a second agent with the same vhost
 *       is refused before it touches anything;</li>
 *   <li>host isolation: the agent's nft table is (re)created, wiping a killed agent's leftovers
 *       (tc fallback when nft netdev is unavailable);</li>
 *   <li>the vhost pair is (re)created with its address and link-local route, and its agent end
 *       isolated and opened;</li>
 *   <li>the dataplane thread and the relays start; the registry is followed and the
 *       {@code dataplane} stats section registered.</li>
 * </ol>
 * The metadata proxy is not started here: the agent binds it to the vhost address once this
 * returns (the address exists from then on). A failed start undoes what it did.
 *
 * <h2>Ports</h2>
 * {@link PortAttachments}: the port's capture is opened on the event's thread (so port IPC
 * answers with the capture already there: a guest's first ARP is kept in its ring, not lost),
 * then, on one control thread ({@code dataplane-control}), handed to the dataplane and only then
 * isolated with {@code nft}/{@code tc} on its own thread ({@code dataplane-isolation}: the forked,
 * slow step, neither before the port answers nor in the way of the next port's hand-off). An
 * interface that does not exist yet (nova creates the tap around the same time it calls
 * port-control) is retried every {@value #ATTACH_RETRY_MS} ms up to
 * {@value #ATTACH_ATTEMPTS} times. Removal detaches (the dataplane deletes the port's flows),
 * closes the I/O and releases the isolation.
 *
 * <h2>Services</h2>
 * The dataplane subscribes to the registry at start: each diff updates the relays
 * on the control thread, then hands the new snapshot and the affected service addresses to the
 * dataplane thread, which deletes those flows.
 *
 * <p>Stop ({@link #close}): unsubscribe, stop the dataplane thread, close every I/O, stop the
 * relays, remove the isolation and the vhost pair. Idempotent; also run from a JVM shutdown hook
 * when the process exits without it (a SIGKILL leaves the state for the next start to replace).
 */
public final class UserspaceDataplane implements AgentDataplane {
    /** Delay between attempts to open a port's interface. */
    public static final long ATTACH_RETRY_MS = 500;
    /** Attempts to open a port's interface before giving up (logged). */
    public static final int ATTACH_ATTEMPTS = 60;

    private static final Logger LOG = LoggerFactory.getLogger(UserspaceDataplane.class);

    /**
     * What the host side needs, from agent.conf.
     *
     * @param agentName          names the nft table ({@code [A-Za-z0-9_]})
     * @param vhostName          VIRTUAL-HOST-INTERFACE.name (default vhost0); the agent end is
     *                           {@code <name>-dp}
     * @param vhostIp            VIRTUAL-HOST-INTERFACE.ip
     * @param vhostPrefixLength  prefix length of that address on the vhost
     * @param routeTable         0: link-local route in {@code main}; else a private table used
     *                           with a {@code from vhostIp} rule (several agents on one host)
     * @param portMode           whether guest ports are the agent's alone or shared with a bridge
     * @param kernelFastPath     whether established link-local TCP flows go on the in-kernel fast
     *                           path ({@link KernelFastPath}) where the host allows it
     * @param vhostNapiThread    whether the vhost's kernel end receives in its own NAPI thread
     *                           ({@link VhostInterface}), not in the dataplane thread's sends
     */
    public record HostSettings(String agentName, String vhostName, Inet4Address vhostIp, int vhostPrefixLength,
                               int routeTable, PortMode portMode, boolean kernelFastPath, boolean vhostNapiThread) {
        public HostSettings {
            Objects.requireNonNull(agentName, "agentName");
            Objects.requireNonNull(vhostName, "vhostName");
            Objects.requireNonNull(vhostIp, "vhostIp");
            Objects.requireNonNull(portMode, "portMode");
        }

        /** The vhost receiving in its NAPI thread. */
        public HostSettings(String agentName, String vhostName, Inet4Address vhostIp, int vhostPrefixLength,
                            int routeTable, PortMode portMode, boolean kernelFastPath) {
            this(agentName, vhostName, vhostIp, vhostPrefixLength, routeTable, portMode, kernelFastPath, true);
        }

        /** With the kernel fast path. */
        public HostSettings(String agentName, String vhostName, Inet4Address vhostIp, int vhostPrefixLength,
                            int routeTable, PortMode portMode) {
            this(agentName, vhostName, vhostIp, vhostPrefixLength, routeTable, portMode, true);
        }

        /** Exclusive ports, with the kernel fast path. */
        public HostSettings(String agentName, String vhostName, Inet4Address vhostIp, int vhostPrefixLength,
                            int routeTable) {
            this(agentName, vhostName, vhostIp, vhostPrefixLength, routeTable, PortMode.EXCLUSIVE, true);
        }

        /** The settings of agent.conf's {@code [VIRTUAL-HOST-INTERFACE]} and {@code [DATAPLANE]}. */
        public static HostSettings of(AgentConfig config) {
            AgentConfig.Dataplane dp = config.dataplane();
            String name = config.vhost().name();
            return new HostSettings(UserspaceDataplane.agentName(name), name, dp.internalAddress(), 32,
                    dp.routeTable(), dp.portMode(), dp.kernelFastPath(), dp.vhostNapiThread());
        }
    }

    /** The nft table name for a vhost interface name. */
    static String agentName(String vhostName) {
        return "vrouter_" + vhostName.replaceAll("[^A-Za-z0-9_]", "_");
    }

    /** The flow table settings of agent.conf's {@code [FLOWS]}. */
    static FlowTableConfig flowTable(AgentConfig.Flows flows) {
        int percent = (int) Math.max(1, Math.min(100, Math.round(flows.maxVmFlowsPercent())));
        return FlowTableConfig.builder()
                .maxVmFlowsPercent(percent)
                .maxVmLinkLocalFlows(flows.maxVmLinkLocalFlows())
                .maxSystemLinkLocalFlows(flows.maxSystemLinkLocalFlows())
                .idleTimeoutNs(TimeUnit.SECONDS.toNanos(flows.flowCacheTimeoutSeconds()))
                .newFlowsPerSecond(flows.guards().vmNewFlowRate())
                .newFlowBurst(flows.guards().vmNewFlowBurst())
                .embryonicTimeoutNs(TimeUnit.SECONDS.toNanos(flows.guards().embryonicTimeoutSeconds()))
                .dropTimeoutNs(TimeUnit.SECONDS.toNanos(flows.guards().dropTimeoutSeconds()))
                .build();
    }

    private final HostSettings host;
    private final UnaryOperator<DataplaneConfig.Builder> tuning;
    private final PacketIoFactory ioFactory;
    private final LinkLocalRegistry linklocal;
    private final StatsRegistry stats;
    private final ScheduledExecutorService control;
    private final List<AutoCloseable> subscriptions = new ArrayList<>();
    /** Removes the host state if the JVM exits without {@link #close()} (SIGTERM, a leaked test). */
    private final Thread shutdownHook = new Thread(this::close, "dataplane-shutdown");
    private volatile boolean closed;
    // Set by start(), before any port or service event can reach the control thread.
    private NodeLock nodeLock;
    private HostIsolation isolation;
    /** Guest ports' isolation: {@link #isolation} (exclusive) or the link-local diversion (shared), then the fast path's filter. */
    private HostIsolation portIsolation;
    /** The shared mode's link-local diversion; null in exclusive mode. */
    private HostIsolation diversion;
    /** Null when off or unavailable. */
    private KernelFastPath fastPath;
    private VhostInterface vhost;
    private Dataplane dataplane;
    private RelayManager relays;
    private volatile PortAttachments ports;

    /** The agent's dataplane, from agent.conf, on the host's packet I/O ({@link HostPacketIoFactory}). */
    public UserspaceDataplane(DataplaneContext context) {
        this(HostSettings.of(context.config()), b -> b.metadataProxyPort(context.config().metadata().proxyPort())
                        .flowTable(flowTable(context.config().flows())),
                new HostPacketIoFactory(), context.linklocal(), context.stats());
    }

    /**
     * @param host      host settings
     * @param tuning    dataplane settings on top of the vhost address and MAC (metadata proxy
     *                  port, flow table, queues); receives the builder
     * @param ioFactory packet I/O ({@link HostPacketIoFactory})
     * @param linklocal the services to follow
     * @param stats     where the {@code dataplane} section goes
     */
    public UserspaceDataplane(HostSettings host, UnaryOperator<DataplaneConfig.Builder> tuning,
                              PacketIoFactory ioFactory, LinkLocalRegistry linklocal, StatsRegistry stats) {
        this.host = Objects.requireNonNull(host, "host");
        this.tuning = Objects.requireNonNull(tuning, "tuning");
        this.ioFactory = Objects.requireNonNull(ioFactory, "ioFactory");
        this.linklocal = Objects.requireNonNull(linklocal, "linklocal");
        this.stats = Objects.requireNonNull(stats, "stats");
        this.control = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dataplane-control");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String unavailabilityCause() {
        return ioFactory.unavailabilityCause();
    }

    /**
     * Sets up the host side and starts the dataplane thread; see the class comment.
     *
     * @throws RuntimeException (with everything already done undone) when a host step fails
     */
    @Override
    public synchronized void start() {
        if (dataplane != null || closed) {
            throw new IllegalStateException(closed ? "dataplane closed" : "dataplane already started");
        }
        NodeLock lock = NodeLock.acquire(host.vhostName());
        HostIsolation iso;
        try {
            iso = HostIsolation.detect(host.agentName());
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        VhostInterface vh = null;
        PacketIo vhostIo = null;
        RelayManager rm = null;
        KernelFastPath fp = null;
        try {
            vh = VhostInterface.create(host.vhostName(), host.vhostIp(), host.vhostPrefixLength(), host.routeTable(),
                    host.vhostNapiThread());
            iso.isolate(vh.agentEnd());
            vhostIo = ioFactory.openVhost(vh.agentEnd());
            DataplaneConfig cfg = tuning.apply(DataplaneConfig.builder(host.vhostIp(), vh.kernelMac())).build();
            Dataplane dp = new Dataplane(cfg, vhostIo, System::nanoTime);
            fp = openFastPath(iso, vh, cfg.flowTable().maxSystemLinkLocalFlows());
            if (fp != null) {
                dp.useFastPath(fp);
            }
            rm = new RelayManager(host.vhostIp());
            nodeLock = lock;
            isolation = iso;
            boolean shared = host.portMode() == PortMode.SHARED;
            diversion = shared ? new TcLinkLocalDiversion() : null;
            HostIsolation base = shared ? diversion : iso;
            portIsolation = fp == null ? base : new FastPathPorts(base, fp);
            fastPath = fp;
            vhost = vh;
            relays = rm;
            dataplane = dp;
            CaptureFilter capture = fp != null ? CaptureFilter.program(fp.socketFilterFd(shared))
                    : shared ? CaptureFilter.classic(LinkLocalFilter.socketProgram()) : null;
            ports = new PortAttachments(control, dp, portIsolation, ifName -> ioFactory.open(ifName, capture));
            Runtime.getRuntime().addShutdownHook(shutdownHook);
            dp.start();
        } catch (RuntimeException e) {
            dataplane = null;
            ports = null;
            fastPath = null;
            closeAll(rm, vhostIo, fp, vh, iso, lock);
            throw e;
        }
        subscriptions.add(linklocal.subscribe(this::onRegistryChange));
        subscriptions.add(stats.register("dataplane", this::section));
        LOG.info("userspace dataplane up: vhost {} ({}), port mode {}, isolation {}, kernel fast path {}", vhost.name(),
                host.vhostIp().getHostAddress(), host.portMode().confValue(), portIsolation.mechanism(),
                fastPath == null ? "off" : "on");
    }

    /**
     * The kernel fast path, or null (off in agent.conf, or the host cannot: then every frame takes
     * the agent's path, as before, and a warning says why). Exclusive ports need nftables
     * isolation for it: tc isolation's drop sits at the first tc pref, before the fast path.
     */
    private KernelFastPath openFastPath(HostIsolation iso, VhostInterface vh, int maxLinkLocalFlows) {
        if (!host.kernelFastPath()) {
            LOG.info("kernel fast path off ([DATAPLANE] kernel_fast_path = false)");
            return null;
        }
        if (host.portMode() == PortMode.EXCLUSIVE && !"nft".equals(iso.mechanism())) {
            LOG.warn("kernel fast path off: exclusive ports isolated with {} (not nftables) leave tc no room for it",
                    iso.mechanism());
            return null;
        }
        try {
            // Two directions per link-local pair; beyond the cap a pair stays on the agent's path.
            int entries = (int) Math.min(2L * maxLinkLocalFlows, KernelFastPath.MAX_FLOWS);
            return KernelFastPath.open(vh.name(), entries, LinkLocalFilter.socketProgram());
        } catch (RuntimeException e) {
            LOG.warn("kernel fast path unavailable, every frame takes the agent's path: {}", e.getMessage());
            return null;
        }
    }

    public VhostInterface vhost() {
        return vhost;
    }

    /** fe80::a9fe:ffff scoped to the vhost kernel end (see {@link VhostInterface}). */
    @Override
    public java.net.Inet6Address metadataAddress6() {
        VhostInterface v = vhost;
        if (v == null || !v.hasMetadata6()) {
            return null;
        }
        try {
            byte[] a = java.net.InetAddress.getByName(VhostInterface.METADATA6_ADDRESS).getAddress();
            return java.net.Inet6Address.getByAddress(null, a, java.net.NetworkInterface.getByName(v.name()));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("vhost " + v.name() + " has no IPv6 scope: " + e.getMessage(), e);
        }
    }

    /** The node lock held while running (tests release it to play a killed agent). */
    public NodeLock nodeLock() {
        return nodeLock;
    }

    public Dataplane dataplane() {
        return dataplane;
    }

    public RelayManager relays() {
        return relays;
    }

    /** Counters for tests and logs. */
    public DataplaneStats stats() {
        return dataplane.stats();
    }

    /** The {@code /stats/dataplane} section. */
    DataplaneSection section() {
        return DataplaneSection.of(dataplane.stats(), portIsolation.mechanism(), relays.services());
    }

    // ------------------------------------------------------------------ services

    private void onRegistryChange(RegistryDiff diff) {
        if (closed) {
            return;
        }
        control.execute(() -> applyDiff(diff));
    }

    private void applyDiff(RegistryDiff diff) {
        relays.apply(diff.after());
        List<Long> keys = new ArrayList<>();
        diff.added().forEach(s -> addKey(keys, s));
        diff.removed().forEach(s -> addKey(keys, s));
        diff.changed().forEach(c -> {
            addKey(keys, c.before());
            addKey(keys, c.after());
        });
        long[] affected = keys.stream().mapToLong(Long::longValue).toArray();
        try {
            int deleted = dataplane.updateServices(diff.after(), relays, affected).get(10, TimeUnit.SECONDS);
            LOG.info("link-local services now v{} ({} services, relays {}); {} flows deleted",
                    diff.after().version(), diff.after().size(), relays.services(), deleted);
        } catch (ExecutionException | TimeoutException e) {
            LOG.error("dataplane did not take link-local services v{}: {}", diff.after().version(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void addKey(List<Long> keys, LinkLocalService s) {
        if (s.isIpv4()) {
            keys.add(Dataplane.serviceKey(s.serviceIpv4(), s.servicePort()));
        }
    }

    // ------------------------------------------------------------------ ports (PortObserver)

    @Override
    public void portAdded(VmPort port) {
        if (!closed) {
            started().added(port);
        }
    }

    @Override
    public void portRemoved(VmPort port) {
        if (!closed) {
            started().removed(port);
        }
    }

    private PortAttachments started() {
        PortAttachments a = ports;
        if (a == null) {
            throw new IllegalStateException("port event before the dataplane started");
        }
        return a;
    }

    /** Ports attached to the dataplane (their interface open, handed to the dataplane thread and isolated). */
    public Map<String, VmPort> attachedPorts() {
        PortAttachments a = ports;
        return a == null ? Map.of() : a.attached();
    }

    /**
     * Waits until the control thread has handled every port and service event submitted so far,
     * and the isolation their hand-offs queued behind them (tests, and an orderly start: replay
     * ports, then serve). Retries scheduled for later are not waited for.
     */
    public void awaitControlIdle(long timeout, TimeUnit unit) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        PortAttachments a = ports;
        try {
            // control (hand-offs, and the batch they queue), isolation, control (a failed isolation's undo)
            for (int round = 0; round < 2; round++) {
                control.submit(() -> { }).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                control.submit(() -> { }).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (a != null && !a.awaitIsolationIdle(deadline)) {
                    throw new TimeoutException("port isolation still running after " + timeout + " " + unit);
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            closeAll(subscriptions.toArray(AutoCloseable[]::new));
            subscriptions.clear();
        }
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs (or ran) anyway; close is idempotent
            }
        }
        control.shutdownNow();
        try {
            control.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (dataplane == null) {
            return; // never started, or its start failed and undid itself
        }
        closeAll(ports, dataplane, relays, fastPath, diversion, isolation, vhost, nodeLock);
        LOG.info("userspace dataplane stopped");
    }

    /** Closes each non-null resource in order; one that throws does not stop the others. */
    private static void closeAll(AutoCloseable... resources) {
        for (AutoCloseable r : resources) {
            if (r == null) {
                continue;
            }
            try {
                r.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed: {}", r, e.toString());
            }
        }
    }
}
