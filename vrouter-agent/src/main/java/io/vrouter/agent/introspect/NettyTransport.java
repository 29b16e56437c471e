package io.vrouter.agent.introspect;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Netty's native epoll transport when it loads, else NIO (logged once by the caller through
 * {@link #describe()}): the agent's local HTTP servers work either way.
 */
public final class NettyTransport {
    private NettyTransport() {
    }

    public static boolean epoll() {
        return Epoll.isAvailable();
    }

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
