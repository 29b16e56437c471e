package io.vrouter.plumbing.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a {@link JsonHttpServer} pipeline: turns an aggregated request into a
 * {@link Request}, runs the {@link HttpAuth} and the {@link Handler}, and writes the answer
 * (now, or later through a {@link Deferred}). Also closes idle connections.
 */
final class JsonRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(JsonRequestHandler.class);
    private static final byte[] SERIALISATION_FAILED =
            "{\"status\":500,\"error\":\"cannot serialise the response\"}".getBytes(StandardCharsets.UTF_8);

    private final JsonHttpServer.Settings settings;

    JsonRequestHandler(JsonHttpServer.Settings settings) {
        this.settings = settings;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
        if (!msg.decoderResult().isSuccess()) {
            // The decoder lost its place in the stream: answer, then close.
            write(ctx, new HttpError(400, "malformed HTTP request: " + msg.decoderResult().cause()).toResponse(), false);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(msg);
        Reply reply = new Reply(ctx, keepAlive);
        Request req = new Request(msg.method(), msg.uri(), msg.headers().copy(), ByteBufUtil.getBytes(msg.content()),
                ctx.channel().remoteAddress(), Map.of(), null, reply::take);
        HttpAuth auth = settings.auth();
        if (auth == null) {
            respond(ctx, req, keepAlive, reply);
            return;
        }
        CompletableFuture<Object> who = startAuth(auth, req);
        if (who.isDone()) {
            authenticated(ctx, req, who, keepAlive, reply);
            return;
        }
        // Pending (a password hash on the authenticator's own pool): this thread moves on, and
        // the connection reads nothing more until this request is answered.
        ctx.channel().config().setAutoRead(false);
        who.whenComplete((v, e) -> ctx.executor().execute(() -> {
            ctx.channel().config().setAutoRead(true);
            authenticated(ctx, req, who, keepAlive, reply);
        }));
    }

    private static CompletableFuture<Object> startAuth(HttpAuth auth, Request req) {
        try {
            return auth.authenticateAsync(req).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void authenticated(ChannelHandlerContext ctx, Request req, CompletableFuture<Object> who,
            boolean keepAlive, Reply reply) {
        Object principal;
        try {
            principal = who.join();
        } catch (CompletionException | CancellationException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof HttpError err) {
                write(ctx, err.toResponse(), keepAlive);
            } else {
                LOG.error("{}: authenticating {} {} failed", settings.name(), req.method(), req.uri(), cause);
                write(ctx, new HttpError(500, "internal error").toResponse(), keepAlive);
            }
            return;
        }
        if (principal == null) {
            write(ctx, new HttpError(401, "authentication required")
                    .header(HttpHeaderNames.WWW_AUTHENTICATE.toString(), settings.auth().challenge()).toResponse(), keepAlive);
            return;
        }
        respond(ctx, req.with(Map.of(), principal), keepAlive, reply);
    }

    private void respond(ChannelHandlerContext ctx, Request req, boolean keepAlive, Reply reply) {
        Response resp;
        try {
            resp = settings.handler().handle(req);
        } catch (HttpError e) {
            resp = e.toResponse();
        } catch (RuntimeException e) {
            LOG.error("{}: {} {} failed", settings.name(), req.method(), req.uri(), e);
            resp = new HttpError(500, "internal error").toResponse();
        }
        if (resp == Response.DEFERRED) {
            if (!reply.taken.get()) {
                LOG.error("{}: {} {}: the handler answered DEFERRED without deferring", settings.name(), req.method(), req.uri());
                write(ctx, new HttpError(500, "internal error").toResponse(), keepAlive);
            }
            return;
        }
        write(ctx, resp, keepAlive);
    }

    private void write(ChannelHandlerContext ctx, Response resp, boolean keepAlive) {
        FullHttpResponse r = encode(settings.mapper(), resp);
        if (keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(r);
        } else {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The response as Netty sends it: JSON body, Content-Type, Content-Length, extra headers. */
    static FullHttpResponse encode(ObjectMapper mapper, Response resp) {
        int status = resp.status();
        byte[] bytes = null;
        if (resp.body() instanceof byte[] b) {
            bytes = b;
        } else if (resp.body() != null) {
            try {
                bytes = mapper.writeValueAsBytes(resp.body());
            } catch (JsonProcessingException e) {
                LoggerFactory.getLogger(JsonRequestHandler.class).error("cannot serialise a {} answer", status, e);
                status = 500;
                bytes = SERIALISATION_FAILED;
            }
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                bytes == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes));
        if (bytes != null) {
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        }
        if (status != 204) {
            HttpUtil.setContentLength(r, bytes == null ? 0 : bytes.length);
        }
        resp.headers().forEach((k, v) -> r.headers().set(k, v));
        return r;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            LOG.debug("{}: closing idle connection {}", settings.name(), ctx.channel().remoteAddress());
            ctx.close();
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("{}: connection {} failed: {}", settings.name(), ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    /** The {@link Deferred} of one request: one reply at most, dropped once the connection is gone. */
    private final class Reply implements Deferred {
        private final ChannelHandlerContext ctx;
        private final boolean keepAlive;
        private final AtomicBoolean taken = new AtomicBoolean();
        private final AtomicBoolean replied = new AtomicBoolean();

        Reply(ChannelHandlerContext ctx, boolean keepAlive) {
            this.ctx = ctx;
            this.keepAlive = keepAlive;
        }

        Deferred take() {
            if (!taken.compareAndSet(false, true)) {
                throw new IllegalStateException("a request is deferred once");
            }
            return this;
        }

        @Override
        public EventExecutor executor() {
            return ctx.executor();
        }

        @Override
        public void reply(Response response) {
            if (replied.compareAndSet(false, true) && ctx.channel().isActive()) {
                write(ctx, response, keepAlive);
            }
        }

        @Override
        public void onClose(Runnable action) {
            ctx.channel().closeFuture().addListener(f -> action.run());
        }
    }
}
