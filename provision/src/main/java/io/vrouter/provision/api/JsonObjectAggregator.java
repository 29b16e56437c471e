package io.vrouter.provision.api;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.util.List;

/**
 * {@link HttpObjectAggregator} whose "body too large" answer is the API's JSON error (413 with
 * {@code {"error": ...}}) instead of Netty's empty one.
 */
final class JsonObjectAggregator extends HttpObjectAggregator {
    private final int maxBytes;

    JsonObjectAggregator(int maxBytes) {
        super(maxBytes);
        this.maxBytes = maxBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        FullHttpResponse r = ConfigApiHandler.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                "request body exceeds " + maxBytes + " bytes", List.of());
        HttpUtil.setContentLength(r, r.content().readableBytes());
        // As Netty does: close when the body is already here or nobody wants the connection kept;
        // otherwise the aggregator skips the rest of the body and the connection stays usable.
        if (oversized instanceof FullHttpMessage
                || !HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized)) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }
}
