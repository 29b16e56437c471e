package io.vrouter.plumbing.http;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Netty's native epoll transport when it loads, else NIO ({@link #describe()} says which and
 * why): the servers work either way. Groups and server channels must come from the same probe.
 */
public final class HttpTransport {
    private HttpTransport() {
    }

    public static boolean epoll() {
        return Epoll.isAvailable();
    }

    /** An event loop group of daemon threads named {@code name-N}. */
    public static EventLoopGroup newGroup(int threads, String name) {
        DefaultThreadFactory tf = new DefaultThreadFactory(name, true);
        return epoll() ? new EpollEventLoopGroup(threads, tf) : new NioEventLoopGroup(threads, tf);
    }

    public static Class<? extends ServerChannel> serverChannel() {
        return epoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public static String describe() {
        return epoll() ? "epoll" : "nio (epoll unavailable: " + Epoll.unavailabilityCause() + ")";
    }
}
