package io.vrouter.agent.dataplane;

import io.vrouter.agent.dataplane.host.HostIsolation;
import io.vrouter.agent.dataplane.host.VhostInterface;
import io.vrouter.agent.dataplane.io.PacketIo;
import io.vrouter.agent.dataplane.io.PacketIoFactory;
import io.vrouter.agent.dataplane.relay.RelayManager;
import io.vrouter.agent.port.PortObserver;
import io.vrouter.agent.port.VmPort;
import io.vrouter.linklocal.registry.LinkLocalRegistry;
import io.vrouter.linklocal.registry.LinkLocalService;
import io.vrouter.linklocal.registry.RegistryDiff;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's userspace dataplane on a real host: the vhost veth pair, host isolation, packet
 * I/O per interface, the {@link Dataplane} thread and the link-local service relays, wired to
 * the agent's port events ({@link PortObserver}) and the link-local registry.
 *
 * <h2>Start ({@link #start})</h2>
 * <ol>
 *   <li>host isolation: the agent's nft table is (re)created, wiping a killed agent's leftovers
 *       (tc fallback when nft netdev is unavailable);</li>
 *   <li>the vhost pair is (re)created with its address and link-local route, and its agent end
 *       isolated and opened;</li>
 *   <li>the dataplane thread and the relays start.</li>
 * </ol>
 * The metadata proxy is not started here: the agent binds it to {@link #vhostAddress()} once
 * this returns (the address exists from then on).
 *
 * <h2>Ports</h2>
 * Port events are handled on one control thread ({@code dataplane-control}) so the port-IPC
 * thread never waits for {@code nft} or libpcap: isolate the port's {@code system-name}, open
 * it, attach it to the dataplane. An interface that does not exist yet (nova creates the tap
 * around the same time it calls port-control) is retried every {@value #ATTACH_RETRY_MS} ms up
 * to {@value #ATTACH_ATTEMPTS} times. Removal detaches (the dataplane deletes the port's flows),
 * closes the I/O and releases the isolation.
 *
 * <h2>Services</h2>
 * {@link #attach(LinkLocalRegistry)} subscribes to the registry: each diff updates the relays
 * on the control thread, then hands the new snapshot and the affected service addresses to the
 * dataplane thread, which deletes those flows.
 *
 * <p>Stop ({@link #close}): unsubscribe, stop the dataplane thread, close every I/O, stop the
 * relays, remove the isolation and the vhost pair. Idempotent; also run from a JVM shutdown hook
 * when the process exits without it (a SIGKILL leaves the state for the next start to replace).
 */
public final class UserspaceDataplane implements PortObserver, AutoCloseable {
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
     */
    public record HostSettings(String agentName, String vhostName, Inet4Address vhostIp, int vhostPrefixLength,
                               int routeTable) {
        public HostSettings {
            Objects.requireNonNull(agentName, "agentName");
            Objects.requireNonNull(vhostName, "vhostName");
            Objects.requireNonNull(vhostIp, "vhostIp");
        }
    }

    private final HostSettings host;
    private final HostIsolation isolation;
    private final VhostInterface vhost;
    private final Dataplane dataplane;
    private final RelayManager relays;
    private final PacketIoFactory ioFactory;
    private final ScheduledExecutorService control;
    private final Map<String, VmPort> attached = new ConcurrentHashMap<>();
    /** The latest port event per port id: a retry only goes on while its port is still wanted. */
    private final Map<String, VmPort> wanted = new ConcurrentHashMap<>();
    private final List<LinkLocalRegistry.Subscription> subscriptions = new ArrayList<>();
    /** Removes the host state if the JVM exits without {@link #close()} (SIGTERM, a leaked test). */
    private final Thread shutdownHook = new Thread(this::close, "dataplane-shutdown");
    private volatile boolean closed;

    private UserspaceDataplane(HostSettings host, HostIsolation isolation, VhostInterface vhost, Dataplane dataplane,
                               RelayManager relays, PacketIoFactory ioFactory) {
        this.host = host;
        this.isolation = isolation;
        this.vhost = vhost;
        this.dataplane = dataplane;
        this.relays = relays;
        this.ioFactory = ioFactory;
        this.control = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dataplane-control");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Sets up the host side and starts the dataplane thread.
     *
     * @param host      host settings
     * @param tuning    dataplane settings on top of the vhost address and MAC (metadata proxy
     *                  port, flow table, queues); receives the builder
     * @param ioFactory packet I/O ({@code PcapPacketIo.factory()})
     * @throws RuntimeException (with everything already done undone) when a host step fails
     */
    public static UserspaceDataplane start(HostSettings host, Function<DataplaneConfig.Builder, DataplaneConfig.Builder> tuning,
                                           PacketIoFactory ioFactory) {
        HostIsolation isolation = HostIsolation.detect(host.agentName());
        VhostInterface vhost = null;
        PacketIo vhostIo = null;
        RelayManager relays = null;
        try {
            vhost = VhostInterface.create(host.vhostName(), host.vhostIp(), host.vhostPrefixLength(), host.routeTable());
            isolation.isolate(vhost.agentEnd());
            vhostIo = ioFactory.openVhost(vhost.agentEnd());
            DataplaneConfig cfg = tuning.apply(DataplaneConfig.builder(host.vhostIp(), vhost.kernelMac())).build();
            Dataplane dp = new Dataplane(cfg, vhostIo, System::nanoTime);
            relays = new RelayManager(host.vhostIp());
            UserspaceDataplane u = new UserspaceDataplane(host, isolation, vhost, dp, relays, ioFactory);
            Runtime.getRuntime().addShutdownHook(u.shutdownHook);
            dp.start();
            LOG.info("userspace dataplane up: vhost {} ({}), isolation {}", vhost.name(),
                    host.vhostIp().getHostAddress(), isolation.mechanism());
            return u;
        } catch (RuntimeException e) {
            if (relays != null) {
                relays.close();
            }
            if (vhostIo != null) {
                vhostIo.close();
            }
            if (vhost != null) {
                vhost.close();
            }
            isolation.close();
            throw e;
        }
    }

    /** The vhost address, where the metadata proxy should listen. */
    public Inet4Address vhostAddress() {
        return host.vhostIp();
    }

    public VhostInterface vhost() {
        return vhost;
    }

    public Dataplane dataplane() {
        return dataplane;
    }

    public RelayManager relays() {
        return relays;
    }

    public HostIsolation isolation() {
        return isolation;
    }

    /** Counters for introspect. */
    public DataplaneStats stats() {
        return dataplane.stats();
    }

    // ------------------------------------------------------------------ services

    /** Follows {@code registry}: relays and flows track every change (starting with the current set). */
    public synchronized void attach(LinkLocalRegistry registry) {
        subscriptions.add(registry.subscribe(this::onRegistryChange));
    }

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
            wanted.put(port.id(), port);
            control.execute(() -> attachPort(port, 1));
        }
    }

    @Override
    public void portRemoved(VmPort port) {
        if (!closed) {
            wanted.remove(port.id(), port);
            control.execute(() -> detachPort(port));
        }
    }

    /** Ports attached to the dataplane (their interface open and isolated). */
    public Map<String, VmPort> attachedPorts() {
        return Map.copyOf(attached);
    }

    private void attachPort(VmPort port, int attempt) {
        if (closed || wanted.get(port.id()) != port) {
            return; // removed or replaced since this attempt was queued
        }
        VmPort old = attached.get(port.id());
        if (old != null && !old.systemName().equals(port.systemName())) {
            detachPort(old);
        }
        PacketIo io = null;
        try {
            isolation.isolate(port.systemName());
            io = ioFactory.open(port.systemName());
            dataplane.addPort(port, io).get(10, TimeUnit.SECONDS);
            attached.put(port.id(), port);
        } catch (ExecutionException e) {
            // The dataplane refused the port (bad MAC, index clash): retrying cannot help.
            LOG.error("port {} ({}) not attached: {}", port.id(), port.systemName(), e.getCause().getMessage());
            io.close();
            isolation.release(port.systemName());
        } catch (RuntimeException | TimeoutException e) {
            if (io != null) {
                io.close();
            }
            if (attempt < ATTACH_ATTEMPTS) {
                if (attempt == 1) {
                    LOG.warn("port {}: cannot attach {} yet ({}); retrying", port.id(), port.systemName(), e.getMessage());
                }
                control.schedule(() -> attachPort(port, attempt + 1), ATTACH_RETRY_MS, TimeUnit.MILLISECONDS);
            } else {
                LOG.error("port {}: gave up attaching {} after {} attempts: {}", port.id(), port.systemName(),
                        attempt, e.getMessage());
                isolation.release(port.systemName());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void detachPort(VmPort port) {
        try {
            PacketIo io = dataplane.removePort(port.id()).get(10, TimeUnit.SECONDS);
            if (io != null) {
                io.close();
            }
        } catch (ExecutionException | TimeoutException e) {
            LOG.error("port {}: detach failed: {}", port.id(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        attached.remove(port.id());
        isolation.release(port.systemName());
    }

    /**
     * Waits until the control thread has handled every port and service event submitted so far
     * (tests, and an orderly start: replay ports, then serve).
     */
    public void awaitControlIdle(long timeout, TimeUnit unit) throws InterruptedException, TimeoutException {
        try {
            control.submit(() -> { }).get(timeout, unit);
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
            subscriptions.forEach(LinkLocalRegistry.Subscription::close);
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
        dataplane.close();
        relays.close();
        isolation.close();
        vhost.close();
        LOG.info("userspace dataplane stopped");
    }
}
