package io.vrouter.flow;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Sizes, limits and timeouts of a {@link FlowTable}. Immutable; build with {@link #builder()}.
 * Every setter validates and throws {@link IllegalArgumentException} naming the setting, so a bad
 * {@code agent.conf} value is reported at start-up, not at the first packet.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>range</th><th>why the default</th></tr>
 *   <tr><td>capacity</td><td>{@value #DEFAULT_CAPACITY}</td><td>power of two, 16..2^26</td>
 *       <td>vrouter's default table (512K)</td></tr>
 *   <tr><td>maxVmFlowsPercent</td><td>{@value #DEFAULT_MAX_VM_FLOWS_PERCENT}</td><td>1..100</td>
 *       <td>agent.conf FLOWS.max_vm_flows: entries per interface, % of capacity. Contrail's
 *       default is 100, so one guest could fill the node's table; 5 % needs 20 flooding guests</td></tr>
 *   <tr><td>maxVmLinkLocalFlows</td><td>{@value #DEFAULT_MAX_VM_LINKLOCAL_FLOWS}</td><td>&ge; 0</td>
 *       <td>FLOWS.max_vm_linklocal_flows: link-local pairs per interface. Contrail's default equals
 *       the node's (16384), so one guest could take every guest's metadata; a VM needs a few
 *       (cloud-init: one keep-alive connection)</td></tr>
 *   <tr><td>maxSystemLinkLocalFlows</td><td>{@value #DEFAULT_MAX_SYSTEM_LINKLOCAL_FLOWS}</td>
 *       <td>&ge; 0</td><td>FLOWS.max_system_linklocal_flows: link-local pairs in total</td></tr>
 *   <tr><td>maxHoldFlows</td><td>{@value #DEFAULT_MAX_HOLD_FLOWS}</td><td>1..65535</td>
 *       <td>vrouter's limit on flows waiting for the agent</td></tr>
 *   <tr><td>holdQueueLength</td><td>{@value #DEFAULT_HOLD_QUEUE_LENGTH}</td><td>0..64</td>
 *       <td>vrouter queues 3 packets per HOLD flow</td></tr>
 *   <tr><td>maxInterfaces</td><td>{@value #DEFAULT_MAX_INTERFACES}</td><td>1..2^23</td>
 *       <td>metadata IPs 169.254.X.Y give 65534 interface indexes</td></tr>
 *   <tr><td>idleTimeoutNs</td><td>180 s</td><td>1 ms..24 days, per protocol</td>
 *       <td>agent flow_cache_timeout</td></tr>
 *   <tr><td>holdTimeoutNs</td><td>5 s</td><td>1 ms..24 days</td>
 *       <td>a HOLD flow the agent never answered is removed, so the guest's retry re-asks</td></tr>
 *   <tr><td>tcpCloseLingerNs</td><td>1 s</td><td>0..24 days</td>
 *       <td>after FIN both ways or RST: the last ACK and retransmitted FINs still match</td></tr>
 *   <tr><td>closeQueueLength</td><td>{@value #DEFAULT_CLOSE_QUEUE_LENGTH}</td><td>power of two, 16..2^20</td>
 *       <td>closed TCP flows removed without waiting for the aging cursor; overflow falls
 *       back to the cursor</td></tr>
 *   <tr><td>embryonicTimeoutNs</td><td>5 s</td><td>1 ms..24 days</td>
 *       <td>idle timeout of a pair that never completed (TCP: no SYN-ACK or no ACK; UDP: no
 *       reply): a SYN flood's flows go in seconds, not after the idle timeout</td></tr>
 *   <tr><td>dropTimeoutNs</td><td>5 s</td><td>1 ms..24 days</td>
 *       <td>idle timeout of a DROP flow (NO_SERVICE, a limit): long enough that retries are
 *       dropped in the fast path, short enough that a flood's drop flows do not pile up</td></tr>
 *   <tr><td>newFlowsPerSecond</td><td>{@value #DEFAULT_NEW_FLOWS_PER_SECOND}</td><td>0..10^6 (0: off)</td>
 *       <td>per-interface token bucket on new flows, as vrouter throttles flow traps to the agent:
 *       refused flows are counted as NEW_FLOW_RATE_LIMIT and create nothing</td></tr>
 *   <tr><td>newFlowBurst</td><td>{@value #DEFAULT_NEW_FLOW_BURST}</td><td>1..10^6</td>
 *       <td>bucket depth: a booting guest's burst of connections passes untouched</td></tr>
 *   <tr><td>ipv6Addresses</td><td>capacity / 4, at least 16</td><td>power of two, 16..2^26</td>
 *       <td>distinct IPv6 addresses the IPv6 flows may use at once (28 bytes each): a guest's
 *       link-local and fixed address, the service and the agent's side; a full table refuses new
 *       IPv6 flows as IPV6_ADDRESS_TABLE_FULL, and the per-VM flow limit bounds what one guest
 *       can take</td></tr>
 *   <tr><td>hashSeed</td><td>random</td><td>any</td><td>guests choose ports: a secret seed keeps
 *       them from aiming collisions at one bucket</td></tr>
 * </table>
 */
public final class FlowTableConfig {
    public static final int DEFAULT_CAPACITY = 512 * 1024;
    public static final int MIN_CAPACITY = 16;
    public static final int MAX_CAPACITY = 1 << 26;
    public static final int DEFAULT_MAX_VM_FLOWS_PERCENT = 5;
    public static final int DEFAULT_MAX_VM_LINKLOCAL_FLOWS = 1024;
    public static final int DEFAULT_MAX_SYSTEM_LINKLOCAL_FLOWS = 16384;
    public static final int DEFAULT_MAX_HOLD_FLOWS = 8192;
    public static final int MAX_HOLD_FLOWS_LIMIT = 65535;
    public static final int DEFAULT_HOLD_QUEUE_LENGTH = 3;
    public static final int MAX_HOLD_QUEUE_LENGTH = 64;
    public static final int DEFAULT_MAX_INTERFACES = 65536;
    public static final long DEFAULT_IDLE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(180);
    public static final long DEFAULT_HOLD_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    public static final long DEFAULT_TCP_CLOSE_LINGER_NS = TimeUnit.SECONDS.toNanos(1);
    public static final int DEFAULT_CLOSE_QUEUE_LENGTH = 4096;
    public static final long DEFAULT_EMBRYONIC_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    public static final long DEFAULT_DROP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);
    public static final int DEFAULT_NEW_FLOWS_PER_SECOND = 100;
    public static final int DEFAULT_NEW_FLOW_BURST = 200;
    public static final int MAX_NEW_FLOWS_PER_SECOND = 1_000_000;
    /** Longest timeout: half the 32-bit tick range, so wrapping comparisons stay correct. */
    public static final long MAX_TIMEOUT_NS = (1L << 31) << FlowRecord.TICK_SHIFT;

    final int capacity;
    final int maxVmFlowsPercent;
    final int maxVmLinkLocalFlows;
    final int maxSystemLinkLocalFlows;
    final int maxHoldFlows;
    final int holdQueueLength;
    final int maxInterfaces;
    final long[] idleTimeoutNs;
    final long holdTimeoutNs;
    final long tcpCloseLingerNs;
    final int closeQueueLength;
    final long embryonicTimeoutNs;
    final long dropTimeoutNs;
    final int newFlowsPerSecond;
    final int newFlowBurst;
    final long hashSeed;
    final int ipv6Addresses;

    private FlowTableConfig(Builder b) {
        capacity = b.capacity;
        maxVmFlowsPercent = b.maxVmFlowsPercent;
        maxVmLinkLocalFlows = b.maxVmLinkLocalFlows;
        maxSystemLinkLocalFlows = b.maxSystemLinkLocalFlows;
        maxHoldFlows = b.maxHoldFlows;
        holdQueueLength = b.holdQueueLength;
        maxInterfaces = b.maxInterfaces;
        idleTimeoutNs = b.idleTimeoutNs.clone();
        holdTimeoutNs = b.holdTimeoutNs;
        tcpCloseLingerNs = b.tcpCloseLingerNs;
        closeQueueLength = b.closeQueueLength;
        embryonicTimeoutNs = b.embryonicTimeoutNs;
        dropTimeoutNs = b.dropTimeoutNs;
        newFlowsPerSecond = b.newFlowsPerSecond;
        newFlowBurst = b.newFlowBurst;
        hashSeed = b.hashSeed;
        ipv6Addresses = b.ipv6Addresses > 0 ? b.ipv6Addresses : Math.max(MIN_CAPACITY, capacity / 4);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** All defaults (random hash seed). */
    public static FlowTableConfig defaults() {
        return builder().build();
    }

    public int capacity() {
        return capacity;
    }

    /** Entries one interface may own: {@code capacity * maxVmFlowsPercent / 100}. */
    public int maxVmFlows() {
        return (int) ((long) capacity * maxVmFlowsPercent / 100);
    }

    public int maxVmFlowsPercent() {
        return maxVmFlowsPercent;
    }

    public int maxVmLinkLocalFlows() {
        return maxVmLinkLocalFlows;
    }

    public int maxSystemLinkLocalFlows() {
        return maxSystemLinkLocalFlows;
    }

    public int maxHoldFlows() {
        return maxHoldFlows;
    }

    public int holdQueueLength() {
        return holdQueueLength;
    }

    public int maxInterfaces() {
        return maxInterfaces;
    }

    public long idleTimeoutNs(int proto) {
        return idleTimeoutNs[proto & 0xFF];
    }

    public long holdTimeoutNs() {
        return holdTimeoutNs;
    }

    public long tcpCloseLingerNs() {
        return tcpCloseLingerNs;
    }

    public int closeQueueLength() {
        return closeQueueLength;
    }

    public long embryonicTimeoutNs() {
        return embryonicTimeoutNs;
    }

    public long dropTimeoutNs() {
        return dropTimeoutNs;
    }

    /** New flows per second one interface may start; 0: unlimited. */
    public int newFlowsPerSecond() {
        return newFlowsPerSecond;
    }

    public int newFlowBurst() {
        return newFlowBurst;
    }

    public long hashSeed() {
        return hashSeed;
    }

    /** Distinct IPv6 addresses the table's IPv6 flows may use at once. */
    public int ipv6Addresses() {
        return ipv6Addresses;
    }

    /** Mutable builder; every setter validates its argument. */
    public static final class Builder {
        private int capacity = DEFAULT_CAPACITY;
        private int maxVmFlowsPercent = DEFAULT_MAX_VM_FLOWS_PERCENT;
        private int maxVmLinkLocalFlows = DEFAULT_MAX_VM_LINKLOCAL_FLOWS;
        private int maxSystemLinkLocalFlows = DEFAULT_MAX_SYSTEM_LINKLOCAL_FLOWS;
        private int maxHoldFlows = DEFAULT_MAX_HOLD_FLOWS;
        private int holdQueueLength = DEFAULT_HOLD_QUEUE_LENGTH;
        private int maxInterfaces = DEFAULT_MAX_INTERFACES;
        private final long[] idleTimeoutNs = new long[256];
        private long holdTimeoutNs = DEFAULT_HOLD_TIMEOUT_NS;
        private long tcpCloseLingerNs = DEFAULT_TCP_CLOSE_LINGER_NS;
        private int closeQueueLength = DEFAULT_CLOSE_QUEUE_LENGTH;
        private long embryonicTimeoutNs = DEFAULT_EMBRYONIC_TIMEOUT_NS;
        private long dropTimeoutNs = DEFAULT_DROP_TIMEOUT_NS;
        private int newFlowsPerSecond = DEFAULT_NEW_FLOWS_PER_SECOND;
        private int newFlowBurst = DEFAULT_NEW_FLOW_BURST;
        private long hashSeed = new java.security.SecureRandom().nextLong();
        /** 0: capacity / 4 (at least 16), decided at build time. */
        private int ipv6Addresses;

        private Builder() {
            Arrays.fill(idleTimeoutNs, DEFAULT_IDLE_TIMEOUT_NS);
        }

        public Builder capacity(int entries) {
            if (entries < MIN_CAPACITY || entries > MAX_CAPACITY || Integer.bitCount(entries) != 1) {
                throw new IllegalArgumentException("flow table capacity " + entries + " must be a power of two in "
                        + MIN_CAPACITY + ".." + MAX_CAPACITY);
            }
            this.capacity = entries;
            return this;
        }

        public Builder maxVmFlowsPercent(int percent) {
            if (percent < 1 || percent > 100) {
                throw new IllegalArgumentException("max_vm_flows " + percent + " must be a percentage in 1..100");
            }
            this.maxVmFlowsPercent = percent;
            return this;
        }

        public Builder maxVmLinkLocalFlows(int pairs) {
            if (pairs < 0) {
                throw new IllegalArgumentException("max_vm_linklocal_flows " + pairs + " must be >= 0");
            }
            this.maxVmLinkLocalFlows = pairs;
            return this;
        }

        public Builder maxSystemLinkLocalFlows(int pairs) {
            if (pairs < 0) {
                throw new IllegalArgumentException("max_system_linklocal_flows " + pairs + " must be >= 0");
            }
            this.maxSystemLinkLocalFlows = pairs;
            return this;
        }

        public Builder maxHoldFlows(int flows) {
            if (flows < 1 || flows > MAX_HOLD_FLOWS_LIMIT) {
                throw new IllegalArgumentException("max hold flows " + flows + " must be in 1.." + MAX_HOLD_FLOWS_LIMIT);
            }
            this.maxHoldFlows = flows;
            return this;
        }

        public Builder holdQueueLength(int packets) {
            this.holdQueueLength = checkRange("hold queue length", packets, 0, MAX_HOLD_QUEUE_LENGTH);
            return this;
        }

        public Builder ipv6Addresses(int addresses) {
            if (addresses < MIN_CAPACITY || addresses > MAX_CAPACITY || Integer.bitCount(addresses) != 1) {
                throw new IllegalArgumentException("IPv6 address table size " + addresses
                        + " must be a power of two in " + MIN_CAPACITY + ".." + MAX_CAPACITY);
            }
            this.ipv6Addresses = addresses;
            return this;
        }

        public Builder maxInterfaces(int interfaces) {
            if (interfaces < 1 || interfaces > FlowRecord.MAX_INTERFACE_ID + 1) {
                throw new IllegalArgumentException("max interfaces " + interfaces + " must be in 1.."
                        + (FlowRecord.MAX_INTERFACE_ID + 1));
            }
            this.maxInterfaces = interfaces;
            return this;
        }

        /** Idle timeout for every protocol. */
        public Builder idleTimeoutNs(long ns) {
            checkTimeout("idle timeout", ns, 1_000_000L);
            Arrays.fill(idleTimeoutNs, ns);
            return this;
        }

        /** Idle timeout for one IP protocol (e.g. 17 for UDP). */
        public Builder idleTimeoutNs(int proto, long ns) {
            if (proto < 0 || proto > 255) {
                throw new IllegalArgumentException("IP protocol " + proto + " outside 0..255");
            }
            checkTimeout("idle timeout of protocol " + proto, ns, 1_000_000L);
            idleTimeoutNs[proto] = ns;
            return this;
        }

        public Builder holdTimeoutNs(long ns) {
            this.holdTimeoutNs = checkTimeout("hold timeout", ns, 1_000_000L);
            return this;
        }

        public Builder tcpCloseLingerNs(long ns) {
            this.tcpCloseLingerNs = checkTimeout("TCP close linger", ns, 0);
            return this;
        }

        public Builder closeQueueLength(int handles) {
            if (handles < 16 || handles > (1 << 20) || Integer.bitCount(handles) != 1) {
                throw new IllegalArgumentException("close queue length " + handles
                        + " must be a power of two in 16..1048576");
            }
            this.closeQueueLength = handles;
            return this;
        }

        /** Idle timeout of a pair that never completed: TCP without SYN-ACK and ACK, other protocols without a reply. */
        public Builder embryonicTimeoutNs(long ns) {
            this.embryonicTimeoutNs = checkTimeout("embryonic flow timeout", ns, 1_000_000L);
            return this;
        }

        /** Idle timeout of a DROP flow (no service, a limit, policy). */
        public Builder dropTimeoutNs(long ns) {
            this.dropTimeoutNs = checkTimeout("drop flow timeout", ns, 1_000_000L);
            return this;
        }

        /** New flows one interface may start per second (token bucket refill); 0 turns the limit off. */
        public Builder newFlowsPerSecond(int flows) {
            this.newFlowsPerSecond = checkRange("new flows per second (0: unlimited)", flows, 0, MAX_NEW_FLOWS_PER_SECOND);
            return this;
        }

        /** New flows one interface may start at once after a quiet period (token bucket depth). */
        public Builder newFlowBurst(int flows) {
            this.newFlowBurst = checkRange("new flow burst", flows, 1, MAX_NEW_FLOWS_PER_SECOND);
            return this;
        }

        /** Fixes the hash seed (tests, reproducible benchmarks); by default it is random. */
        public Builder hashSeed(long seed) {
            this.hashSeed = seed;
            return this;
        }

        public FlowTableConfig build() {
            return new FlowTableConfig(this);
        }

        /** {@code v}, when within {@code min..max}. */
        private static int checkRange(String what, int v, int min, int max) {
            if (v < min || v > max) {
                throw new IllegalArgumentException(what + " " + v + " must be in " + min + ".." + max);
            }
            return v;
        }

        /** {@code ns}, when within {@code min..MAX_TIMEOUT_NS}. */
        private static long checkTimeout(String what, long ns, long min) {
            if (ns < min || ns > MAX_TIMEOUT_NS) {
                throw new IllegalArgumentException(what + " " + ns + " ns must be in " + min + ".." + MAX_TIMEOUT_NS
                        + " ns");
            }
            return ns;
        }
    }
}
