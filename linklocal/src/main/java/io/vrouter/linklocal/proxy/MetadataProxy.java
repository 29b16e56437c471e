package io.vrouter.linklocal.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's metadata proxy: guests' requests to 169.254.169.254:80 arrive here (DNAT'd to
 * the vhost address : {@code metadata_proxy_port}, source SNAT'd to the VM interface's
 * metadata IP), are attributed to a VM by that source address alone, signed, and forwarded to
 * nova. See {@link MetadataProxyConfig} for the limits and {@link RejectReason} for every
 * answer the proxy gives itself.
 *
 * <pre>{@code
 * MetadataProxy proxy = new MetadataProxy(config, directory, upstreams);
 * InetSocketAddress bound = proxy.start();
 * ... proxy.counters() ...
 * proxy.close();
 * }</pre>
 *
 * Lifecycle: {@link #start()} once, {@link #close()} once (idempotent). Thread-safe.
 */
public final class MetadataProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataProxy.class);

    private final MetadataProxyConfig config;
    private final VmAdmission admission;
    private final ProxyCounters counters = new ProxyCounters();
    private final ProxyLog log;
    private final MetadataTrace trace = new MetadataTrace();
    private final UpstreamBalancer balancer;
    private final TokenGate tokens;
    private final Map<EventLoop, UpstreamClient> clients = new IdentityHashMap<>();
    private EventLoopGroup group;
    private Channel serverChannel;
    /** The listening bootstrap, for {@link #listenAlso}; and the extra listeners it made. */
    private ServerBootstrap bootstrap;
    private final java.util.List<Channel> extraChannels = new java.util.ArrayList<>();
    private String transport = "none";
    private boolean closed;

    /** Tokens keyed at random (they last until {@link #close()}); every interface in the node's token mode. */
    public MetadataProxy(MetadataProxyConfig config, InstanceDirectory directory, MetadataUpstreams upstreams) {
        this(config, directory, upstreams, MetadataTokens.withRandomKey(), MetadataTokenPolicy.NODE);
    }

    /**
     * @param tokens      issues and checks the IMDSv2 tokens (its key decides whether they survive a restart)
     * @param tokenPolicy interfaces whose token mode differs from {@link MetadataProxyConfig#tokenMode()}
     */
    public MetadataProxy(MetadataProxyConfig config, InstanceDirectory directory, MetadataUpstreams upstreams,
                         MetadataTokens tokens, MetadataTokenPolicy tokenPolicy) {
        this.config = Objects.requireNonNull(config, "config");
        this.admission = new VmAdmission(config, Objects.requireNonNull(directory, "directory"));
        this.log = new ProxyLog(config);
        this.tokens = new TokenGate(tokens, config.tokenMode(), tokenPolicy);
        this.balancer = new UpstreamBalancer(Objects.requireNonNull(upstreams, "upstreams"),
                TimeUnit.MILLISECONDS.toNanos(config.upstreamDownMs()));
    }

    /**
     * Binds and starts serving.
     *
     * @return the bound address (with the real port when {@code port} was 0)
     * @throws IOException when the address cannot be bound or the TLS material cannot be read
     */
    public synchronized InetSocketAddress start() throws IOException {
        if (group != null || closed) {
            throw new IllegalStateException("start() may be called once");
        }
        SslContext ssl = buildSslContext(config.tls());
        boolean epoll = config.preferNativeTransport() && Epoll.isAvailable();
        Class<? extends ServerChannel> serverClass;
        Class<? extends SocketChannel> clientClass;
        DefaultThreadFactory tf = new DefaultThreadFactory("metadata-proxy", true);
        if (epoll) {
            group = new EpollEventLoopGroup(config.ioThreads(), tf);
            serverClass = EpollServerSocketChannel.class;
            clientClass = EpollSocketChannel.class;
            transport = "epoll";
            LOG.info("metadata proxy: epoll transport, {} threads", config.ioThreads());
        } else {
            group = new NioEventLoopGroup(config.ioThreads(), tf);
            serverClass = NioServerSocketChannel.class;
            clientClass = NioSocketChannel.class;
            transport = "NIO";
            LOG.info("metadata proxy: NIO transport, {} threads ({})", config.ioThreads(),
                    config.preferNativeTransport() ? "epoll unavailable: " + Epoll.unavailabilityCause()
                            : "native transport disabled by configuration");
        }
        // Shared by the loops' clients: its caches (signed identity headers, Host values) are concurrent.
        RequestRewriter rewriter = new RequestRewriter(new InstanceSigner(config.sharedSecret()),
                config.stripProjectIdDashes());
        for (EventExecutor e : group) {
            EventLoop loop = (EventLoop) e;
            clients.put(loop, new UpstreamClient(loop, clientClass, config, balancer, rewriter, counters, ssl));
        }
        ServerBootstrap sb = new ServerBootstrap().group(group).channel(serverClass)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // A guest's SHUT_WR after its request must not lose the response (GuestHandler closes after it).
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initGuestPipeline(ch.pipeline());
                    }
                });
        try {
            serverChannel = sb.bind(new InetSocketAddress(config.bindAddress(), config.port())).sync().channel();
        } catch (Exception e) {
            shutdownGroup();
            throw new IOException("metadata proxy cannot listen on " + config.bindAddress().getHostAddress()
                    + ":" + config.port() + ": " + e.getMessage(), e);
        }
        bootstrap = sb;
        InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
        LOG.info("metadata proxy listening on {}", bound);
        return bound;
    }

    /**
     * Listens on one more address with the same pipeline, loops and limits: the agent's IPv6
     * listener {@code [fe80::a9fe:ffff%vhost0]} for metadata6 beside the IPv4 vhost address.
     * Guests are identified by source address on every listener alike.
     *
     * @return the address bound (port resolved)
     * @throws IllegalStateException when not started or closed
     * @throws IOException           when the address cannot be bound
     */
    public synchronized InetSocketAddress listenAlso(InetSocketAddress address) throws IOException {
        if (bootstrap == null || closed) {
            throw new IllegalStateException("metadata proxy not running");
        }
        Channel ch;
        try {
            ch = bootstrap.bind(address).sync().channel();
        } catch (Exception e) {
            throw new IOException("metadata proxy cannot listen on " + address + ": " + e.getMessage(), e);
        }
        extraChannels.add(ch);
        LOG.info("metadata proxy also listening on {}", ch.localAddress());
        return (InetSocketAddress) ch.localAddress();
    }

    /** The guest-side pipeline; package-private so handler tests build the same one. */
    void initGuestPipeline(ChannelPipeline p) {
        GuestHandler guest = new GuestHandler(config, counters, log, trace, tokens, admission, balancer,
                clients.get(p.channel().eventLoop()));
        p.addLast("readTimer", new RequestReadTimer(config.requestReadTimeoutMs(),
                () -> guest.slowRequest(p.context(guest))));
        p.addLast("idle", new IdleStateHandler(0, 0, config.idleTimeoutMs(), TimeUnit.MILLISECONDS));
        // HttpServerCodec's two halves, the encoder told by GuestHandler when it answers HEAD.
        p.addLast("codec", new GuestRequestDecoder(config.maxInitialLineLength(), config.maxHeaderSize(),
                MetadataProxyConfig.GUEST_DECODER_CHUNK_SIZE));
        p.addLast("encoder", new GuestResponseEncoder());
        p.addLast("aggregator", new GuestAggregator(config.maxRequestBodyBytes()));
        p.addLast("guest", guest);
    }

    static SslContext buildSslContext(TlsSettings tls) throws IOException {
        if (!tls.enabled()) {
            return null;
        }
        try {
            SslContextBuilder b = SslContextBuilder.forClient();
            if (tls.insecure()) {
                LOG.warn("metadata proxy: TLS to nova WITHOUT server verification (insecure explicitly configured)");
                b.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else if (tls.caCert() != null) {
                b.trustManager(tls.caCert().toFile());
            }
            if (tls.clientCert() != null) {
                b.keyManager(tls.clientCert().toFile(), tls.clientKey().toFile());
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IOException("metadata proxy TLS settings unusable (" + tls + "): " + e.getMessage(), e);
        }
    }

    /** A snapshot of the counters (cheap; for the introspect). */
    public ProxyCountersSnapshot counters() {
        return counters.snapshot();
    }

    /** The per-VM request trace and counters (read from any thread). */
    public MetadataTrace trace() {
        return trace;
    }

    /**
     * Whether requests avoid this fabric address now (a connect to it failed within
     * {@code upstream_down_ms}); such an address is still tried, last.
     */
    public boolean isUpstreamDown(InetSocketAddress fabric) {
        return balancer.isDown(fabric, System.nanoTime());
    }

    /** "epoll" or "NIO" once started ("none" before). */
    public synchronized String transport() {
        return transport;
    }

    /** The bound address, or null before {@link #start()}. */
    public synchronized InetSocketAddress localAddress() {
        return serverChannel == null ? null : (InetSocketAddress) serverChannel.localAddress();
    }

    /** Stops listening, closes every connection and waits (bounded) for the threads to end. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        for (Channel ch : extraChannels) {
            ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        for (Map.Entry<EventLoop, UpstreamClient> e : clients.entrySet()) {
            e.getKey().execute(e.getValue()::close);
        }
        shutdownGroup();
    }

    private void shutdownGroup() {
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
