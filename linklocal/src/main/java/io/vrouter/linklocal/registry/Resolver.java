package io.vrouter.linklocal.registry;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;

/**
 * Resolves a fabric service's DNS name to all its addresses (every A and AAAA record). Called on
 * the registry's resolver thread, never on a packet or request path, so it may block.
 */
@FunctionalInterface
public interface Resolver {
    /**
     * @return every address of {@code name}; an empty list counts as a failure
     * @throws IOException (typically {@link java.net.UnknownHostException}) when resolution fails
     */
    List<InetAddress> resolve(String name) throws IOException;

    /** The JVM's resolver ({@link InetAddress#getAllByName}): /etc/hosts, then DNS. */
    static Resolver system() {
        return name -> List.of(InetAddress.getAllByName(name));
    }
}
