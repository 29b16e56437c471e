package io.vrouter.provision.api;

import io.vrouter.linklocal.config.VersionedConfig;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.vrouter.linklocal.config.GlobalVrouterConfig;
import io.vrouter.linklocal.config.LinkLocalServices;
import io.vrouter.provision.auth.Authenticator;
import io.vrouter.provision.store.ConfigStore;
import io.vrouter.provision.store.StoreException;
import java.net.InetSocketAddress;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The config API HTTP server (Netty). Serves the one {@code global-vrouter-config} object of a
 * {@link ConfigStore}; creates it (random UUID, no link-local services) when the store is empty.
 *
 * <table>
 *   <caption>Limits</caption>
 *   <tr><td>{@link #DEFAULT_MAX_BODY_BYTES}</td><td>1 MiB request body (1024 entries of a few
 *       hundred bytes fit easily); larger → 413</td></tr>
 *   <tr><td>{@link #DEFAULT_WORKER_THREADS}</td><td>4 threads for blocking work (password
 *       hashing, fsync, etcd); I/O threads never block</td></tr>
 *   <tr><td>{@link #DEFAULT_IDLE_TIMEOUT_MS}</td><td>330 s without a byte either way closes the
 *       connection (a held watch answers within 300 s)</td></tr>
 *   <tr><td>{@link WatchHub#DEFAULT_MAX_WAITERS}</td><td>concurrent watches; more → 503</td></tr>
 * </table>
 *
 * <p>Use: {@code try (ConfigApiServer s = ConfigApiServer.start(addr, store, auth, ssl)) {...}};
 * the caller keeps ownership of the store.
 */
public final class ConfigApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigApiServer.class);

    public static final int DEFAULT_PORT = 8082;
    public static final String DEFAULT_LISTEN_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_MAX_BODY_BYTES = 1 << 20;
    public static final int DEFAULT_WORKER_THREADS = 4;
    /** Longer than the longest watch (300 s), so only abandoned or stalled connections are cut. */
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 330_000;

    private final EventLoopGroup boss;
    private final EventLoopGroup io;
    private final EventExecutorGroup workers;
    private final Channel serverChannel;
    private final ChannelGroup connections;
    private final AutoCloseable storeWatch;
    private final WatchHub hub;
    private final InetSocketAddress bound;
    private final boolean tls;

    private ConfigApiServer(EventLoopGroup boss, EventLoopGroup io, EventExecutorGroup workers,
            Channel serverChannel, ChannelGroup connections, AutoCloseable storeWatch, WatchHub hub, boolean tls) {
        this.boss = boss;
        this.io = io;
        this.workers = workers;
        this.serverChannel = serverChannel;
        this.connections = connections;
        this.storeWatch = storeWatch;
        this.hub = hub;
        this.bound = (InetSocketAddress) serverChannel.localAddress();
        this.tls = tls;
    }

    /**
     * Makes sure the object exists, then binds and serves.
     *
     * @param sslContext server TLS context, or {@code null} for plain HTTP
     * @throws StoreException when the store cannot be read or the object created
     * @throws InterruptedException when interrupted while binding
     */
    public static ConfigApiServer start(InetSocketAddress listen, ConfigStore store, Authenticator auth,
            SslContext sslContext) throws StoreException, InterruptedException {
        return start(listen, store, auth, sslContext, DEFAULT_IDLE_TIMEOUT_MS);
    }

    static ConfigApiServer start(InetSocketAddress listen, ConfigStore store, Authenticator auth,
            SslContext sslContext, long idleTimeoutMs) throws StoreException, InterruptedException {
        VersionedConfig initial = store.createIfAbsent(new GlobalVrouterConfig(
                UUID.randomUUID().toString(), GlobalVrouterConfig.DEFAULT_FQ_NAME, LinkLocalServices.EMPTY));
        WatchHub hub = new WatchHub(WatchHub.DEFAULT_MAX_WAITERS);
        AutoCloseable storeWatch = store.watch(hub);
        hub.offer(initial);
        EventLoopGroup boss = new NioEventLoopGroup(1);
        EventLoopGroup io = new NioEventLoopGroup(2);
        EventExecutorGroup workers = new DefaultEventExecutorGroup(DEFAULT_WORKER_THREADS);
        String defaultHost = listen.getAddress().isAnyLocalAddress() ? "127.0.0.1" : listen.getHostString();
        ConfigApiHandler handler = new ConfigApiHandler(store, hub, auth, sslContext != null,
                defaultHost.contains(":") ? "[" + defaultHost + "]:" + listen.getPort() : defaultHost + ":" + listen.getPort());
        ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        try {
            Channel ch = new ServerBootstrap()
                    .group(boss, io)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            connections.add(c);
                            ChannelPipeline p = c.pipeline();
                            if (sslContext != null) {
                                p.addLast(sslContext.newHandler(c.alloc()));
                            }
                            p.addLast(new IdleStateHandler(0, 0, idleTimeoutMs, TimeUnit.MILLISECONDS));
                            p.addLast(new HttpServerCodec());
                            p.addLast(new JsonObjectAggregator(DEFAULT_MAX_BODY_BYTES));
                            p.addLast(workers, handler);
                        }
                    })
                    .bind(listen).sync().channel();
            ConfigApiServer s = new ConfigApiServer(boss, io, workers, ch, connections, storeWatch, hub, sslContext != null);
            LOG.info("config-api serving {} on {}://{} (auth {}), object uuid {} at revision {}",
                    store.describe(), s.tls ? "https" : "http", s.bound.getHostString() + ":" + s.port(), auth.enabled() ? "on" : "OFF",
                    initial.config().uuid(), initial.revision());
            if (!auth.enabled()) {
                LOG.warn("authentication is OFF: anyone who can connect may change link-local services"
                        + " (give a credentials file to switch it on)");
            }
            return s;
        } catch (RuntimeException | InterruptedException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            io.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            closeQuietly(storeWatch);
            throw e;
        }
    }

    /** The address actually bound (the port is real even when 0 was asked for). */
    public InetSocketAddress address() {
        return bound;
    }

    public int port() {
        return bound.getPort();
    }

    public boolean tls() {
        return tls;
    }

    /** Watches currently held (for tests and introspection). */
    public int watchesWaiting() {
        return hub.waiting();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        closeQuietly(storeWatch);
        // Close connections while every executor still runs, so pipelines tear down cleanly.
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        // Workers first: a request still running there writes its answer back through the I/O
        // loop, which must outlive it (else Netty logs RejectedExecutionException on close).
        workers.shutdownGracefully(50, 1000, TimeUnit.MILLISECONDS).syncUninterruptibly();
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.debug("closing store watch failed", e);
        }
    }
}
