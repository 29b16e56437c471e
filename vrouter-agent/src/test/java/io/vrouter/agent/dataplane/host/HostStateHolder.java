package io.vrouter.agent.dataplane.host;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * A stand-in for a running agent in its own process (for tests): takes the node lock, makes the
 * agent's nft table and vhost pair exactly as the agent does, prints {@code up}, then waits to be
 * killed. Arguments: vhost name, nft table name, vhost IPv4 address.
 */
public final class HostStateHolder {
    /** Held until the process dies: an unreachable lock's channel is closed by its cleaner, releasing the lock. */
    private static NodeLock lock;

    private HostStateHolder() {
    }

    public static void main(String[] args) throws Exception {
        lock = NodeLock.acquire(args[0]);
        NftHostIsolation.start(args[1]);
        VhostInterface.create(args[0], (Inet4Address) InetAddress.getByName(args[2]), 32, 0);
        System.out.println("up");
        System.out.flush();
        Thread.sleep(120_000); // the test kills it well before
    }
}
