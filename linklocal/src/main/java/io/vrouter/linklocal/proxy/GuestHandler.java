package io.vrouter.linklocal.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.epoll.EpollSocketChannelConfig;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One guest connection. Requests arrive aggregated ({@link FullHttpRequest}) and are answered
 * strictly in order, one at a time: while one is at nova, requests decoded meanwhile wait in a
 * small bounded queue, so pipelined requests are answered in order and a guest cannot make the
 * proxy buffer without bound (over the bound: 429 after the queued ones, then close).
 *
 * <p>Checks, in order: decode errors (400/414/431, and from {@link GuestRequestDecoder} and
 * {@link GuestAggregator}: ambiguous framing 400, unknown transfer coding 501, body too large
 * 413; each closes the connection), method (501), target (400, also for a control character
 * in it), the VM's
 * admission ({@link VmAdmission}: connection cap 429, identity 403, rate limit 429), the
 * IMDSv2 token ({@link TokenGate}: {@code PUT /latest/api/token} answered here, a token checked,
 * or required: 400/401/403/405), a configured metadata service (503); then the request goes to nova through this loop's
 * {@link UpstreamClient}. A guest that half-closes its side (SHUT_WR) after its requests
 * still gets every response, then the connection closes. Log lines go through {@link ProxyLog}
 * (rate-limited, escaped). Runs on the connection's event loop only.
 */
final class GuestHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(GuestHandler.class);
    private static final String ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE";

    private final MetadataProxyConfig config;
    private final ProxyCounters counters;
    private final ProxyLog log;
    private final VmAdmission admission;
    private final UpstreamBalancer balancer;
    private final UpstreamClient client;
    private final MetadataTrace trace;
    private final TokenGate tokens;
    /** Requests decoded while one is being answered, at most {@code maxPipelinedRequests}. */
    private final ArrayDeque<FullHttpRequest> queue = new ArrayDeque<>();
    /** Set when the connection becomes active, before any request is read. */
    private VmAdmission.Guest vm;
    private boolean busy;
    private boolean closing;
    private boolean overflowPending;
    /** The guest shut down its sending side: answer what was read, then close. */
    private boolean inputShutdown;
    /** The request being answered is a HEAD: its response goes out without a body. */
    private boolean answeringHead;
    private RequestReadTimer readTimer;
    private GuestResponseEncoder encoder;
    // The request being answered, for its trace entry (one request at a time per connection).
    private long traceStartMs;
    private String traceMethod = "-";
    private String tracePath = "-";
    private String traceUpstream;
    // The last upstream's "host:port" for the trace: a keep-alive connection mostly meets the same
    // upstream, so the string is built once per upstream change, not per request.
    private InetSocketAddress lastUpstream;
    private String lastUpstreamText;
    private RejectReason traceReject;

    /** @param client the connection's event loop's; null only where nothing is forwarded (handler tests) */
    GuestHandler(MetadataProxyConfig config, ProxyCounters counters, ProxyLog log, MetadataTrace trace,
                 TokenGate tokens, VmAdmission admission, UpstreamBalancer balancer, UpstreamClient client) {
        this.config = Objects.requireNonNull(config, "config");
        this.counters = Objects.requireNonNull(counters, "counters");
        this.log = Objects.requireNonNull(log, "log");
        this.trace = Objects.requireNonNull(trace, "trace");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.admission = Objects.requireNonNull(admission, "admission");
        this.balancer = Objects.requireNonNull(balancer, "balancer");
        this.client = client;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        readTimer = ctx.pipeline().get(RequestReadTimer.class);
        encoder = ctx.pipeline().get(GuestResponseEncoder.class);
        if (ctx.channel().isActive()) {
            connected(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connected(ctx);
        ctx.fireChannelActive();
    }

    private void connected(ChannelHandlerContext ctx) {
        if (vm == null) {
            vm = admission.open(ctx.channel().remoteAddress() instanceof InetSocketAddress isa
                    ? isa.getAddress() : null);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (vm != null) {
            vm.close();
        }
        FullHttpRequest r;
        while ((r = queue.poll()) != null) {
            r.release();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest req)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (readTimer != null) {
            readTimer.requestComplete();
        }
        if (closing || overflowPending) {
            req.release();
            return;
        }
        if (queue.size() >= config.maxPipelinedRequests()) {
            // The queued requests are still answered, in order; then 429 and close.
            req.release();
            overflowPending = true;
            return;
        }
        // Reading goes on while a request is at nova (toggling autoRead would cost two epoll_ctl
        // calls per request): the queue bound above is the back-pressure.
        queue.add(req);
        processNext(ctx);
    }

    private void processNext(ChannelHandlerContext ctx) {
        while (!busy && !queue.isEmpty()) {
            handle(ctx, queue.poll());
        }
        if (!busy && queue.isEmpty() && ctx.channel().isActive()) {
            if (overflowPending) {
                busy = true;
                answeringHead = false;
                traceBegin("-", "-");
                reject(ctx, null, "-", System.nanoTime(), RejectReason.PIPELINE_OVERFLOW,
                        "Too many pipelined requests on one connection (limit "
                                + config.maxPipelinedRequests() + ").", false, null, -1);
            }
        }
    }

    /** Takes ownership of {@code req}: decode, method, target, admission, upstreams, then nova. */
    private void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        busy = true;
        answeringHead = req.method() == HttpMethod.HEAD;
        long start = System.nanoTime();
        counters.request();
        traceBegin(truncate(req.method().name()), truncate(req.uri()));
        try {
            if (!req.decoderResult().isSuccess()) {
                rejectUndecodable(ctx, req, start);
                return;
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req) && !closing;
            String target = target(ctx, req, start, keepAlive);
            if (target == null) {
                return;
            }
            RejectReason refused = vm.admit(start);
            if (refused != null) {
                if (refused == RejectReason.TOO_MANY_CONNECTIONS) {
                    closing = true;
                    keepAlive = false;
                }
                reject(ctx, vm.identity(), target, start, refused, vm.refusal(refused), keepAlive, vm.failure(),
                        vm.retryAfterSeconds());
                return;
            }
            VmIdentity id = vm.identity();
            if (TokenGate.isTokenPath(target)) {
                answerTokenRequest(ctx, req, id, target, start, keepAlive);
                return;
            }
            RejectReason tokenRefused = tokens.check(req.headers(), id, vm.source());
            if (tokenRefused != null) {
                refuse(ctx, id, target, start, tokenRefused, TokenGate.refusal(tokenRefused), keepAlive, null);
                return;
            }
            List<InetSocketAddress> order = upstreams(ctx, target, id, start, keepAlive);
            if (order == null) {
                return;
            }
            FullHttpRequest held = req;
            req = null; // the exchange's callback releases it
            forward(ctx, held, target, id, order, keepAlive, start);
        } finally {
            if (req != null) {
                req.release();
            }
        }
    }

    /** {@code /latest/api/token}: a token for {@code id}, or 400/403/405; never forwarded. */
    private void answerTokenRequest(ChannelHandlerContext ctx, FullHttpRequest req, VmIdentity id, String target,
                                    long start, boolean keepAlive) {
        RejectReason refused = TokenGate.tokenRequest(req.method(), req.headers());
        if (refused != null) {
            refuse(ctx, id, target, start, refused, TokenGate.refusal(refused), keepAlive, null);
            return;
        }
        int ttl = TokenGate.ttl(req.headers());
        FullHttpResponse r = TokenGate.issued(tokens.issue(id, ttl), ttl);
        counters.tokenIssued();
        write(ctx, r, keepAlive, start, id);
    }

    /** 400/413/414/431/501 for a request that was not read as one; the connection closes after it. */
    private void rejectUndecodable(ChannelHandlerContext ctx, FullHttpRequest req, long start) {
        Throwable cause = req.decoderResult().cause();
        RejectReason reason = cause instanceof GuestRequestDecoder.FramingException f ? f.reason()
                : cause instanceof TooLongHttpContentException ? RejectReason.BODY_TOO_LARGE
                : cause instanceof TooLongHttpLineException ? RejectReason.URI_TOO_LONG
                : cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException
                ? RejectReason.HEADERS_TOO_LARGE : RejectReason.MALFORMED_REQUEST;
        String message = switch (reason) {
            case URI_TOO_LONG -> "Request line longer than " + config.maxInitialLineLength() + " bytes.";
            case HEADERS_TOO_LARGE -> "Request headers larger than " + config.maxHeaderSize() + " bytes.";
            default -> cause instanceof GuestRequestDecoder.FramingException
                    || cause instanceof TooLongHttpContentException
                    ? cause.getMessage() : "Malformed HTTP request: " + cause.getMessage();
        };
        closing = true;
        reject(ctx, null, req.uri(), start, reason, message, false, cause, -1);
    }

    /** The origin-form target of a request this proxy forwards, or null after answering 501/400. */
    private String target(ChannelHandlerContext ctx, FullHttpRequest req, long start, boolean keepAlive) {
        String uri = req.uri();
        HttpMethod m = req.method();
        if (!(m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.POST || m == HttpMethod.PUT
                || m == HttpMethod.DELETE)) {
            // 501, as Contrail: the method is not one this proxy implements for any path
            // (405 would claim the resource exists and supports others).
            reject(ctx, null, uri, start, RejectReason.METHOD_NOT_IMPLEMENTED,
                    "Method " + truncate(m.name()) + " is not implemented; allowed: " + ALLOWED_METHODS + ".",
                    keepAlive, null, -1);
            return null;
        }
        if (hasControlChar(uri)) {
            // NUL, CR, ESC... are never part of a request target (RFC 9112 §3.2): not for nova.
            reject(ctx, null, uri, start, RejectReason.MALFORMED_REQUEST,
                    "Request target contains a control character.", false, null, -1);
            return null;
        }
        String target = RequestRewriter.originForm(uri);
        if (target == null) {
            reject(ctx, null, uri, start, RejectReason.MALFORMED_REQUEST,
                    "Request target must be a path (/...) or an http:// URL.", keepAlive, null, -1);
        }
        return target;
    }

    /** The fabric addresses to try, in order, or null after answering 500/503. */
    private List<InetSocketAddress> upstreams(ChannelHandlerContext ctx, String target, VmIdentity id, long start,
                                              boolean keepAlive) {
        List<InetSocketAddress> order;
        try {
            order = balancer.order(start);
        } catch (RuntimeException e) {
            reject(ctx, null, target, start, RejectReason.INTERNAL_ERROR, vm.refusal(RejectReason.INTERNAL_ERROR),
                    keepAlive, e, -1);
            return null;
        }
        if (order.isEmpty()) {
            reject(ctx, id, target, start, RejectReason.NO_METADATA_SERVICE,
                    "No metadata service is configured (global-vrouter-config has no 'metadata' link-local service).",
                    keepAlive, null, -1);
            return null;
        }
        return order;
    }

    /** Sends {@code req} (ownership passes to the exchange) to nova through this loop's client. */
    private void forward(ChannelHandlerContext ctx, FullHttpRequest req, String target, VmIdentity id,
                         List<InetSocketAddress> order, boolean keepAlive, long start) {
        client.exchange(req, target, id, order, new UpstreamClient.Callback() {
            @Override
            public void onResponse(FullHttpResponse response, InetSocketAddress from) {
                HttpMethod method = req.method();
                req.release();
                passThrough(ctx, response, method, keepAlive, start, id, target, from);
            }

            @Override
            public void onFailure(RejectReason reason, InetSocketAddress last, Throwable cause) {
                req.release();
                traceUpstream = hostPort(last);
                String msg = switch (reason) {
                    case UPSTREAM_TIMEOUT -> "The metadata service did not answer within "
                            + config.responseTimeoutMs() + " ms.";
                    case UPSTREAM_UNREACHABLE -> "The metadata service is unreachable.";
                    default -> "Bad answer from the metadata service.";
                };
                reject(ctx, id, target, start, reason, msg, keepAlive, cause, -1);
            }
        });
    }

    private void passThrough(ChannelHandlerContext ctx, FullHttpResponse r, HttpMethod method, boolean keepAlive,
                             long start, VmIdentity id, String target, InetSocketAddress from) {
        HttpHeaders h = r.headers();
        h.remove(HttpHeaderNames.CONNECTION);
        h.remove(HttpHeaderNames.KEEP_ALIVE);
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        h.remove(HttpHeaderNames.PROXY_CONNECTION);
        h.remove(HttpHeaderNames.TE);
        h.remove(HttpHeaderNames.TRAILER);
        h.remove(HttpHeaderNames.UPGRADE);
        int code = r.status().code();
        if (method != HttpMethod.HEAD && code >= 200 && code != 204 && code != 304) {
            // The body is passed as received (never decoded): gzip stays gzip, byte for byte.
            h.setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
        }
        r.setProtocolVersion(HttpVersion.HTTP_1_1);
        traceUpstream = hostPort(from);
        if (code >= 400) {
            log.novaAnswered(code, method == HttpMethod.POST, id.instanceId(), target, from);
        }
        write(ctx, r, keepAlive, start, id);
    }

    private void reject(ChannelHandlerContext ctx, VmIdentity id, String target, long start, RejectReason reason,
                        String message, boolean keepAlive, Throwable cause, long retryAfterSeconds) {
        ByteBuf body = Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(reason.status()), body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        if (retryAfterSeconds > 0) {
            r.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        if (reason == RejectReason.METHOD_NOT_IMPLEMENTED) {
            r.headers().set(HttpHeaderNames.ALLOW, ALLOWED_METHODS);
        }
        refuse(ctx, id, target, start, reason, r, keepAlive, cause);
    }

    /** Counts, traces and logs the refusal {@code r}, then writes it. */
    private void refuse(ChannelHandlerContext ctx, VmIdentity id, String target, long start, RejectReason reason,
                        FullHttpResponse r, boolean keepAlive, Throwable cause) {
        counters.rejected(reason);
        traceReject = reason;
        VmIdentity known = id != null ? id : vm.known();
        log.refused(reason, ProxyLog.who(known, vm.sourceText()), target, cause);
        write(ctx, r, keepAlive, start, known);
    }

    /** @param who the VM answered (counted per VM), null when the source belongs to none */
    private void write(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAliveAsked, long start,
                       VmIdentity who) {
        // After a half-close, the last response closes the connection: nothing more can come.
        boolean keepAlive = keepAliveAsked && !(inputShutdown && queue.isEmpty());
        if (!keepAlive) {
            closing = true;
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        // Every response the listener below closes on is corked: its last segment waits in the
        // socket for the close that follows at once and leaves with the FIN on it, so the guest
        // has the FIN when it reads the response, never closes first, never keeps a TIME_WAIT port.
        if (closing && ctx.channel().config() instanceof EpollSocketChannelConfig epoll) {
            epoll.setTcpCork(true);
        }
        int status = r.status().code();
        if (encoder != null) {
            encoder.answering(answeringHead);
        }
        ctx.writeAndFlush(r).addListener((ChannelFutureListener) f -> {
            long latencyNanos = System.nanoTime() - start;
            counters.responded(status, latencyNanos, who);
            traceEnd(status, latencyNanos);
            busy = false;
            if (!keepAlive || !f.isSuccess() || closing) {
                f.channel().close();
            } else {
                processNext(ctx);
            }
        });
    }

    private void traceBegin(String method, String path) {
        traceStartMs = System.currentTimeMillis();
        traceMethod = method;
        tracePath = path;
        traceUpstream = null;
        traceReject = null;
    }

    private void traceEnd(int status, long latencyNanos) {
        if (vm != null) {
            VmIdentity id = vm.identity();
            trace.record(vm.source(), id == null ? null : id.instanceId(), traceStartMs, traceMethod, tracePath,
                    status, traceUpstream, latencyNanos / 1000, traceReject);
        }
    }

    /** The read timer fired: 408 unless a request is being answered. */
    void slowRequest(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive() || closing) {
            return;
        }
        closing = true;
        if (busy) {
            return; // the response in flight closes the connection
        }
        busy = true;
        answeringHead = false;
        traceBegin("-", "-");
        reject(ctx, null, "-", System.nanoTime(), RejectReason.SLOW_REQUEST,
                "Request not received within " + config.requestReadTimeoutMs() + " ms.", false, null, -1);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // Every complete request was decoded before this event; those in hand are answered.
            inputShutdown = true;
            if (!busy && queue.isEmpty()) {
                ctx.close();
            }
            return;
        }
        if (evt instanceof IdleStateEvent) {
            if (!busy) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("metadata: connection from {} failed: {}", vm == null ? null : vm.source(),
                ProxyLog.escape(cause.toString()));
        ctx.close();
    }

    private String hostPort(InetSocketAddress a) {
        if (a == null) {
            return null;
        }
        if (!a.equals(lastUpstream)) {
            lastUpstream = a;
            lastUpstreamText = a.getHostString() + ":" + a.getPort();
        }
        return lastUpstreamText;
    }

    private static String truncate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    private static boolean hasControlChar(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }
}
