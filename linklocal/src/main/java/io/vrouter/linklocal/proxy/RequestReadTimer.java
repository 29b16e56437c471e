package io.vrouter.linklocal.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Slowloris guard, in front of the HTTP decoder: the first byte of a request starts a clock;
 * if the complete request (line, headers and body) has not been decoded within the timeout,
 * the guest gets 408 and the connection closes. {@link GuestHandler} stops the clock when a
 * request is complete. A connection that sends nothing at all is left to the idle timeout.
 */
final class RequestReadTimer extends ChannelDuplexHandler {
    private final long timeoutMs;
    private final Runnable onTimeout;
    private ScheduledFuture<?> timer;

    RequestReadTimer(long timeoutMs, Runnable onTimeout) {
        this.timeoutMs = timeoutMs;
        this.onTimeout = onTimeout;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (timer == null && msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
            timer = ctx.executor().schedule(() -> {
                timer = null;
                onTimeout.run();
            }, timeoutMs, TimeUnit.MILLISECONDS);
        }
        ctx.fireChannelRead(msg);
    }

    /** A request was fully decoded: its bytes arrived in time. */
    void requestComplete() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        requestComplete();
        ctx.fireChannelInactive();
    }
}
