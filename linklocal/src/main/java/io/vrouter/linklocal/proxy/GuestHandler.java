package io.vrouter.linklocal.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
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
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One guest connection. Requests arrive aggregated ({@link FullHttpRequest}) and are answered
 * strictly in order, one at a time: while one is at nova, requests decoded meanwhile wait in a
 * small bounded queue, so pipelined requests are answered in order and a guest cannot make the
 * proxy buffer without bound (over the bound: 429 after the queued ones, then close).
 *
 * <p>Checks, in order: decode errors (400/414/431), method (501), the VM's connection cap
 * (429), the source address's identity (403), the VM's rate limit (429), a configured
 * metadata service (503); then the request goes to nova through this loop's
 * {@link UpstreamClient}. Runs on the connection's event loop only.
 */
final class GuestHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(GuestHandler.class);
    private static final String ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE";

    private final MetadataProxy proxy;
    private final ArrayDeque<FullHttpRequest> queue = new ArrayDeque<>();
    private RequestReadTimer readTimer;
    private InetAddress source;
    private boolean counted;
    private boolean overCap;
    private boolean busy;
    private boolean closing;
    private boolean overflowPending;

    GuestHandler(MetadataProxy proxy) {
        this.proxy = proxy;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        readTimer = ctx.pipeline().get(RequestReadTimer.class);
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
        if (!counted && ctx.channel().remoteAddress() instanceof InetSocketAddress isa) {
            source = isa.getAddress();
            overCap = proxy.connectionOpened(source) > proxy.config().maxConnectionsPerVm();
            counted = true;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (counted) {
            counted = false;
            proxy.connectionClosed(source);
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
        if (queue.size() >= proxy.config().maxPipelinedRequests()) {
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
                reject(ctx, null, "-", System.nanoTime(), RejectReason.PIPELINE_OVERFLOW,
                        "Too many pipelined requests on one connection (limit "
                                + proxy.config().maxPipelinedRequests() + ").", false, null, -1);
            }
        }
    }

    /** Takes ownership of {@code req}. */
    private void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        busy = true;
        long start = System.nanoTime();
        MetadataProxy p = proxy;
        p.counters0().request();
        try {
            String uri = req.uri();
            if (!req.decoderResult().isSuccess()) {
                Throwable cause = req.decoderResult().cause();
                RejectReason reason = cause instanceof TooLongHttpLineException ? RejectReason.URI_TOO_LONG
                        : cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException
                        ? RejectReason.HEADERS_TOO_LARGE : RejectReason.MALFORMED_REQUEST;
                String message = switch (reason) {
                    case URI_TOO_LONG -> "Request line longer than " + p.config().maxInitialLineLength() + " bytes.";
                    case HEADERS_TOO_LARGE -> "Request headers larger than " + p.config().maxHeaderSize() + " bytes.";
                    default -> "Malformed HTTP request: " + cause.getMessage();
                };
                closing = true;
                reject(ctx, null, truncate(uri), start, reason, message, false, cause, -1);
                return;
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req) && !closing;
            HttpMethod m = req.method();
            if (!(m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.POST || m == HttpMethod.PUT
                    || m == HttpMethod.DELETE)) {
                // 501, as Contrail: the method is not one this proxy implements for any path
                // (405 would claim the resource exists and supports others).
                reject(ctx, null, truncate(uri), start, RejectReason.METHOD_NOT_IMPLEMENTED,
                        "Method " + truncate(m.name()) + " is not implemented; allowed: " + ALLOWED_METHODS + ".",
                        keepAlive, null, -1);
                return;
            }
            String target = RequestRewriter.originForm(uri);
            if (target == null) {
                reject(ctx, null, truncate(uri), start, RejectReason.MALFORMED_REQUEST,
                        "Request target must be a path (/...) or an http:// URL.", keepAlive, null, -1);
                return;
            }
            if (overCap) {
                closing = true;
                reject(ctx, null, target, start, RejectReason.TOO_MANY_CONNECTIONS,
                        "Too many connections from this VM (limit " + p.config().maxConnectionsPerVm() + ").",
                        false, null, 1);
                return;
            }
            VmIdentity id;
            java.util.List<InetSocketAddress> order;
            try {
                id = source == null ? null : p.directory().lookup(source);
                order = id == null ? null : p.balancer().order(start);
            } catch (RuntimeException e) {
                reject(ctx, null, target, start, RejectReason.INTERNAL_ERROR,
                        "The proxy could not look up this VM or the metadata service.", keepAlive, e, -1);
                return;
            }
            if (id == null) {
                reject(ctx, null, target, start, RejectReason.UNKNOWN_SOURCE,
                        "No VM interface owns source address "
                                + (source == null ? "?" : source.getHostAddress()) + "; request not forwarded.",
                        keepAlive, null, -1);
                return;
            }
            long waitNanos = p.rateLimit(source, start);
            if (waitNanos > 0) {
                long retryAfter = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
                reject(ctx, id, target, start, RejectReason.RATE_LIMITED,
                        "Rate limit exceeded for this VM; retry after " + retryAfter + " s.", keepAlive, null,
                        retryAfter);
                return;
            }
            UpstreamClient client = p.client(ctx.channel().eventLoop());
            if (order.isEmpty()) {
                reject(ctx, id, target, start, RejectReason.NO_METADATA_SERVICE,
                        "No metadata service is configured (global-vrouter-config has no 'metadata' link-local service).",
                        keepAlive, null, -1);
                return;
            }
            FullHttpRequest held = req;
            req = null; // the callback releases it
            client.exchange(held, target, id, order, new UpstreamClient.Callback() {
                @Override
                public void onResponse(FullHttpResponse response, InetSocketAddress from) {
                    HttpMethod method = held.method();
                    held.release();
                    passThrough(ctx, response, method, keepAlive, start, id, target, from);
                }

                @Override
                public void onFailure(RejectReason reason, InetSocketAddress last, Throwable cause) {
                    held.release();
                    String msg = switch (reason) {
                        case UPSTREAM_TIMEOUT -> "The metadata service did not answer within "
                                + p.config().responseTimeoutMs() + " ms.";
                        case UPSTREAM_UNREACHABLE -> "The metadata service is unreachable.";
                        default -> "Bad answer from the metadata service.";
                    };
                    reject(ctx, id, target, start, reason, msg, keepAlive, cause, -1);
                }
            });
        } finally {
            if (req != null) {
                req.release();
            }
        }
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
        if (code >= 500) {
            LOG.warn("metadata: vm={} path={} status={} cause=nova at {} answered {}",
                    id.instanceId(), target, code, from, r.status());
        } else if (code >= 400) {
            // Routine for cloud-init (e.g. 404 for absent user-data): debug, not warn.
            LOG.debug("metadata: vm={} path={} status={} cause=nova at {} answered {}",
                    id.instanceId(), target, code, from, r.status());
        }
        write(ctx, r, keepAlive, start);
    }

    private void reject(ChannelHandlerContext ctx, VmIdentity id, String target, long start, RejectReason reason,
                        String message, boolean keepAlive, Throwable cause, long retryAfterSeconds) {
        proxy.counters0().rejected(reason);
        String vm = id != null ? id.instanceId() : "unknown(" + (source == null ? "?" : source.getHostAddress()) + ")";
        if (reason == RejectReason.RATE_LIMITED || reason == RejectReason.TOO_MANY_CONNECTIONS
                || reason == RejectReason.PIPELINE_OVERFLOW) {
            // Logged at debug: an abusive guest must not be able to flood the log (it is counted).
            LOG.debug("metadata: vm={} path={} status={} cause={}", vm, target, reason.status(), reason);
        } else {
            LOG.warn("metadata: vm={} path={} status={} cause={}{}", vm, target, reason.status(), reason,
                    cause == null ? "" : ": " + cause);
        }
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
        write(ctx, r, keepAlive, start);
    }

    private void write(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive, long start) {
        if (!keepAlive) {
            closing = true;
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        int status = r.status().code();
        ctx.writeAndFlush(r).addListener((ChannelFutureListener) f -> {
            proxy.counters0().responded(status, System.nanoTime() - start);
            busy = false;
            if (!keepAlive || !f.isSuccess() || closing) {
                f.channel().close();
            } else {
                processNext(ctx);
            }
        });
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
        reject(ctx, null, "-", System.nanoTime(), RejectReason.SLOW_REQUEST,
                "Request not received within " + proxy.config().requestReadTimeoutMs() + " ms.", false, null, -1);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
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
        LOG.debug("metadata: connection from {} failed: {}", source, cause.toString());
        ctx.close();
    }

    private static String truncate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
