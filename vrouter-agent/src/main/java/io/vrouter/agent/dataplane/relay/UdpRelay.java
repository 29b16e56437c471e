package io.vrouter.agent.dataplane.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays UDP datagrams received on the vhost address to one link-local service's fabric
 * addresses. Each guest source (its metadata IP and port, as the dataplane's NAT presents it)
 * gets a session: an upstream socket connected to one fabric address (round robin per session),
 * so answers find their way back and are sent to the guest from the relay's address. UDP has
 * no connect to fail, so spreading is per session; a guest's retry after the session idles out
 * goes to the next address.
 *
 * <table>
 * <caption>Limits</caption>
 * <tr><th>limit</th><th>default</th><th>at the limit</th></tr>
 * <tr><td>sessions</td><td>{@value #DEFAULT_MAX_SESSIONS}</td><td>the least recently used
 * session is closed</td></tr>
 * <tr><td>session idle timeout</td><td>{@value #DEFAULT_SESSION_IDLE_SECONDS} s</td><td>closed
 * by a sweep every few seconds</td></tr>
 * </table>
 *
 * <p>Thread model: everything runs on the relay's one event loop (the listening channel's), so
 * the session map needs no lock.
 */
public final class UdpRelay implements AutoCloseable {
    public static final int DEFAULT_MAX_SESSIONS = 4096;
    public static final int DEFAULT_SESSION_IDLE_SECONDS = 60;

    private static final Logger LOG = LoggerFactory.getLogger(UdpRelay.class);

    private final String name;
    private final EventLoopGroup group;
    private final InetAddress bindAddress;
    private Channel server;
    private final AtomicLong next = new AtomicLong();
    private final AtomicLong datagrams = new AtomicLong();
    private final Map<InetSocketAddress, Session> sessions = new LinkedHashMap<>(16, 0.75f, true);
    private volatile List<InetSocketAddress> targets;

    private UdpRelay(String name, EventLoopGroup group, InetAddress bindAddress, List<InetSocketAddress> targets) {
        this.name = name;
        this.group = group;
        this.bindAddress = bindAddress;
        this.targets = List.copyOf(targets);
    }

    /**
     * Binds {@code bindAddress}:ephemeral and starts relaying.
     *
     * @throws RelayException when the address cannot be bound
     */
    public static UdpRelay start(String name, InetAddress bindAddress, List<InetSocketAddress> targets,
                                 EventLoopGroup group) throws InterruptedException {
        UdpRelay r = new UdpRelay(name, group, bindAddress, targets);
        ChannelFuture f = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(r.new FromGuest())
                .bind(new InetSocketAddress(bindAddress, 0)).await();
        if (!f.isSuccess()) {
            throw new RelayException("UDP relay " + name + ": cannot bind " + bindAddress.getHostAddress()
                    + ": " + f.cause().getMessage(), f.cause());
        }
        r.server = f.channel();
        r.server.eventLoop().scheduleAtFixedRate(r::sweep, 5, 5, TimeUnit.SECONDS);
        LOG.info("UDP relay {} on {} -> {}", name, r.server.localAddress(), targets);
        return r;
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public void setTargets(List<InetSocketAddress> targets) {
        this.targets = List.copyOf(targets);
    }

    public long datagrams() {
        return datagrams.get();
    }

    /** Open sessions (any thread; approximate). */
    public int sessionCount() {
        return sessions.size();
    }

    private void sweep() {
        long cutoff = System.nanoTime() - TimeUnit.SECONDS.toNanos(DEFAULT_SESSION_IDLE_SECONDS);
        for (Iterator<Session> it = sessions.values().iterator(); it.hasNext(); ) {
            Session s = it.next();
            if (s.lastUsedNs - cutoff < 0) {
                it.remove();
                s.channel.close();
            }
        }
    }

    @Override
    public void close() {
        if (server == null) {
            return;
        }
        server.eventLoop().execute(() -> {
            sessions.values().forEach(s -> s.channel.close());
            sessions.clear();
        });
        server.close().awaitUninterruptibly();
    }

    private final class Session {
        final InetSocketAddress guest;
        final Channel channel;
        final ChannelFuture bound;
        final int start;
        long lastUsedNs = System.nanoTime();

        Session(InetSocketAddress guest, Channel channel, ChannelFuture bound, int start) {
            this.guest = guest;
            this.channel = channel;
            this.bound = bound;
            this.start = start;
        }

        InetSocketAddress target() {
            List<InetSocketAddress> t = targets;
            return t.isEmpty() ? null : t.get(start % t.size());
        }
    }

    private final class FromGuest extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
            datagrams.incrementAndGet();
            InetSocketAddress guest = p.sender();
            Session s = sessions.get(guest);
            if (s == null) {
                if (targets.isEmpty()) {
                    return;
                }
                if (sessions.size() >= DEFAULT_MAX_SESSIONS) {
                    Iterator<Session> lru = sessions.values().iterator();
                    lru.next().channel.close();
                    lru.remove();
                }
                s = open(ctx, guest);
                if (s == null) {
                    return;
                }
            }
            s.lastUsedNs = System.nanoTime();
            InetSocketAddress target = s.target();
            if (target == null) {
                return;
            }
            DatagramPacket out = new DatagramPacket(p.content().retain(), target);
            Session session = s;
            if (session.bound.isDone()) {
                session.channel.writeAndFlush(out);
            } else {
                // the session's socket is still binding: send once it is bound
                session.bound.addListener(f -> {
                    if (f.isSuccess()) {
                        session.channel.writeAndFlush(out);
                    } else {
                        out.release();
                    }
                });
            }
        }

        private Session open(ChannelHandlerContext ctx, InetSocketAddress guest) {
            Session[] holder = new Session[1];
            ChannelFuture f = new Bootstrap().group(ctx.channel().eventLoop()).channel(NioDatagramChannel.class)
                    .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext c, DatagramPacket answer) {
                            Session s = holder[0];
                            if (s != null && server.isActive()) {
                                s.lastUsedNs = System.nanoTime();
                                server.writeAndFlush(new DatagramPacket(answer.content().retain(), s.guest));
                            }
                        }

                        @Override
                        public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
                            LOG.debug("relay {}: upstream socket: {}", name, cause.toString());
                        }
                    })
                    .bind(new InetSocketAddress(0));
            if (f.isDone() && !f.isSuccess()) {
                LOG.warn("relay {}: cannot open an upstream socket: {}", name, f.cause().getMessage());
                return null;
            }
            int start = (int) Math.floorMod(next.getAndIncrement(), (long) Math.max(1, targets.size()));
            Session s = new Session(guest, f.channel(), f, start);
            f.addListener(done -> {
                if (!done.isSuccess()) {
                    LOG.warn("relay {}: cannot open an upstream socket: {}", name, done.cause().getMessage());
                    sessions.remove(guest, s);
                }
            });
            holder[0] = s;
            sessions.put(guest, s);
            return s;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("relay {}: {}", name, cause.toString());
        }
    }

    @Override
    public String toString() {
        return "UdpRelay[" + name + " :" + port() + " -> " + targets + "]";
    }
}
