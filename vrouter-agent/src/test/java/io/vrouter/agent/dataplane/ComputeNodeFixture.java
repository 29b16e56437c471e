package io.vrouter.agent.dataplane;

import io.vrouter.agent.dataplane.io.HostPacketIoFactory;
import io.vrouter.agent.netns.Guest;
import io.vrouter.agent.netns.NetnsHarness;
import io.vrouter.agent.introspect.StatsRegistry;
import io.vrouter.agent.port.InMemoryPortStore;
import io.vrouter.agent.port.InterfaceChecker;
import io.vrouter.agent.port.PortInstanceDirectory;
import io.vrouter.agent.port.PortRegistry;
import io.vrouter.agent.port.PortRequest;
import io.vrouter.agent.port.VmPort;
import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.LinkLocalServices;
import io.vrouter.linklocal.novastandin.NovaMetadataStandIn;
import io.vrouter.linklocal.novastandin.StandInInstance;
import io.vrouter.linklocal.proxy.MetadataProxy;
import io.vrouter.linklocal.proxy.MetadataProxyConfig;
import io.vrouter.linklocal.proxy.MetadataUpstreams;
import io.vrouter.linklocal.registry.LinkLocalRegistry;
import io.vrouter.linklocal.registry.LinkLocalService;
import io.vrouter.flow.FlowTableConfig;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A whole compute node in one test process, over real namespaces and pcap: the nova stand-in on
 * 127.0.0.1, the link-local registry, the agent's port registry (the port-control code path),
 * the userspace dataplane on a unique vhost pair, and the metadata proxy on the vhost address.
 * Guests are namespaces added with {@link #addGuest}. Everything is removed by {@link #close()}.
 */
final class ComputeNodeFixture implements AutoCloseable {
    static final String SECRET = "s3cr3t-shared";
    static final int PROXY_PORT = 8097;
    private static final AtomicInteger VHOST_SEQ = new AtomicInteger();

    final NetnsHarness harness = NetnsHarness.create();
    final NovaMetadataStandIn nova = new NovaMetadataStandIn(SECRET);
    final LinkLocalRegistry registry = LinkLocalRegistry.builder().build();
    final PortRegistry ports = new PortRegistry(new InMemoryPortStore(), InterfaceChecker.sysfs());
    final PortInstanceDirectory directory = new PortInstanceDirectory();
    final UserspaceDataplane dataplane;
    final MetadataProxy proxy;
    final Inet4Address vhostIp;
    /** The vhost pair's kernel end; the agent end is {@code <name>-dp}. */
    final String vhostName;
    /** The dataplane's nft table ({@code netdev}): its host isolation in exclusive mode. */
    final String agentName;
    private final List<LinkLocalServiceEntry> entries = new ArrayList<>();
    private final AtomicInteger guestSeq = new AtomicInteger();

    /**
     * A node for an end-to-end test class, or the class skipped (with a WARNING) where
     * namespaces or libpcap are unavailable.
     */
    static ComputeNodeFixture startOrSkip() throws Exception {
        NetnsHarness.assumeAvailable();
        if (!io.vrouter.agent.dataplane.io.PcapSupport.isAvailable()) {
            System.err.println("WARNING: libpcap unavailable, end-to-end test SKIPPED: "
                    + io.vrouter.agent.dataplane.io.PcapSupport.unavailabilityCause());
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(io.vrouter.agent.dataplane.io.PcapSupport.isAvailable(),
                "libpcap unavailable");
        return new ComputeNodeFixture();
    }

    ComputeNodeFixture() throws Exception {
        this(io.vrouter.agent.dataplane.host.PortMode.EXCLUSIVE);
    }

    /** A node whose guest ports are attached in {@code mode}, with the kernel fast path where the host has it. */
    ComputeNodeFixture(io.vrouter.agent.dataplane.host.PortMode mode) throws Exception {
        this(mode, true);
    }

    /** A node whose guest ports are attached in {@code mode}, with or without the kernel fast path. */
    ComputeNodeFixture(io.vrouter.agent.dataplane.host.PortMode mode, boolean kernelFastPath) throws Exception {
        try {
            InetSocketAddress novaAddr = nova.start(InetAddress.getLoopbackAddress(), 0);
            entries.add(new LinkLocalServiceEntry("metadata", "169.254.169.254", 80, null, novaAddr.getPort(),
                    List.of("127.0.0.1")));
            registry.apply(new LinkLocalServices(entries), "test").get(5, TimeUnit.SECONDS);
            long pid = ProcessHandle.current().pid();
            int n = VHOST_SEQ.incrementAndGet();
            vhostIp = (Inet4Address) InetAddress.getByAddress(new byte[] {
                (byte) 198, (byte) (18 + (pid >> 16 & 1)), (byte) (pid >> 8), (byte) ((pid + n * 7) | 1)});
            vhostName = NetnsHarness.uniqueIfName("v");
            harness.deleteLinkOnClose(vhostName);
            agentName = NetnsHarness.uniqueAgentName();
            harness.deleteNftTableOnClose("netdev", agentName);
            int table = 5000 + (int) ((pid * 31 + n) % 20000);
            dataplane = new UserspaceDataplane(
                    new UserspaceDataplane.HostSettings(agentName, vhostName, vhostIp, 32, table, mode, kernelFastPath),
                    b -> b.metadataProxyPort(PROXY_PORT).flowTable(FlowTableConfig.builder().capacity(16384).build()),
                    new HostPacketIoFactory(), registry, new StatsRegistry());
            dataplane.start();
            ports.addObserver(directory);
            ports.addObserver(dataplane);
            proxy = new MetadataProxy(MetadataProxyConfig.builder().bindAddress(vhostIp).port(PROXY_PORT)
                    .sharedSecret(SECRET).build(), directory, this::metadataUpstreams);
            proxy.start();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    private List<InetSocketAddress> metadataUpstreams() {
        LinkLocalService md = registry.snapshot().metadataService();
        if (md == null) {
            return List.of();
        }
        List<InetSocketAddress> out = new ArrayList<>();
        for (InetAddress a : md.fabricAddresses()) {
            out.add(new InetSocketAddress(a, md.fabricPort()));
        }
        return out;
    }

    /** A guest VM: nova knows its instance, port-control registered its port. */
    record Vm(Guest guest, VmPort port, StandInInstance instance) {
        HostResult curl(String path) {
            var r = guest.exec(Duration.ofSeconds(20), "curl", "-s", "-m", "10", "-w", "\n%{http_code}",
                    "http://169.254.169.254" + path);
            String out = r.stdout();
            int nl = out.lastIndexOf('\n');
            return new HostResult(r.exitCode(), nl < 0 ? "" : out.substring(0, nl), nl < 0 ? out : out.substring(nl + 1));
        }
    }

    record HostResult(int exitCode, String body, String status) {
    }

    /**
     * Serves metadata6 as well: the entry {@code fe80::a9fe:a9fe:80} (to the same nova) and the
     * proxy's IPv6 listener on the vhost ({@code [fe80::a9fe:ffff%vhost]}), as the agent opens it.
     */
    void enableMetadata6() throws Exception {
        entries.add(new LinkLocalServiceEntry("metadata6", "fe80::a9fe:a9fe", 80, null, nova.address().getPort(),
                List.of("127.0.0.1")));
        registry.apply(new LinkLocalServices(entries), "test").get(5, TimeUnit.SECONDS);
        dataplane.awaitControlIdle(10, TimeUnit.SECONDS);
        proxy.listenAlso(new InetSocketAddress(dataplane.metadataAddress6(), PROXY_PORT));
    }

    /** Adds a guest with {@code ip}/24 (gateway .1) on a virtual network of its own. */
    Vm addGuest(String ip) throws Exception {
        return addGuest(ip, null);
    }

    /**
     * {@link #addGuest(String)} with the port's {@code ip6-address} ({@code null}: port IPC's
     * "None"); IPv6 in the guest is the test's to set up.
     */
    Vm addGuest(String ip, String ip6) throws Exception {
        int n = guestSeq.incrementAndGet();
        String mac = String.format("02:%02x:%02x:00:00:%02x", n >> 8 & 0xff, n & 0xff, 3);
        String prefix = ip.substring(0, ip.lastIndexOf('.'));
        Guest g = harness.guest(NetnsHarness.uniqueIfName("g"), ip + "/24", prefix + ".1", mac);
        String uuid = UUID.randomUUID().toString();
        String project = UUID.randomUUID().toString();
        StandInInstance inst = StandInInstance.of(uuid, project.replace("-", ""), "vm" + n);
        nova.addInstance(inst);
        PortRequest req = new PortRequest(UUID.randomUUID().toString(), uuid, UUID.randomUUID().toString(), project,
                "vm" + n, (Inet4Address) InetAddress.getByName(ip), ip6, 0, g.hostIf(), mac.toLowerCase(Locale.ROOT),
                -1, -1);
        VmPort port = ports.add(req).port();
        return new Vm(g, port, inst);
    }

    /** Waits until the dataplane attached every port added so far. */
    void awaitAttached() throws Exception {
        dataplane.awaitControlIdle(30, TimeUnit.SECONDS);
    }

    /** Replaces the link-local services (metadata kept) and waits until the dataplane has them. */
    void setExtraServices(List<LinkLocalServiceEntry> extra) throws Exception {
        List<LinkLocalServiceEntry> all = new ArrayList<>(entries); // metadata (and metadata6) kept
        all.addAll(extra);
        registry.apply(new LinkLocalServices(all), "test").get(5, TimeUnit.SECONDS);
        // apply() completes after the listeners ran: the diff is already on the control thread
        dataplane.awaitControlIdle(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (proxy != null) {
            proxy.close();
        }
        if (dataplane != null) {
            dataplane.close();
        }
        registry.close();
        nova.close();
        harness.close();
    }
}
