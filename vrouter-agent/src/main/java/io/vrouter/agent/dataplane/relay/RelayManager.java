package io.vrouter.agent.dataplane.relay;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.vrouter.linklocal.registry.LinkLocalService;
import io.vrouter.linklocal.registry.RegistrySnapshot;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent-local relays of the non-metadata link-local services: a {@link TcpRelay} and a
 * {@link UdpRelay} per IPv4 service with at least one fabric address, listening on the vhost
 * address. {@link #apply} brings the set in line with a registry snapshot: relays of new services
 * start, relays of services gone (or left without addresses) stop, and a changed service keeps
 * its relays (and ports) with the new fabric addresses.
 *
 * <p>Thread-safe: {@link #apply} and {@link #close} are serialized; {@link #relayPort} (the
 * dataplane thread) reads a concurrent map and never blocks.
 */
public final class RelayManager implements RelayDirectory, AutoCloseable {
    /** Event-loop threads shared by all relays. */
    public static final int DEFAULT_THREADS = 1;

    private static final Logger LOG = LoggerFactory.getLogger(RelayManager.class);

    private record Pair(TcpRelay tcp, UdpRelay udp) {
    }

    private final InetAddress bindAddress;
    private final EventLoopGroup group;
    private final Map<String, Pair> relays = new ConcurrentHashMap<>();
    private boolean closed;

    public RelayManager(InetAddress bindAddress) {
        this.bindAddress = bindAddress;
        this.group = new NioEventLoopGroup(DEFAULT_THREADS, new DefaultThreadFactory("linklocal-relay", true));
    }

    /**
     * Starts, retargets and stops relays to match {@code snapshot}. A relay that cannot start is
     * logged and skipped (its service's flows then drop as SERVICE_UNAVAILABLE); the others are
     * still applied.
     */
    public synchronized void apply(RegistrySnapshot snapshot) {
        if (closed) {
            return;
        }
        Map<String, List<InetSocketAddress>> wanted = new java.util.HashMap<>();
        for (LinkLocalService s : snapshot.services()) {
            if (s.isMetadata() || !s.isIpv4() || !s.isResolved()) {
                continue;
            }
            List<InetSocketAddress> targets = new ArrayList<>();
            for (InetAddress a : s.fabricAddresses()) {
                targets.add(new InetSocketAddress(a, s.fabricPort()));
            }
            wanted.put(s.name(), targets);
        }
        for (String name : List.copyOf(relays.keySet())) {
            if (!wanted.containsKey(name)) {
                Pair p = relays.remove(name);
                p.tcp.close();
                p.udp.close();
                LOG.info("relays of {} stopped", name);
            }
        }
        for (Map.Entry<String, List<InetSocketAddress>> e : wanted.entrySet()) {
            Pair p = relays.get(e.getKey());
            if (p != null) {
                p.tcp.setTargets(e.getValue());
                p.udp.setTargets(e.getValue());
                continue;
            }
            TcpRelay tcp = null;
            try {
                tcp = TcpRelay.start(e.getKey(), bindAddress, e.getValue(), group);
                UdpRelay udp = UdpRelay.start(e.getKey(), bindAddress, e.getValue(), group);
                relays.put(e.getKey(), new Pair(tcp, udp));
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                if (tcp != null) {
                    tcp.close();
                }
                return;
            } catch (RelayException re) {
                LOG.error("{}", re.getMessage());
                if (tcp != null) {
                    tcp.close();
                }
            }
        }
    }

    @Override
    public int relayPort(String serviceName, int protocol) {
        Pair p = relays.get(serviceName);
        if (p == null) {
            return NONE;
        }
        return protocol == 6 ? p.tcp.port() : protocol == 17 ? p.udp.port() : NONE;
    }

    /** Names of the services with running relays. */
    public java.util.Set<String> services() {
        return java.util.Set.copyOf(relays.keySet());
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        relays.values().forEach(p -> {
            p.tcp.close();
            p.udp.close();
        });
        relays.clear();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
