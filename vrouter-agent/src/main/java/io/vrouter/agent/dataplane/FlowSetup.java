package io.vrouter.agent.dataplane;

import io.vrouter.agent.dataplane.relay.RelayDirectory;
import io.vrouter.agent.port.InterfaceIndexAllocator;
import io.vrouter.drop.DropReason;
import io.vrouter.flow.FlowAction;
import io.vrouter.flow.FlowFlags;
import io.vrouter.flow.FlowKey;
import io.vrouter.flow.FlowResult;
import io.vrouter.flow.FlowSnapshot;
import io.vrouter.flow.FlowTable;
import io.vrouter.linklocal.registry.LinkLocalService;
import io.vrouter.linklocal.registry.RegistrySnapshot;
import io.vrouter.packet.Ipv4;
import io.vrouter.packet.Ipv6;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's flow set-up policy: what a new guest flow (a HOLD entry) becomes. Runs on the
 * dataplane thread after the cycle's frames, which is why packets can queue in HOLD. It only
 * reads in-memory state (the service snapshot, the relay directory, the port table), so it never
 * blocks.
 *
 * <p>The service is looked up by (destination IP, destination port) in the registry snapshot:
 * <ul>
 *   <li>none: the flow becomes a DROP flow ({@link DropReason#NO_SERVICE}), so retries are
 *       dropped in the fast path until it ages out;</li>
 *   <li>{@code metadata} over anything but TCP: DROP ({@link DropReason#NO_SERVICE}); the
 *       metadata service is HTTP, and a UDP flow would reach whatever listens on the proxy's
 *       address and port over UDP on the host;</li>
 *   <li>{@code metadata}: reverse flow {@code (vhost, vhostIp:proxyPort -> metadataIp:sport)}, so
 *       the forward flow SNATs the source to the port's metadata IP (port kept) and DNATs to
 *       {@code vhostIp:metadata_proxy_port};</li>
 *   <li>any other service: the same with the service's relay port (TCP or UDP) on the vhost
 *       address ({@link RelayDirectory}); no relay: {@link DropReason#SERVICE_UNAVAILABLE}.</li>
 * </ul>
 * An IPv6 flow is set up only for the {@code metadata6} service ({@link
 * RegistrySnapshot#metadata6Service()}, fe80::a9fe:a9fe) over TCP: reverse flow
 * {@code (vhost, [fe80::a9fe:ffff]:proxyPort -> [fe80::a9fe:XXYY]:sport)}, the port's IPv6
 * metadata source ({@link io.vrouter.agent.port.InterfaceIndexAllocator}); anything else over
 * IPv6 is {@link DropReason#NO_SERVICE} (the service relays are IPv4 sockets).
 * A port gone before set-up gives {@link DropReason#UNKNOWN_INTERFACE}, a port without a
 * metadata IP {@link DropReason#NO_METADATA_IP}. Flows are marked LINK_LOCAL and counted against
 * the link-local limits by the table. Installing the reverse flow releases the held packets
 * through the table's held-packet sink (the {@link Dataplane}).
 *
 * <p>When its inputs change, the flows they decided are deleted ({@link #use}, {@link
 * #forgetInterface}), so their next packet is set up again with the new state.
 *
 * <p>New flows are deferred ({@link #defer}) into a fixed array of the table's HOLD limit and set
 * up together ({@link #runDeferred}): no allocation per flow. Dataplane thread only.
 */
final class FlowSetup {
    private static final Logger LOG = LoggerFactory.getLogger(FlowSetup.class);

    private final FlowTable<byte[]> table;
    private final PortTable ports;
    private final DataplaneCounters counters;
    private final int vhostIp;
    private final int metadataProxyPort;
    private final FlowKey reverseKey = new FlowKey();
    private final FlowSnapshot snap = new FlowSnapshot();
    private final long[] deferred;
    private int deferredCount;
    private RegistrySnapshot services = RegistrySnapshot.EMPTY;
    private RelayDirectory relays = RelayDirectory.none();
    /** The metadata6 service's address (low 64 bits; the high ones must be fe80::) and port; port -1: none. */
    private long metadata6Hi;
    private long metadata6Lo;
    private int metadata6Port = -1;

    FlowSetup(DataplaneConfig config, FlowTable<byte[]> table, PortTable ports, DataplaneCounters counters) {
        this.table = table;
        this.ports = ports;
        this.counters = counters;
        this.vhostIp = config.vhostIpInt();
        this.metadataProxyPort = config.metadataProxyPort();
        this.deferred = new long[config.flowTable().maxHoldFlows()];
    }

    /**
     * The services and relays new flows are set up with from now on; the flows towards the
     * {@code affected} service addresses are deleted, so their next packet is set up again.
     *
     * @param affected sorted {@link Dataplane#serviceKey}s
     * @return flows deleted
     */
    int use(RegistrySnapshot snapshot, RelayDirectory relayDirectory, long[] affected) {
        this.services = snapshot;
        this.relays = relayDirectory;
        LinkLocalService m6 = snapshot.metadata6Service();
        long hi = 0;
        long lo = 0;
        int port = -1;
        if (m6 != null) {
            ByteBuffer a = ByteBuffer.wrap(m6.serviceAddress().getAddress());
            hi = a.getLong();
            lo = a.getLong();
            port = m6.servicePort();
        }
        // IPv6 flows are all towards metadata6: when it moved, came or went, they all go.
        boolean v6Changed = hi != metadata6Hi || lo != metadata6Lo || port != metadata6Port;
        metadata6Hi = hi;
        metadata6Lo = lo;
        metadata6Port = port;
        return deleteForwardFlows(s -> s.isIpv6() ? v6Changed
                : Arrays.binarySearch(affected, Dataplane.serviceKey(s.dip(), s.dport())) >= 0);
    }

    /** Whether the IPv6 address is the metadata6 service's (a guest's NS for it is answered). */
    boolean isMetadata6(long hi, long lo) {
        return metadata6Port >= 0 && hi == metadata6Hi && lo == metadata6Lo;
    }

    /** Deletes the flows of a guest interface (its port is gone). @return flows deleted */
    int forgetInterface(int nh) {
        return deleteForwardFlows(s -> s.nh() == nh);
    }

    /**
     * Deletes every forward flow (with its reverse) matching {@code which}. Walks the table's
     * active list from the end, so the cost is the number of flows, not the capacity (a port
     * removal must not stall every guest's packets for a scan of 512K entries).
     */
    private int deleteForwardFlows(Predicate<FlowSnapshot> which) {
        int deleted = 0;
        for (int p = table.size() - 1; p >= 0; p = Math.min(p - 1, table.size() - 1)) {
            int i = table.activeIndex(p);
            if (table.read(i, snap) && (snap.flags() & FlowFlags.REVERSE) == 0 && which.test(snap)
                    && table.delete(snap.handle())) {
                deleted++;
            }
        }
        return deleted;
    }

    /** Queues the new HOLD flow {@code h} for set-up; a full queue is set up first. */
    void defer(long h, long now) {
        if (deferredCount == deferred.length) {
            runDeferred(now);
        }
        deferred[deferredCount++] = h;
    }

    /** Sets up every deferred flow. @return flows set up (or found gone) */
    int runDeferred(long now) {
        int n = deferredCount;
        for (int i = 0; i < n; i++) {
            setUp(deferred[i], now);
        }
        deferredCount = 0;
        return n;
    }

    private void setUp(long h, long now) {
        if (!table.read(h, snap) || snap.action() != FlowAction.HOLD) {
            return; // deleted (port removed, service change) or aged before set-up
        }
        counters.count(DataplaneCounters.FLOW_SETUPS);
        PortState p = ports.byIndex(snap.nh());
        if (p == null) {
            table.setDrop(h, DropReason.UNKNOWN_INTERFACE);
            return;
        }
        if (p.metadataIp() == 0) {
            table.setDrop(h, DropReason.NO_METADATA_IP);
            return;
        }
        if (snap.isIpv6()) {
            setUp6(h, p, now);
            return;
        }
        LinkLocalService svc = services.lookup(snap.dip(), snap.dport());
        if (svc == null) {
            table.setDrop(h, DropReason.NO_SERVICE);
            return;
        }
        if (svc.isMetadata() && snap.proto() != Ipv4.PROTO_TCP) {
            table.setDrop(h, DropReason.NO_SERVICE); // metadata is HTTP: nothing of the host's is reached over UDP
            return;
        }
        int targetPort = svc.isMetadata() ? metadataProxyPort : relays.relayPort(svc.name(), snap.proto());
        if (targetPort == RelayDirectory.NONE) {
            table.setDrop(h, DropReason.SERVICE_UNAVAILABLE);
            return;
        }
        reverseKey.set(Dataplane.VHOST_INTERFACE_ID, snap.proto(), vhostIp, p.metadataIp(), targetPort, snap.sport());
        install(h, now);
    }

    /** An IPv6 flow: metadata6 over TCP, NAT'd to the proxy's IPv6 address on the vhost. */
    private void setUp6(long h, PortState p, long now) {
        int d = snap.dip();
        if (snap.proto() != Ipv4.PROTO_TCP || snap.dport() != metadata6Port
                || !isMetadata6(table.ipv6High(d), table.ipv6Low(d))) {
            table.setDrop(h, DropReason.NO_SERVICE);
            return;
        }
        reverseKey.set6(Dataplane.VHOST_INTERFACE_ID, Ipv4.PROTO_TCP, Ipv6.LINK_LOCAL_HI,
                InterfaceIndexAllocator.VHOST_METADATA6_LO, Ipv6.LINK_LOCAL_HI, p.metadataIp6Lo(), metadataProxyPort,
                snap.sport());
        install(h, now);
    }

    /** Installs {@link #reverseKey} as flow {@code h}'s NAT partner; the newer flow wins a taken key. */
    private void install(long h, long now) {
        long r = table.installReverse(h, reverseKey, FlowAction.NAT, FlowFlags.LINK_LOCAL, now);
        if (r == FlowResult.EXISTS) {
            // An older pair holds this reverse key (same guest port to another service that maps
            // to the same target): the newer flow wins.
            long old = table.lookup(reverseKey);
            if (FlowResult.isHandle(old)) {
                table.delete(old);
            }
            r = table.installReverse(h, reverseKey, FlowAction.NAT, FlowFlags.LINK_LOCAL, now);
        }
        if (!FlowResult.isHandle(r) && FlowResult.dropReason(r) == null && table.isLive(h)) {
            LOG.warn("flow set-up for {} failed: {}", snap, FlowResult.describe(r));
            table.setDrop(h, DropReason.POLICY);
        }
    }
}
