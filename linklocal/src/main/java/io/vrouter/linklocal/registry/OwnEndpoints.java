package io.vrouter.linklocal.registry;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collection;
import java.util.function.Supplier;
import java.util.function.Predicate;

/**
 * "Is this one of my own listening endpoints?" for {@link LinkLocalRegistry.Builder#ownEndpoints}:
 * one of the given ports on an address of this host (loopback, or one assigned to any local
 * interface, looked up when asked: addresses come and go with the vhost).
 */
public final class OwnEndpoints {
    private OwnEndpoints() {
    }

    /**
     * The agent's listening ports on any address of this host; {@code ports} is asked each time
     * (servers bound to port 0 learn theirs only once started).
     */
    public static Predicate<InetSocketAddress> onThisHost(Supplier<? extends Collection<Integer>> ports) {
        return target -> ports.get().contains(target.getPort()) && isLocal(target.getAddress());
    }

    static boolean isLocal(InetAddress a) {
        if (a == null) {
            return false;
        }
        if (a.isLoopbackAddress() || a.isAnyLocalAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(a) != null;
        } catch (SocketException e) {
            return true; // cannot tell: refusing a target is safer than exposing the agent
        }
    }
}
