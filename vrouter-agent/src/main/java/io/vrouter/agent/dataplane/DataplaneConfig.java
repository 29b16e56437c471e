package io.vrouter.agent.dataplane;

import io.vrouter.flow.FlowTableConfig;
import io.vrouter.plumbing.config.SettingRange;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Settings of one {@link Dataplane}. Immutable; build with {@link #builder(Inet4Address, long)}, whose
 * setters check each value.
 *
 * <table>
 * <caption>Settings</caption>
 * <tr><th>setting</th><th>default</th><th>why</th></tr>
 * <tr><td>vhostIp</td><td>(required)</td><td>VIRTUAL-HOST-INTERFACE.ip: where the metadata proxy
 * and the relays listen; the DNAT target</td></tr>
 * <tr><td>vhostKernelMac</td><td>(required)</td><td>destination MAC of frames injected towards
 * the host kernel</td></tr>
 * <tr><td>metadataProxyPort</td><td>{@value #DEFAULT_METADATA_PROXY_PORT}</td><td>METADATA.metadata_proxy_port</td></tr>
 * <tr><td>agentMac</td><td>{@code 00:00:5e:00:01:00}</td><td>vrouter's virtual MAC: answers ARP,
 * source of every injected frame</td></tr>
 * <tr><td>rxBatch</td><td>{@value #DEFAULT_RX_BATCH}</td><td>frames taken from one interface per
 * cycle, so a busy guest cannot starve the others</td></tr>
 * <tr><td>ageBudget</td><td>{@value #DEFAULT_AGE_BUDGET}</td><td>most flows visited by aging
 * per flow-time tick (~1 ms; not per cycle, which runs per frame): bounded work, ~1 M flows a
 * second at most; {@link AgingPace} visits only what walks the table once per eighth of the
 * shortest timeout</td></tr>
 * <tr><td>commandBudget</td><td>{@value #DEFAULT_COMMAND_BUDGET}</td><td>control commands run
 * per cycle</td></tr>
 * <tr><td>idleParkNs</td><td>{@value #DEFAULT_IDLE_PARK_NS}</td><td>longest sleep when idle:
 * aging still runs at least this often; a frame or command wakes the thread at once</td></tr>
 * <tr><td>busyPollNs</td><td>{@value #DEFAULT_BUSY_POLL_NS} (system property
 * {@value #BUSY_POLL_NS_PROP_NAME})</td><td>how long the dataplane thread keeps polling its
 * queues (spin, then yield) after the last cycle that did work, before it parks: frames of a
 * burst or a round trip arriving in that window cost no park/unpark (a futex wake on the capture
 * thread and a scheduler wake-up on the dataplane thread). 0: park at once. An idle dataplane
 * polls only once after its last frame, so idle CPU stays ~0.</td></tr>
 * <tr><td>flowTable</td><td>{@link FlowTableConfig#defaults()}</td><td>agent.conf FLOWS</td></tr>
 * <tr><td>vhostMtu</td><td>{@value #DEFAULT_VHOST_MTU}</td><td>the vhost veth's MTU (the kernel
 * default; the agent creates it): a guest frame longer than this plus the Ethernet header is a
 * TSO/GSO super-frame and is cut into TCP segments that fit ({@link io.vrouter.packet.TcpSegmenter});
 * the kernel would refuse it whole ("Message too long")</td></tr>
 * <tr><td>completePartialGuestChecksums</td><td>true</td><td>a guest may hand its frames over
 * with checksum offload (veth with TX offload on, virtio): the TCP/UDP checksum is then only the
 * pseudo-header sum and the host kernel would drop the packet. With this on, such a checksum is
 * recognised (one pseudo-header sum per packet) and completed before NAT; every other packet
 * gets only the RFC 1624 incremental update, so a corrupt one stays exactly as corrupt
 * ({@link io.vrouter.packet.PacketChecksums#completePartialTransportChecksum}).</td></tr>
 * </table>
 */
public record DataplaneConfig(Inet4Address vhostIp, long vhostKernelMac, int metadataProxyPort, long agentMac,
                              int rxBatch, int ageBudget, int commandBudget, long idleParkNs, long busyPollNs,
                              FlowTableConfig flowTable, boolean completePartialGuestChecksums, int vhostMtu) {
    public static final int DEFAULT_METADATA_PROXY_PORT = io.vrouter.linklocal.proxy.MetadataProxyConfig.DEFAULT_PORT;
    public static final long DEFAULT_AGENT_MAC = 0x00005e000100L;
    public static final int DEFAULT_RX_BATCH = 64;
    public static final int DEFAULT_AGE_BUDGET = 1024;
    public static final int DEFAULT_COMMAND_BUDGET = 64;
    public static final long DEFAULT_IDLE_PARK_NS = 10_000_000L;
    public static final int DEFAULT_VHOST_MTU = 1500;
    /** System property overriding {@link #DEFAULT_BUSY_POLL_NS} (benchmarks, tuning). */
    public static final String BUSY_POLL_NS_PROP_NAME = "vrouter.dataplane.busyPollNs";
    /**
     * Off. Measured on the 2-core benchmark machine (benchmarks/results/dataplane.md), 50 us of
     * busy polling did not raise throughput: with every core busy, the dataplane thread's yields
     * take time from the metadata proxy and the guests. Worth trying where the dataplane has a
     * core to itself.
     */
    public static final long DEFAULT_BUSY_POLL_NS = 0L;

    /** Built by {@link Builder#build()}, which has checked every setting. */
    public DataplaneConfig {
        Objects.requireNonNull(vhostIp, "vhostIp");
        Objects.requireNonNull(flowTable, "flowTable");
    }

    public static Builder builder(Inet4Address vhostIp, long vhostKernelMac) {
        return new Builder(vhostIp, vhostKernelMac);
    }

    /** {@link #vhostIp()} as an int (network order value). */
    public int vhostIpInt() {
        return ByteBuffer.wrap(vhostIp.getAddress()).getInt();
    }

    /** Validating builder: each setter throws {@link IllegalArgumentException} naming the setting. */
    public static final class Builder {
        private final Inet4Address vhostIp;
        private final long vhostKernelMac;
        private int metadataProxyPort = DEFAULT_METADATA_PROXY_PORT;
        private long agentMac = DEFAULT_AGENT_MAC;
        private int rxBatch = DEFAULT_RX_BATCH;
        private int ageBudget = DEFAULT_AGE_BUDGET;
        private int commandBudget = DEFAULT_COMMAND_BUDGET;
        private long idleParkNs = DEFAULT_IDLE_PARK_NS;
        private long busyPollNs = checkBusyPoll(Long.getLong(BUSY_POLL_NS_PROP_NAME, DEFAULT_BUSY_POLL_NS));
        private FlowTableConfig flowTable;
        private boolean completePartialGuestChecksums = true;
        private int vhostMtu = DEFAULT_VHOST_MTU;

        private Builder(Inet4Address vhostIp, long vhostKernelMac) {
            this.vhostIp = Objects.requireNonNull(vhostIp, "vhostIp");
            if ((vhostKernelMac >>> 48) != 0 || vhostKernelMac == 0) {
                throw new IllegalArgumentException("vhostKernelMac must be a non-zero 48-bit MAC");
            }
            this.vhostKernelMac = vhostKernelMac;
        }

        /** 576 (the IPv4 minimum every link carries) to 9000 (jumbo frames). */
        public Builder vhostMtu(int mtu) {
            this.vhostMtu = SettingRange.require("vhostMtu", mtu, 576, 9000);
            return this;
        }

        public Builder metadataProxyPort(int port) {
            this.metadataProxyPort = SettingRange.require("metadataProxyPort", port, 1, 65535);
            return this;
        }

        public Builder agentMac(long mac) {
            if ((mac >>> 48) != 0 || mac == 0 || (mac & 0x0100_0000_0000L) != 0) {
                throw new IllegalArgumentException("agentMac must be a non-zero unicast 48-bit MAC");
            }
            this.agentMac = mac;
            return this;
        }

        public Builder rxBatch(int n) {
            this.rxBatch = SettingRange.require("rxBatch", n, 1, 1 << 16);
            return this;
        }

        public Builder ageBudget(int n) {
            this.ageBudget = SettingRange.require("ageBudget", n, 1, Integer.MAX_VALUE);
            return this;
        }

        public Builder commandBudget(int n) {
            this.commandBudget = SettingRange.require("commandBudget", n, 1, 1 << 16);
            return this;
        }

        public Builder idleParkNs(long ns) {
            if (ns < 1_000 || ns > 1_000_000_000L) {
                throw new IllegalArgumentException("idleParkNs must be in [1000, 1e9], got " + ns);
            }
            this.idleParkNs = ns;
            return this;
        }

        /** See the class table; 0 turns busy polling off. */
        public Builder busyPollNs(long ns) {
            this.busyPollNs = checkBusyPoll(ns);
            return this;
        }

        private static long checkBusyPoll(long ns) {
            if (ns < 0 || ns > 10_000_000L) {
                throw new IllegalArgumentException("busyPollNs must be in [0, 1e7], got " + ns);
            }
            return ns;
        }

        public Builder flowTable(FlowTableConfig config) {
            this.flowTable = Objects.requireNonNull(config, "flowTable");
            return this;
        }

        public Builder completePartialGuestChecksums(boolean on) {
            this.completePartialGuestChecksums = on;
            return this;
        }

        public DataplaneConfig build() {
            return new DataplaneConfig(vhostIp, vhostKernelMac, metadataProxyPort, agentMac, rxBatch, ageBudget,
                    commandBudget, idleParkNs, busyPollNs, flowTable != null ? flowTable : FlowTableConfig.defaults(),
                    completePartialGuestChecksums, vhostMtu);
        }
    }
}
