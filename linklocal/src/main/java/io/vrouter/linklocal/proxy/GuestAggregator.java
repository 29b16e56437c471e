package io.vrouter.linklocal.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.TooLongHttpContentException;

/**
 * {@link HttpObjectAggregator} whose answer to a request body over {@code maxRequestBodyBytes}
 * (by Content-Length up front, or while a chunked body streams in) goes through
 * {@link GuestHandler} like every other answer: the oversized request is passed on as an
 * invalid request ({@link TooLongHttpContentException}), answered 413 in its turn (never ahead
 * of the responses to requests before it) and the connection closed after it, as the rest of
 * the body cannot be trusted to follow. Netty's own handling would write the 413 at once and
 * keep a keep-alive connection open, whose unfinished request then timed out into an
 * unsolicited 408.
 */
final class GuestAggregator extends HttpObjectAggregator {

    GuestAggregator(int maxContentLength) {
        super(maxContentLength, true);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        if (!(oversized instanceof HttpRequest req)) {
            return;
        }
        FullHttpRequest refused = new DefaultFullHttpRequest(req.protocolVersion(), req.method(), req.uri(),
                Unpooled.EMPTY_BUFFER);
        refused.setDecoderResult(DecoderResult.failure(new TooLongHttpContentException(
                "Request body larger than " + maxContentLength() + " bytes.")));
        ctx.fireChannelRead(refused);
    }
}
