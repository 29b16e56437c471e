package io.vrouter.linklocal.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.ProtocolException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import io.netty.channel.ConnectTimeoutException;

/**
 * Talks to nova for the guest connections of ONE event loop: its upstream channels are
 * registered on that same loop, so the guest side, the pool and every callback run on one
 * thread and need no locks. Keeps up to {@code maxIdle} keep-alive connections per fabric
 * address.
 *
 * <p>A response reaches only the guest whose request caused it: interim (1xx) responses are
 * skipped, a 101 is a protocol error, and a connection goes back to the pool only when its
 * exchange ended exactly: a complete, keep-alive, successfully decoded response and not one
 * byte more. Bytes already read past the response, or arriving while the connection is idle
 * in the pool, mean the upstream sent something nobody asked for: the connection is closed,
 * never handed to the next request.
 *
 * <p>Failure handling per request: a connect that is refused or times out marks the address
 * down and moves to the next address (nothing was sent, so this is safe for every method);
 * a pooled connection that closes before any response is retried once on a fresh connection
 * for idempotent methods (the usual keep-alive race); anything after the request was sent is
 * not retried.
 */
final class UpstreamClient {
    /** What the guest side is told when an exchange ends; called once, on this event loop. */
    interface Callback {
        /** Ownership of {@code response} passes to the callee. */
        void onResponse(FullHttpResponse response, InetSocketAddress from);

        void onFailure(RejectReason reason, InetSocketAddress last, Throwable cause);
    }

    private static final AttributeKey<ResponseHandler> HANDLER = AttributeKey.valueOf("vrouter.upstream.handler");

    private final EventLoop loop;
    private final MetadataProxyConfig config;
    private final UpstreamBalancer balancer;
    private final RequestRewriter rewriter;
    private final ProxyCounters counters;
    private final SslContext sslContext;
    private final Bootstrap bootstrap;
    private final Map<InetSocketAddress, ArrayDeque<Channel>> idle = new HashMap<>();

    UpstreamClient(EventLoop loop, Class<? extends SocketChannel> channelClass, MetadataProxyConfig config,
                   UpstreamBalancer balancer, RequestRewriter rewriter, ProxyCounters counters,
                   SslContext sslContext) {
        this.loop = loop;
        this.bootstrap = new Bootstrap().group(loop).channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, config.connectTimeoutMs())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // remoteAddress is not known here; TLS is added in connect() where it is.
                        // Requests go out already encoded (RequestRewriter.encode): a decoder only.
                        ChannelPipeline p = ch.pipeline();
                        ResponseHandler h = new ResponseHandler();
                        h.decoder = new ResponseDecoder(config, h);
                        p.addLast("codec", h.decoder);
                        p.addLast("aggregator", new HttpObjectAggregator(config.maxResponseBodyBytes()));
                        p.addLast("idle", new IdleStateHandler(0, 0, config.idleTimeoutMs(), TimeUnit.MILLISECONDS));
                        ch.attr(HANDLER).set(h);
                        p.addLast("response", h);
                    }
                });
        this.config = config;
        this.balancer = balancer;
        this.rewriter = rewriter;
        this.counters = counters;
        this.sslContext = sslContext;
    }

    /**
     * Sends {@code guest} (still owned by the caller) to nova; the body is not consumed.
     *
     * @param order the addresses to try, from {@link UpstreamBalancer#order}; not empty
     */
    void exchange(FullHttpRequest guest, String target, VmIdentity id, List<InetSocketAddress> order, Callback cb) {
        assert loop.inEventLoop();
        Exchange ex = new Exchange(guest, target, id, cb, order);
        counters.forwarded();
        ex.attempt(0, false);
    }

    void close() {
        for (ArrayDeque<Channel> q : idle.values()) {
            for (Channel c : q) {
                c.close();
            }
        }
        idle.clear();
    }

    private ArrayDeque<Channel> idleFor(InetSocketAddress a) {
        return idle.computeIfAbsent(a, k -> new ArrayDeque<>());
    }

    private Channel pollIdle(InetSocketAddress a) {
        ArrayDeque<Channel> q = idle.get(a);
        if (q == null) {
            return null;
        }
        Channel c;
        while ((c = q.pollFirst()) != null) {
            if (c.isActive()) {
                return c;
            }
        }
        return null;
    }

    private void release(InetSocketAddress a, Channel ch, boolean keepAlive) {
        ch.attr(HANDLER).get().current = null;
        ArrayDeque<Channel> q = idleFor(a);
        if (keepAlive && ch.isActive() && q.size() < config.maxIdleUpstreamConnections()) {
            q.addFirst(ch); // LIFO: the warmest connection is reused, the rest can idle out
        } else {
            ch.close();
        }
    }

    private static boolean isConnectFailure(Throwable t) {
        return t instanceof ConnectException || t instanceof ConnectTimeoutException
                || t instanceof NoRouteToHostException
                || (t != null && t.getCause() instanceof ConnectException);
    }

    /** One guest request's trip to nova, over one or more addresses. */
    private final class Exchange {
        final FullHttpRequest guest;
        final String target;
        final VmIdentity id;
        final Callback cb;
        final List<InetSocketAddress> order;
        final boolean idempotent;
        final boolean head;
        InetSocketAddress address;
        Channel channel;
        ScheduledFuture<?> timeout;
        boolean done;
        boolean responseStarted;
        boolean staleRetried;
        int index;

        Exchange(FullHttpRequest guest, String target, VmIdentity id, Callback cb, List<InetSocketAddress> order) {
            this.guest = guest;
            this.target = target;
            this.id = id;
            this.cb = cb;
            this.order = order;
            HttpMethod m = guest.method();
            this.idempotent = m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.PUT
                    || m == HttpMethod.DELETE;
            this.head = m == HttpMethod.HEAD;
        }

        void attempt(int i, boolean forceNew) {
            index = i;
            address = order.get(i);
            Channel pooled = forceNew ? null : pollIdle(address);
            if (pooled != null) {
                send(pooled, true);
                return;
            }
            ChannelFuture cf = bootstrap.connect(address);
            Channel ch = cf.channel();
            if (sslContext != null) {
                SslHandler ssl = sslContext.newHandler(ch.alloc(), address.getHostString(), address.getPort());
                if (config.tls().verifyHostname() && !config.tls().insecure()) {
                    SSLEngine engine = ssl.engine();
                    SSLParameters params = engine.getSSLParameters();
                    params.setEndpointIdentificationAlgorithm("HTTPS");
                    engine.setSSLParameters(params);
                }
                ch.pipeline().addFirst("tls", ssl);
            }
            InetSocketAddress target = address;
            ch.closeFuture().addListener(f -> {
                ArrayDeque<Channel> q = idle.get(target);
                if (q != null) {
                    q.remove(ch);
                }
            });
            cf.addListener(f -> {
                if (f.isSuccess()) {
                    counters.upstreamConnectionOpened();
                    send(ch, false);
                } else {
                    connectFailed(f.cause());
                }
            });
        }

        private void connectFailed(Throwable cause) {
            if (done) {
                return;
            }
            balancer.markDown(address, System.nanoTime());
            if (isConnectFailure(cause) && index + 1 < order.size()) {
                counters.retry();
                attempt(index + 1, false);
                return;
            }
            finish(isConnectFailure(cause) ? RejectReason.UPSTREAM_UNREACHABLE : RejectReason.UPSTREAM_ERROR, cause);
        }

        private void send(Channel ch, boolean reused) {
            if (done) {
                ch.close();
                return;
            }
            channel = ch;
            ResponseHandler h = ch.attr(HANDLER).get();
            h.current = this;
            h.reused = reused;
            responseStarted = false;
            ByteBuf out = rewriter.encode(ch.alloc(), guest, target, id, address);
            if (timeout == null) {
                // One deadline for the whole exchange, counted from the first request sent.
                timeout = loop.schedule(this::timedOut, config.responseTimeoutMs(), TimeUnit.MILLISECONDS);
            }
            ch.writeAndFlush(out).addListener(f -> {
                if (!f.isSuccess()) {
                    closedBeforeResponse(h, f.cause());
                }
            });
        }

        void responded(ResponseHandler h, FullHttpResponse response) {
            if (done) {
                response.release();
                return;
            }
            done = true;
            cancelTimeout();
            balancer.markUp(address);
            // Reused only after an exact end: bytes past this response belong to no request.
            boolean reusable = HttpUtil.isKeepAlive(response) && response.decoderResult().isSuccess()
                    && !h.decoder.hasUnreadBytes();
            release(address, channel, reusable);
            cb.onResponse(response, address);
        }

        void closedBeforeResponse(ResponseHandler h, Throwable cause) {
            if (done || h.current != this) {
                return;
            }
            h.current = null;
            channel.close();
            if (h.reused && idempotent && !staleRetried && !responseStarted) {
                // The server closed an idle keep-alive connection as we reused it.
                staleRetried = true;
                counters.retry();
                attempt(index, true);
                return;
            }
            finish(RejectReason.UPSTREAM_ERROR, cause);
        }

        void timedOut() {
            if (done) {
                return;
            }
            if (channel != null) {
                channel.attr(HANDLER).get().current = null;
                channel.close();
            }
            finish(RejectReason.UPSTREAM_TIMEOUT, null);
        }

        private void cancelTimeout() {
            if (timeout != null) {
                timeout.cancel(false);
            }
        }

        private void finish(RejectReason reason, Throwable cause) {
            if (done) {
                return;
            }
            done = true;
            cancelTimeout();
            cb.onFailure(reason, address, cause);
        }
    }

    /**
     * The response decoder of an upstream channel. What HttpClientCodec's decoder adds to
     * HttpResponseDecoder, done from the exchange in flight instead of a queue filled by an
     * encoder (requests are written pre-encoded): a response to HEAD has no body, whatever its
     * headers say.
     */
    private static final class ResponseDecoder extends HttpResponseDecoder {
        private final ResponseHandler handler;

        ResponseDecoder(MetadataProxyConfig config, ResponseHandler handler) {
            super(config.maxResponseInitialLineLength(), config.maxResponseHeaderSize(),
                    MetadataProxyConfig.UPSTREAM_DECODER_CHUNK_SIZE);
            this.handler = handler;
        }

        /** Bytes received past the last decoded message (none after an exact end). */
        boolean hasUnreadBytes() {
            return actualReadableBytes() > 0;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
            if (handler.current == null) {
                // Nothing was asked on this connection: whatever arrives is unsolicited (an extra
                // response, the rest of an interim one). Never decode it for a later request.
                in.skipBytes(in.readableBytes());
                ctx.close();
                return;
            }
            super.decode(ctx, in, out);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            Exchange ex = handler.current;
            if (ex != null && ex.head && ((HttpResponse) msg).status().codeClass() != HttpStatusClass.INFORMATIONAL) {
                return true;
            }
            return super.isContentAlwaysEmpty(msg);
        }
    }

    /** Per upstream channel: hands the aggregated response to the exchange in flight. */
    private static final class ResponseHandler extends ChannelInboundHandlerAdapter {
        Exchange current;
        boolean reused;
        ResponseDecoder decoder;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Exchange ex = current;
            if (ex == null || !(msg instanceof FullHttpResponse)) {
                // Unsolicited data: the connection is not in a state we can reuse.
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            FullHttpResponse r = (FullHttpResponse) msg;
            if (r.decoderResult().isSuccess() && r.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                r.release();
                if (r.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                    // Never asked for (Upgrade is stripped): the connection no longer speaks HTTP/1.1.
                    ex.responseStarted = true;
                    ex.closedBeforeResponse(this, new ProtocolException("upstream switched protocols (101)"));
                }
                return; // 100, 102, 103 Early Hints: interim, the final response follows
            }
            if (!r.decoderResult().isSuccess()) {
                r.release();
                Throwable cause = r.decoderResult().cause();
                ex.closedBeforeResponse(this, cause);
                return;
            }
            ex.responded(this, r);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Exchange ex = current;
            if (ex != null) {
                ex.closedBeforeResponse(this, new ConnectException("upstream closed the connection before responding"));
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            Exchange ex = current;
            if (ex != null) {
                ex.responseStarted = true; // a protocol/TLS error is not a stale connection
                ex.closedBeforeResponse(this, cause);
            }
            ctx.close();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent && current == null) {
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }
    }
}
