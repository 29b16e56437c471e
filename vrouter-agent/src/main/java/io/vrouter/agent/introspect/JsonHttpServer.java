package io.vrouter.agent.introspect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.EventExecutorGroup;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 server answering JSON, for the agent's local endpoints (port IPC,
 * introspect). Binds one address (loopback in practice) with {@code SO_REUSEADDR}, so a
 * restarted agent binds again at once even with connections of a killed one in TIME_WAIT.
 *
 * <table>
 *   <caption>Limits</caption>
 *   <tr><th>limit</th><th>default</th><th>when hit</th></tr>
 *   <tr><td>request body</td><td>{@value #DEFAULT_MAX_BODY_BYTES} bytes</td>
 *       <td>413, connection closed (HttpObjectAggregator)</td></tr>
 *   <tr><td>request line + headers</td><td>Netty's 4096 / 8192 bytes</td><td>400</td></tr>
 *   <tr><td>idle connection</td><td>{@value #DEFAULT_IDLE_SECONDS} s</td><td>closed</td></tr>
 * </table>
 *
 * <p>Threads: I/O on the given event loop group; the {@link Handler} on that loop, or on a
 * separate {@link EventExecutorGroup} when one is given (for handlers that block, e.g. fsync).
 */
public final class JsonHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JsonHttpServer.class);
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    public static final int DEFAULT_IDLE_SECONDS = 60;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /** The mapper responses are written with (java.time as ISO-8601 strings). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** A parsed request: method, decoded path (no query), query parameters and body. */
    public record Request(HttpMethod method, String path, Map<String, List<String>> query, byte[] body) {
    }

    /** A response: status and a body Jackson can serialise (a tree, a map, a record...). */
    public record Response(int status, Object body) {
        public static Response ok(Object body) {
            return new Response(200, body);
        }

        /** {@code {"error": message}}, plus {@code "errors": [{field, message}]} when given. */
        public static Response error(int status, String message, List<?> errors) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("status", status);
            m.put("error", message);
            if (errors != null && !errors.isEmpty()) {
                m.put("errors", errors);
            }
            return new Response(status, m);
        }

        public static Response error(int status, String message) {
            return error(status, message, null);
        }
    }

    @FunctionalInterface
    public interface Handler {
        Response handle(Request request);
    }

    private final String name;
    private final Channel channel;
    private final ChannelGroup connections;

    private JsonHttpServer(String name, Channel channel, ChannelGroup connections) {
        this.name = name;
        this.channel = channel;
        this.connections = connections;
    }

    /**
     * Binds and starts serving.
     *
     * @param handlerExecutor where {@code handler} runs; null for the I/O event loop
     * @throws java.io.IOException naming this server and the address when it cannot be bound
     *         (in use, not a local address)
     */
    public static JsonHttpServer start(String name, InetSocketAddress bind, EventLoopGroup group,
            EventExecutorGroup handlerExecutor, Handler handler, int maxBodyBytes) throws Exception {
        ChannelGroup connections = new DefaultChannelGroup(name, GlobalEventExecutor.INSTANCE);
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NettyTransport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        ChannelPipeline p = ch.pipeline();
                        p.addLast(new IdleStateHandler(0, 0, DEFAULT_IDLE_SECONDS, TimeUnit.SECONDS));
                        p.addLast(new HttpServerCodec());
                        p.addLast(new HttpServerKeepAliveHandler());
                        p.addLast(new JsonHttpObjectAggregator(maxBodyBytes));
                        if (handlerExecutor == null) {
                            p.addLast(new JsonHandler(name, handler));
                        } else {
                            p.addLast(handlerExecutor, new JsonHandler(name, handler));
                        }
                    }
                });
        Channel ch;
        try {
            ch = b.bind(bind).sync().channel();
        } catch (Exception e) {
            // Netty's BindException says "Address already in use" but not which address or why.
            throw new java.io.IOException(name + ": cannot listen on " + bind + ": " + e.getMessage(), e);
        }
        LOG.info("{} listening on {} ({})", name, ch.localAddress(), NettyTransport.describe());
        return new JsonHttpServer(name, ch, connections);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Stops accepting and closes the open connections. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        LOG.info("{} stopped", name);
    }

    static byte[] toJson(Object body) throws JsonProcessingException {
        return MAPPER.writeValueAsBytes(body);
    }

    /** Answers an oversized body with a JSON 413 (Netty's own answer has no body) and closes. */
    private static final class JsonHttpObjectAggregator extends HttpObjectAggregator {
        private final int max;

        JsonHttpObjectAggregator(int maxContentLength) {
            super(maxContentLength);
            this.max = maxContentLength;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            byte[] bytes;
            try {
                bytes = toJson(Response.error(413, "request body exceeds " + max + " bytes").body());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e); // a map of strings always serialises
            }
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(bytes));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            HttpUtil.setContentLength(r, bytes.length);
            HttpUtil.setKeepAlive(r, false);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static final class JsonHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final String name;
        private final Handler handler;

        JsonHandler(String name, Handler handler) {
            this.name = name;
            this.handler = handler;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            Response resp;
            if (!req.decoderResult().isSuccess()) {
                resp = Response.error(400, "malformed HTTP request: " + req.decoderResult().cause());
                send(ctx, req, resp, true);
                return;
            }
            try {
                QueryStringDecoder qs = new QueryStringDecoder(req.uri());
                byte[] body = ByteBufUtil.getBytes(req.content());
                resp = handler.handle(new Request(req.method(), qs.path(), qs.parameters(), body));
            } catch (RuntimeException e) {
                LOG.error("{}: {} {} failed", name, req.method(), req.uri(), e);
                resp = Response.error(500, "internal error: " + e);
            }
            send(ctx, req, resp, false);
        }

        private void send(ChannelHandlerContext ctx, FullHttpRequest req, Response resp, boolean close) {
            byte[] bytes;
            int status = resp.status();
            try {
                bytes = toJson(resp.body());
            } catch (JsonProcessingException e) {
                LOG.error("{}: cannot serialise the answer to {} {}", name, req.method(), req.uri(), e);
                status = 500;
                bytes = "{\"status\":500,\"error\":\"cannot serialise response\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(bytes));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            HttpUtil.setContentLength(r, bytes.length);
            if (close || !HttpUtil.isKeepAlive(req)) {
                HttpUtil.setKeepAlive(r, false);
                ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
            } else {
                HttpUtil.setKeepAlive(r, true);
                ctx.writeAndFlush(r);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            } else {
                super.userEventTriggered(ctx, evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("{}: connection {} failed: {}", name, ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }
}
