package io.vrouter.linklocal.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import java.util.concurrent.TimeUnit;

/**
 * Slowloris guard, in front of the HTTP decoder: the first byte of a request starts a clock;
 * if the complete request (line, headers and body) has not been decoded within the timeout,
 * the guest gets 408 and the connection closes. {@link GuestHandler} stops the clock when a
 * request is complete. A connection that sends nothing at all is left to the idle timeout.
 *
 * <p>Cheap on keep-alive connections: at most one timer is pending per connection and it is
 * not cancelled when a request completes; when it fires it re-arms itself only if a request is
 * in progress, so a busy connection schedules one task per timeout period, not per request.
 * The price: a request that starts while an older timer is pending gets between one and two
 * timeouts to complete (a request on a fresh or quiet connection gets exactly one).
 */
final class RequestReadTimer extends ChannelDuplexHandler {
    private final long timeoutNanos;
    private final Runnable onTimeout;
    private ChannelHandlerContext ctx;
    private boolean inProgress;
    /** Incremented per request start; a timer fires only on a request it saw start. */
    private long generation;
    private long timerGeneration;
    private boolean timerPending;

    RequestReadTimer(long timeoutMs, Runnable onTimeout) {
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        this.onTimeout = onTimeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!inProgress && msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
            inProgress = true;
            generation++;
            if (!timerPending) {
                schedule();
            }
        }
        ctx.fireChannelRead(msg);
    }

    private void schedule() {
        timerPending = true;
        timerGeneration = generation;
        ctx.executor().schedule(this::fire, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void fire() {
        timerPending = false;
        if (!inProgress || !ctx.channel().isActive()) {
            return;
        }
        if (generation != timerGeneration) {
            schedule(); // the request in progress started after this timer: give it a full period
        } else {
            inProgress = false;
            onTimeout.run();
        }
    }

    /** A request was fully decoded: its bytes arrived in time. */
    void requestComplete() {
        inProgress = false;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        inProgress = false;
        ctx.fireChannelInactive();
    }
}
