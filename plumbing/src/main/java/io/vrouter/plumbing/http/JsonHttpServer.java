package io.vrouter.plumbing.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 server answering JSON: port IPC, introspect and the config API are each one
 * of these with their own {@link Handler} (usually a {@link Router}). Every error of every
 * endpoint is an {@link ErrorBody}. Binds with {@code SO_REUSEADDR}, so a restarted process
 * binds again at once even with connections of a killed one in TIME_WAIT.
 *
 * <table>
 *   <caption>Limits</caption>
 *   <tr><th>limit</th><th>default</th><th>when hit</th></tr>
 *   <tr><td>request body ({@link #builder})</td><td>given; {@value #DEFAULT_MAX_BODY_BYTES} bytes is typical</td>
 *       <td>413 (the connection is kept when the client waits for 100-continue or keeps alive
 *       and the body has not been sent yet, else closed)</td></tr>
 *   <tr><td>request line / all headers</td><td>{@value #MAX_INITIAL_LINE_BYTES} / {@value #MAX_HEADER_BYTES}
 *       bytes (Netty's {@code HttpObjectDecoder})</td><td>400, connection closed</td></tr>
 *   <tr><td>idle connection ({@link Builder#idleTimeout})</td><td>{@value #DEFAULT_IDLE_SECONDS} s without
 *       a byte either way</td><td>closed; a long-poll server sets it above its longest hold</td></tr>
 *   <tr><td>listen backlog</td><td>{@value #BACKLOG}</td><td>the kernel refuses connections</td></tr>
 * </table>
 *
 * <p>Use: {@code JsonHttpServer.builder(name, bind, maxBodyBytes, router).eventLoop(group).start()}.
 *
 * <p>Threads: I/O (and TLS) on an event loop group, given or the server's own ({@link HttpTransport}:
 * epoll where available). The {@link HttpAuth} and the {@link Handler} run on that loop, or on the
 * server's blocking-work executor when {@link Builder#blockingThreads} asks for one (fsync, password
 * hashing, etcd). A {@link Deferred} answer holds no thread.
 */
public final class JsonHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JsonHttpServer.class);
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    public static final int DEFAULT_IDLE_SECONDS = 60;
    public static final int MAX_INITIAL_LINE_BYTES = 4096;
    public static final int MAX_HEADER_BYTES = 8192;
    public static final int BACKLOG = 1024;

    /** The default mapper: java.time as ISO-8601 strings, indented (operators read it with curl). */
    public static final ObjectMapper DEFAULT_MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final String name;
    private final Channel channel;
    private final Runnable stop;

    private JsonHttpServer(String name, Channel channel, Runnable stop) {
        this.name = name;
        this.channel = channel;
        this.stop = stop;
    }

    /**
     * @param name         for logs and thread names, e.g. {@code "port IPC"}
     * @param maxBodyBytes the request body limit (larger: 413)
     */
    public static Builder builder(String name, InetSocketAddress bind, int maxBodyBytes, Handler handler) {
        return new Builder(name, bind, maxBodyBytes, handler);
    }

    /** The options of one server, each with its default. */
    public static final class Builder {
        /** The four required settings; the others come from the fields below when the server starts. */
        private final Settings base;
        private EventLoopGroup group;
        private int ioThreads = 1;
        private int blockingThreads;
        private String blockingThreadName;
        private Duration idleTimeout = Duration.ofSeconds(DEFAULT_IDLE_SECONDS);
        private SslContext ssl;
        private HttpAuth auth;
        private ObjectMapper mapper = DEFAULT_MAPPER;

        private Builder(String name, InetSocketAddress bind, int maxBodyBytes, Handler handler) {
            this.base = new Settings(name, bind, maxBodyBytes, handler, null, null, null, null);
        }

        /** Shares an event loop group (the caller shuts it down); by default the server has its own. */
        public Builder eventLoop(EventLoopGroup shared) { group = shared; return this; }

        /** Threads of the server's own event loop group (default 1). */
        public Builder ioThreads(int threads) { ioThreads = threads; return this; }

        /** Runs auth and handler on an executor of this many threads named {@code threadName-N}. */
        public Builder blockingThreads(int threads, String threadName) {
            blockingThreads = threads;
            blockingThreadName = threadName;
            return this;
        }

        /** Default {@value #DEFAULT_IDLE_SECONDS} s; a long-poll server sets it above its longest hold. */
        public Builder idleTimeout(Duration timeout) { idleTimeout = timeout; return this; }

        /** Serves TLS with this context; null (the default) is plain HTTP. */
        public Builder tls(SslContext context) { ssl = context; return this; }

        /** Authenticates every request before routing; by default none. */
        public Builder auth(HttpAuth hook) { auth = hook; return this; }

        /** How bodies are written; by default {@link #DEFAULT_MAPPER}. */
        public Builder mapper(ObjectMapper jsonMapper) { mapper = jsonMapper; return this; }

        Settings settings() {
            return new Settings(base.name(), base.bind(), base.maxBodyBytes(), base.handler(), idleTimeout, ssl, auth, mapper);
        }

        /**
         * Binds and starts serving.
         *
         * @throws IOException naming this server and the address when it cannot be bound
         *         (in use, not a local address)
         */
        public JsonHttpServer start() throws IOException, InterruptedException {
            Settings s = settings();
            EventLoopGroup ownGroup = group == null ? HttpTransport.newGroup(ioThreads, s.name().replace(' ', '-') + "-io") : null;
            EventExecutorGroup workers = blockingThreads == 0 ? null
                    : new DefaultEventExecutorGroup(blockingThreads, new DefaultThreadFactory(blockingThreadName, true));
            ChannelGroup connections = new DefaultChannelGroup(s.name(), GlobalEventExecutor.INSTANCE);
            ServerBootstrap b = new ServerBootstrap()
                    .group(group == null ? ownGroup : group)
                    .channel(HttpTransport.serverChannel())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .option(ChannelOption.SO_BACKLOG, BACKLOG)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            connections.add(ch);
                            s.initPipeline(ch, workers);
                        }
                    });
            Channel ch;
            try {
                ch = b.bind(s.bind()).sync().channel();
            } catch (Exception e) {
                shutdown(workers, ownGroup);
                if (e instanceof InterruptedException ie) {
                    throw ie;
                }
                // Netty's BindException says "Address already in use" but not which address or why.
                throw new IOException(s.name() + ": cannot listen on " + s.bind() + ": " + e.getMessage(), e);
            }
            LOG.info("{} listening on {}{} ({})", s.name(), ssl == null ? "" : "TLS ", ch.localAddress(), HttpTransport.describe());
            return new JsonHttpServer(s.name(), ch, () -> {
                connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
                shutdown(workers, ownGroup);
            });
        }
    }

    /** Everything a connection's pipeline needs, fixed when the server starts. */
    record Settings(String name, InetSocketAddress bind, int maxBodyBytes, Handler handler, Duration idleTimeout,
            SslContext ssl, HttpAuth auth, ObjectMapper mapper) {
        Settings {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(bind, "bind address");
            Objects.requireNonNull(handler, "handler");
        }

        /** The pipeline of one connection; tests run it on an {@code EmbeddedChannel}. */
        void initPipeline(Channel ch, EventExecutorGroup workers) {
            ChannelPipeline p = ch.pipeline();
            if (ssl != null) {
                p.addLast(ssl.newHandler(ch.alloc()));
            }
            p.addLast(new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
            p.addLast(new HttpServerCodec(MAX_INITIAL_LINE_BYTES, MAX_HEADER_BYTES, 8192));
            p.addLast(new JsonBodyAggregator(maxBodyBytes, mapper));
            p.addLast(workers, "json", new JsonRequestHandler(this));
        }
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Stops accepting, closes the open connections, then stops the server's own threads. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        stop.run();
        LOG.info("{} stopped", name);
    }

    /**
     * Workers first: a request still running there writes its answer through the I/O loop,
     * which must outlive it (else Netty logs RejectedExecutionException).
     */
    private static void shutdown(EventExecutorGroup workers, EventLoopGroup ownGroup) {
        if (workers != null) {
            workers.shutdownGracefully(50, 1000, TimeUnit.MILLISECONDS).syncUninterruptibly();
        }
        if (ownGroup != null) {
            ownGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
