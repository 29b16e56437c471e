package io.vrouter.agent.dataplane.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays TCP connections accepted on the vhost address to one link-local service's fabric
 * addresses: round robin over the addresses per connection, and on a connect failure the next
 * address, until every address was tried (then the guest's connection is closed). Bytes are
 * copied unchanged both ways with back-pressure (a side reads only while the other side can
 * take more), and half-close is passed through (a guest that shuts down its sending side still
 * gets the whole answer).
 *
 * <table>
 * <caption>Limits</caption>
 * <tr><th>limit</th><th>default</th></tr>
 * <tr><td>connect timeout per fabric address</td><td>{@value #DEFAULT_CONNECT_TIMEOUT_MS} ms</td></tr>
 * </table>
 *
 * <p>Thread-safe: runs on the Netty event loops it is given; {@link #setTargets} may be called
 * from any thread and applies to the next connection.
 */
public final class TcpRelay implements AutoCloseable {
    public static final int DEFAULT_CONNECT_TIMEOUT_MS = 2000;

    private static final Logger LOG = LoggerFactory.getLogger(TcpRelay.class);

    private final String name;
    private final EventLoopGroup group;
    private final Channel server;
    private final AtomicLong next = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong connectFailures = new AtomicLong();
    private volatile List<InetSocketAddress> targets;

    private TcpRelay(String name, EventLoopGroup group, Channel server, List<InetSocketAddress> targets) {
        this.name = name;
        this.group = group;
        this.server = server;
        this.targets = targets;
    }

    /**
     * Binds {@code bindAddress}:ephemeral and starts relaying to {@code targets}.
     *
     * @throws InterruptedException while binding
     * @throws RelayException       when the address cannot be bound
     */
    public static TcpRelay start(String name, InetAddress bindAddress, List<InetSocketAddress> targets,
                                 EventLoopGroup group) throws InterruptedException {
        TcpRelay[] self = new TcpRelay[1];
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(self[0].new GuestSide());
                    }
                });
        ChannelFuture f = b.bind(new InetSocketAddress(bindAddress, 0)).await();
        if (!f.isSuccess()) {
            throw new RelayException("TCP relay " + name + ": cannot bind " + bindAddress.getHostAddress()
                    + ": " + f.cause().getMessage(), f.cause());
        }
        self[0] = new TcpRelay(name, group, f.channel(), List.copyOf(targets));
        LOG.info("TCP relay {} on {} -> {}", name, f.channel().localAddress(), targets);
        return self[0];
    }

    /** The listening port on the vhost address. */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public void setTargets(List<InetSocketAddress> targets) {
        this.targets = List.copyOf(targets);
    }

    public List<InetSocketAddress> targets() {
        return targets;
    }

    public long connections() {
        return connections.get();
    }

    public long connectFailures() {
        return connectFailures.get();
    }

    @Override
    public void close() {
        server.close().awaitUninterruptibly();
    }

    /** The accepted connection from a guest (through the dataplane's NAT). */
    private final class GuestSide extends ChannelInboundHandlerAdapter {
        private Channel upstream;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            connections.incrementAndGet();
            List<InetSocketAddress> t = targets;
            if (t.isEmpty()) {
                ctx.close();
                return;
            }
            int start = (int) Math.floorMod(next.getAndIncrement(), (long) t.size());
            connect(ctx.channel(), t, start, 0);
        }

        private void connect(Channel guest, List<InetSocketAddress> t, int start, int attempt) {
            InetSocketAddress target = t.get((start + attempt) % t.size());
            Bootstrap b = new Bootstrap()
                    .group(guest.eventLoop())
                    .channel(NioSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, DEFAULT_CONNECT_TIMEOUT_MS)
                    .handler(new Pipe(guest));
            b.connect(target).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    upstream = f.channel();
                    guest.pipeline().addLast(new Pipe(upstream));
                    guest.pipeline().remove(this);
                    guest.read();
                    upstream.read();
                } else if (attempt + 1 < t.size() && guest.isActive()) {
                    connectFailures.incrementAndGet();
                    LOG.warn("relay {}: {} unreachable ({}), trying the next address", name, target,
                            f.cause().getMessage());
                    connect(guest, t, start, attempt + 1);
                } else {
                    connectFailures.incrementAndGet();
                    LOG.warn("relay {}: no fabric address reachable (last {}: {})", name, target, f.cause().getMessage());
                    guest.close();
                }
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (upstream != null) {
                upstream.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Copies what one side reads to {@code peer}; reads more once the write is done. */
    private static final class Pipe extends ChannelInboundHandlerAdapter {
        private final Channel peer;

        Pipe(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            peer.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    ctx.channel().read();
                } else {
                    f.channel().close();
                    ctx.close();
                }
            });
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                // This side finished sending: finish the other direction once written.
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                    if (peer instanceof DuplexChannel d && peer.isActive()) {
                        d.shutdownOutput();
                    }
                });
                if (ctx.channel() instanceof DuplexChannel d && d.isOutputShutdown()) {
                    ctx.close();
                }
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (peer.isActive()) {
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    @Override
    public String toString() {
        return "TcpRelay[" + name + " :" + port() + " -> " + targets + "]";
    }
}
