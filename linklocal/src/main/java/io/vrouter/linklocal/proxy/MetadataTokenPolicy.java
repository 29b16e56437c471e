package io.vrouter.linklocal.proxy;

import java.net.InetAddress;

/**
 * The token mode of one VM interface, where it differs from the node's
 * ({@link MetadataProxyConfig#tokenMode()}). Asked once per request with the connection's
 * source address (the interface's metadata IP), on a Netty event loop: must not block or
 * allocate, and must be safe for concurrent readers.
 */
@FunctionalInterface
public interface MetadataTokenPolicy {
    /** Every interface follows the node's mode. */
    MetadataTokenPolicy NODE = source -> null;

    /** The mode of the interface owning {@code source}, or null for the node's mode. */
    MetadataTokenMode mode(InetAddress source);
}
