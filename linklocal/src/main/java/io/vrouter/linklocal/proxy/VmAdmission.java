package io.vrouter.linklocal.proxy;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-VM admission: who a guest connection is and whether its next request may go to nova.
 * A VM is known by the connection's source address alone (its interface's metadata IP).
 *
 * <p>{@link Guest#admit} checks, in order (the first that fails is the answer):
 * <table>
 * <caption>Admission checks</caption>
 * <tr><th>check</th><th>refusal</th><th>connection</th></tr>
 * <tr><td>the VM's open connections, this one included, at most {@code maxConnectionsPerVm}</td>
 *     <td>{@link RejectReason#TOO_MANY_CONNECTIONS} 429, Retry-After 1</td><td>closed</td></tr>
 * <tr><td>the {@link InstanceDirectory} knows the source address</td>
 *     <td>{@link RejectReason#UNKNOWN_SOURCE} 403; {@link RejectReason#INTERNAL_ERROR} 500 when
 *     the lookup throws</td><td>kept</td></tr>
 * <tr><td>the VM's token bucket has a token ({@code rateLimitPerSecond}, {@code rateLimitBurst})</td>
 *     <td>{@link RejectReason#RATE_LIMITED} 429, Retry-After in whole seconds</td><td>kept</td></tr>
 * </table>
 *
 * <p>Thread model: one instance per proxy, shared by every event loop; the connection counts
 * and token buckets are per source address in concurrent maps (a VM's connections may sit on
 * different loops). A {@link Guest} belongs to one connection and is used on its loop only.
 */
final class VmAdmission {
    private final MetadataProxyConfig config;
    private final InstanceDirectory directory;
    private final ConcurrentHashMap<InetAddress, Integer> connectionsPerSource = new ConcurrentHashMap<>();
    /** Bounded by the number of VM interfaces: only identified sources get a bucket. */
    private final ConcurrentHashMap<InetAddress, TokenBucket> buckets = new ConcurrentHashMap<>();

    VmAdmission(MetadataProxyConfig config, InstanceDirectory directory) {
        this.config = config;
        this.directory = directory;
    }

    /**
     * A connection from {@code source} opened: counted against its VM until {@link Guest#close}.
     *
     * @param source null when the channel has no IP peer (then every request is UNKNOWN_SOURCE)
     */
    Guest open(InetAddress source) {
        boolean overCap = source != null
                && connectionsPerSource.merge(source, 1, Integer::sum) > config.maxConnectionsPerVm();
        return new Guest(source, overCap);
    }

    /** One guest connection's admission state; the result of the last {@link #admit} call. */
    final class Guest {
        private final InetAddress source;
        /** Decided once, when the connection opened: every request on it is refused. */
        private final boolean overCap;
        private boolean open = true;
        private TokenBucket bucket;
        private VmIdentity identity;
        private long retryAfterSeconds;
        private RuntimeException failure;

        private Guest(InetAddress source, boolean overCap) {
            this.source = source;
            this.overCap = overCap;
        }

        /** @return null when the request may go to nova as {@link #identity()}, else why not */
        RejectReason admit(long nowNanos) {
            identity = null;
            retryAfterSeconds = -1;
            failure = null;
            if (overCap) {
                retryAfterSeconds = 1;
                return RejectReason.TOO_MANY_CONNECTIONS;
            }
            VmIdentity id;
            try {
                id = source == null ? null : directory.lookup(source);
            } catch (RuntimeException e) {
                failure = e;
                return RejectReason.INTERNAL_ERROR;
            }
            if (id == null) {
                return RejectReason.UNKNOWN_SOURCE;
            }
            identity = id;
            long waitNanos = rateLimit(nowNanos);
            if (waitNanos > 0) {
                retryAfterSeconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
                return RejectReason.RATE_LIMITED;
            }
            return null;
        }

        /** 0 when a token was taken, else nanoseconds until one will be available. */
        private long rateLimit(long nowNanos) {
            if (config.rateLimitPerSecond() <= 0) {
                return 0;
            }
            TokenBucket b = bucket;
            if (b == null) {
                // Once per connection: the bucket outlives it (it is the VM's, not the connection's).
                b = buckets.computeIfAbsent(source,
                        k -> new TokenBucket(config.rateLimitPerSecond(), config.rateLimitBurst(), nowNanos));
                bucket = b;
            }
            return b.tryAcquire(nowNanos);
        }

        /** The VM the last admitted or rate-limited request came from; null otherwise. */
        VmIdentity identity() {
            return identity;
        }

        /**
         * The VM the connection's source belongs to, for logs and counters, also when no request
         * was admitted (an undecodable one, a refused method); null when it belongs to none or
         * the lookup fails. Admits nothing.
         */
        VmIdentity known() {
            if (identity != null) {
                return identity;
            }
            try {
                return source == null ? null : directory.lookup(source);
            } catch (RuntimeException e) {
                return null;
            }
        }

        /** The Retry-After seconds of the last refusal, or -1 for none. */
        long retryAfterSeconds() {
            return retryAfterSeconds;
        }

        /** What made the last {@link #admit} answer INTERNAL_ERROR, else null. */
        RuntimeException failure() {
            return failure;
        }

        /** The guest-facing text of a refusal {@link #admit} returned. */
        String refusal(RejectReason reason) {
            return switch (reason) {
                case TOO_MANY_CONNECTIONS -> "Too many connections from this VM (limit " + config.maxConnectionsPerVm()
                        + ").";
                case INTERNAL_ERROR -> "The proxy could not look up this VM or the metadata service.";
                case UNKNOWN_SOURCE -> "No VM interface owns source address " + sourceText()
                        + "; request not forwarded.";
                case RATE_LIMITED -> "Rate limit exceeded for this VM; retry after " + retryAfterSeconds + " s.";
                default -> throw new IllegalArgumentException("not an admission refusal: " + reason);
            };
        }

        /** The connection's source address; null without an IP peer. */
        InetAddress source() {
            return source;
        }

        /** The source address as logged and shown to the guest ("?" without one). */
        String sourceText() {
            return source == null ? "?" : source.getHostAddress();
        }

        /** The connection closed: it no longer counts against its VM's cap. Idempotent. */
        void close() {
            if (open) {
                open = false;
                if (source != null) {
                    connectionsPerSource.computeIfPresent(source, (k, v) -> v <= 1 ? null : v - 1);
                }
            }
        }
    }
}
