package io.vrouter.linklocal.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link HttpObjectAggregator} that counts and logs the 413 it sends for a request body over
 * {@code maxRequestBodyBytes} (by Content-Length up front, or while a chunked body streams in).
 * The connection is closed after the 413, as the rest of the body cannot be trusted to follow.
 */
final class GuestAggregator extends HttpObjectAggregator {
    private static final Logger LOG = LoggerFactory.getLogger(GuestAggregator.class);
    private final ProxyCounters counters;

    GuestAggregator(int maxContentLength, ProxyCounters counters) {
        super(maxContentLength, true);
        this.counters = counters;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        if (oversized instanceof HttpRequest req) {
            counters.request();
            counters.rejected(RejectReason.BODY_TOO_LARGE);
            counters.respondedByCodec(413);
            LOG.warn("metadata: src={} path={} status=413 cause=BODY_TOO_LARGE (Content-Length {}, limit {})",
                    ctx.channel().remoteAddress(), req.uri(), req.headers().get(HttpHeaderNames.CONTENT_LENGTH),
                    maxContentLength());
        }
        super.handleOversizedMessage(ctx, oversized);
    }
}
