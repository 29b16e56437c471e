package io.vrouter.plumbing.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;

/**
 * {@link HttpObjectAggregator} whose "body too large" answer is the one JSON error (413) instead
 * of Netty's empty one.
 */
final class JsonBodyAggregator extends HttpObjectAggregator {
    private final int maxBytes;
    private final ObjectMapper mapper;

    JsonBodyAggregator(int maxBytes, ObjectMapper mapper) {
        super(maxBytes);
        this.maxBytes = maxBytes;
        this.mapper = mapper;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        FullHttpResponse r = JsonRequestHandler.encode(mapper,
                new HttpError(413, "request body exceeds " + maxBytes + " bytes").toResponse());
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
