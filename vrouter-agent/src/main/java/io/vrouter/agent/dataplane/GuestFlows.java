package io.vrouter.agent.dataplane;

import io.vrouter.flow.FlowAction;
import io.vrouter.flow.FlowResult;
import io.vrouter.flow.FlowTable;
import io.vrouter.packet.ParsedPacket;
import java.util.Arrays;

/**
 * A checked guest TCP/UDP packet meets the flow table: looked up keyed by its port (overlapping
 * guests never share a flow), a miss becomes a HOLD flow with the packet queued in it and set up
 * after the batch ({@link FlowSetup}), a hit goes where its flow's action says. IPv4 and IPv6 differ
 * only in the key. Dataplane thread only; allocates only the copy of a packet it holds (the frame
 * is the dataplane's reused receive buffer).
 */
final class GuestFlows {
    private final FlowTable<byte[]> table;
    private final FlowSetup setup;
    private final Egress egress;

    GuestFlows(FlowTable<byte[]> table, FlowSetup setup, Egress egress) {
        this.table = table;
        this.setup = setup;
        this.egress = egress;
    }

    void ipv4(PortState p, byte[] f, ParsedPacket pkt, int proto, long now) {
        long h = table.lookup(p.nh(), proto, pkt.srcIp(), pkt.dstIp(), pkt.srcPort(), pkt.dstPort());
        if (h == FlowResult.NO_FLOW) {
            holdNew(p, f, pkt, table.addHold(p.nh(), proto, pkt.srcIp(), pkt.dstIp(), pkt.srcPort(), pkt.dstPort(),
                    pkt.tcpFlags(), now), now);
            return;
        }
        onFlow(p, f, pkt, h, now);
    }

    void ipv6(PortState p, byte[] f, ParsedPacket pkt, int proto, long now) {
        long h = table.lookup6(p.nh(), proto, pkt.srcIp6Hi(), pkt.srcIp6Lo(), pkt.dstIp6Hi(), pkt.dstIp6Lo(),
                pkt.srcPort(), pkt.dstPort());
        if (h == FlowResult.NO_FLOW) {
            holdNew(p, f, pkt, table.addHold6(p.nh(), proto, pkt.srcIp6Hi(), pkt.srcIp6Lo(), pkt.dstIp6Hi(),
                    pkt.dstIp6Lo(), pkt.srcPort(), pkt.dstPort(), pkt.tcpFlags(), now), now);
            return;
        }
        onFlow(p, f, pkt, h, now);
    }

    /** A new flow's first packet: queued in its HOLD flow {@code h} for set-up after the batch. */
    private void holdNew(PortState p, byte[] f, ParsedPacket pkt, long h, long now) {
        if (!FlowResult.isHandle(h)) {
            p.count(PortState.DROPS); // refused by a limit: counted by the table
            return;
        }
        if (!table.holdPacket(h, Arrays.copyOf(f, pkt.frameLength()))) {
            p.count(PortState.DROPS); // hold queue length 0: set up anyway, packet dropped
        }
        setup.defer(h, now);
    }

    /** A guest packet of existing flow {@code h}, as the flow's action says. */
    private void onFlow(PortState p, byte[] f, ParsedPacket pkt, long h, long now) {
        int action = table.account(h, pkt.frameLength(), pkt.tcpFlags(), now);
        if (egress.forwardedByKernel(h, pkt)) {
            return; // the kernel fast path sent it; this copy is for the close tracking just done
        }
        switch (action) {
            case FlowAction.NAT, FlowAction.FORWARD -> egress.toVhost(h, action, f, pkt);
            case FlowAction.HOLD -> {
                if (!table.holdPacket(h, Arrays.copyOf(f, pkt.frameLength()))) {
                    p.count(PortState.DROPS); // HOLD_QUEUE_FULL, counted by the table
                }
            }
            default -> p.count(PortState.DROPS); // DROP flow: counted by the table
        }
    }
}
