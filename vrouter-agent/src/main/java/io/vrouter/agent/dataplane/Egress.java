package io.vrouter.agent.dataplane;

import io.vrouter.agent.dataplane.kernel.FastPathFlows;
import io.vrouter.agent.dataplane.kernel.KernelFastPath;
import io.vrouter.drop.DropReason;
import io.vrouter.flow.FlowAction;
import io.vrouter.flow.FlowFlags;
import io.vrouter.flow.FlowTable;
import io.vrouter.packet.Ethernet;
import io.vrouter.packet.NatRewriter;
import io.vrouter.packet.PacketChecksums;
import io.vrouter.packet.ParsedPacket;
import io.vrouter.packet.TcpSegmenter;

/**
 * The way out of the dataplane: the flow's NAT (IPv4 or IPv6), the Ethernet addresses, TSO/GSO
 * super-frames cut to the vhost MTU (IPv4 TCP only: an IPv6 frame beyond the vhost MTU is dropped
 * as OVERSIZED; a metadata request is small, and the vhost kernel end has offloads off, so its
 * replies never are), and the transmit counters. Dataplane thread only; allocation-free.
 */
final class Egress {
    private static final int SYN_ACK = 0x12;
    private static final int FIN = 0x01;
    private static final int SYN = 0x02;
    private static final int RST = 0x04;
    private final DataplaneConfig config;
    private final FlowTable<byte[]> table;
    private final DataplaneCounters counters;
    private final PortState vhost;
    /** Largest frame the vhost carries; and the buffer segments of a longer guest frame are cut into. */
    private final int vhostMaxFrame;
    private final byte[] segmentOut;
    private KernelFastPath kernel;
    private FastPathFlows fastPath;

    Egress(DataplaneConfig config, FlowTable<byte[]> table, DataplaneCounters counters, PortState vhost) {
        this.config = config;
        this.table = table;
        this.counters = counters;
        this.vhost = vhost;
        this.vhostMaxFrame = config.vhostMtu() + Ethernet.HEADER_LENGTH;
        this.segmentOut = new byte[vhostMaxFrame];
    }

    /**
     * A guest's SYN on new flow {@code h} from {@code port}, before it is sent: puts the pair on
     * the kernel fast path, if there is one and the port is ready for it. Nothing else of the
     * connection is in flight while the agent holds the SYN.
     */
    void offerToKernel(long h, ParsedPacket p, PortState port) {
        if (fastPath != null && (p.tcpFlags() & (SYN_ACK | FIN | RST)) == SYN && p.isIpv4()) {
            offload(h, port);
        }
    }

    /** A guest's packet on flow {@code h}: NAT'd as the flow says and injected into the vhost. */
    void toVhost(long h, int action, byte[] f, ParsedPacket p) {
        if (config.completePartialGuestChecksums()) {
            // Before NAT: the incremental update below keeps a checksum exactly as right (or
            // wrong) as it finds it, and a guest using offload hands over only a partial one.
            PacketChecksums.completePartialTransportChecksum(f, p);
        }
        rewrite(h, action, f, p, config.vhostKernelMac());
        if (p.frameLength() <= vhostMaxFrame) {
            send(vhost, f, p.frameLength());
            return;
        }
        // A TSO/GSO super-frame: cut it as the guest's NIC would have (checksums computed anew).
        int mss = TcpSegmenter.segmentSize(p, vhostMaxFrame);
        if (mss == 0) {
            counters.drop(DropReason.OVERSIZED);
            return;
        }
        counters.count(DataplaneCounters.GUEST_SUPER_FRAMES);
        int n = TcpSegmenter.segmentCount(p, mss);
        for (int i = 0; i < n; i++) {
            send(vhost, segmentOut, TcpSegmenter.writeSegment(f, p, mss, i, segmentOut));
        }
    }

    /**
     * Puts established TCP flows of ports that are ready for it on the kernel fast path (see
     * {@link FastPathFlows}). Before the dataplane thread starts.
     */
    void useFastPath(KernelFastPath k) {
        kernel = k;
        fastPath = new FastPathFlows(k, table, Dataplane.VHOST_INTERFACE_ID);
    }

    /** Applies the fast path's queued deletions (the end of each dataplane cycle). */
    void flushFastPath() {
        if (fastPath != null) {
            fastPath.flush();
        }
    }

    /** A vhost packet on reverse flow {@code h}: reverse-NAT'd and sent into {@code port}. */
    void toGuest(long h, int action, byte[] f, ParsedPacket p, PortState port) {
        rewrite(h, action, f, p, port.mac());
        send(port, f, p.frameLength());
    }

    /**
     * Whether a frame of flow {@code h} was already forwarded by the kernel fast path and reached
     * the agent only as the copy it gets of a FIN ({@link io.vrouter.agent.dataplane.kernel.FastPathFlows}):
     * the flow's direction is offloaded and the frame is one the fast path takes (untagged IPv4
     * without options or fragmentation, TCP with FIN and neither SYN nor RST). The caller counts
     * it in the flow table and sends nothing.
     */
    boolean forwardedByKernel(long h, ParsedPacket p) {
        int flags = p.tcpFlags();
        return fastPath != null && (flags & (FIN | SYN | RST)) == FIN && p.isIpv4() && p.vlanId() < 0
                && p.ipHeaderLength() == 20 && (p.ipFlagsFragment() & 0x3fff) == 0
                && (table.flags(h) & FlowFlags.OFFLOADED) != 0;
    }

    private void offload(long h, PortState port) {
        int ifindex = kernel.readyIfindex(port.io().interfaceName());
        if (ifindex != 0) {
            int r = fastPath.install(h, port.nh(), ifindex, port.mac(), config.agentMac(), config.vhostKernelMac());
            if (r != FastPathFlows.SKIPPED) {
                counters.count(r == FastPathFlows.INSTALLED ? DataplaneCounters.FAST_PATH_FLOWS : DataplaneCounters.FAST_PATH_REFUSED);
            }
        }
    }

    /** The flow's NAT (when its action is NAT), then the Ethernet addresses of the way out. */
    private void rewrite(long h, int action, byte[] f, ParsedPacket p, long dstMac) {
        if (action == FlowAction.NAT && p.isIpv6()) {
            // An IPv6 flow's NAT targets are address ids of the table: resolved here.
            int s = table.natSourceIp(h);
            int d = table.natDestinationIp(h);
            NatRewriter.rewrite6(f, p, NatRewriter.ALL, table.ipv6High(s), table.ipv6Low(s), table.natSourcePort(h),
                    table.ipv6High(d), table.ipv6Low(d), table.natDestinationPort(h));
        } else if (action == FlowAction.NAT) {
            NatRewriter.rewrite(f, p, NatRewriter.ALL, table.natSourceIp(h), table.natSourcePort(h),
                    table.natDestinationIp(h), table.natDestinationPort(h));
        }
        Ethernet.setDstMac(f, 0, dstMac);
        Ethernet.setSrcMac(f, 0, config.agentMac());
    }

    /** Sends and counts: TX_VHOST, or TX_GUEST and the port's TX and bytes; TX_FAILED (and the port's TX_ERRORS) when the send fails. */
    boolean send(PortState p, byte[] f, int len) {
        if (p.io().send(f, len)) {
            if (p.isVhost()) {
                counters.count(DataplaneCounters.TX_VHOST);
            } else {
                counters.count(DataplaneCounters.TX_GUEST);
                p.count(PortState.TX);
                p.add(PortState.TX_BYTES, len);
            }
            return true;
        }
        counters.count(DataplaneCounters.TX_FAILED);
        if (!p.isVhost()) {
            p.count(PortState.TX_ERRORS);
        }
        return false;
    }
}
