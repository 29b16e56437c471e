package io.vrouter.agent.dataplane;

import io.vrouter.drop.DropReason;
import io.vrouter.flow.FlowAction;
import io.vrouter.flow.FlowResult;
import io.vrouter.flow.FlowTable;
import io.vrouter.packet.Ipv4;
import io.vrouter.packet.Ipv6;
import io.vrouter.packet.PacketParser;
import io.vrouter.packet.ParsedPacket;

/**
 * The way in from the vhost (the host's replies): ARP for 169.254/16 and IPv6 neighbour
 * discovery answered ({@link NeighborAnswers}); TCP/UDP looked up with interface id
 * {@link Dataplane#VHOST_INTERFACE_ID}, and a hit on a reverse flow reverse-NAT'd (service address
 * and port back, the guest's IP as destination) and sent agent MAC → port MAC into the port that
 * owns the metadata address ({@link Egress#toGuest}). A FIN the kernel fast path already sent is
 * only counted. Anything else is dropped ({@link DropReason#POLICY}, {@link DropReason#UNKNOWN_INTERFACE}).
 *
 * <p>Dataplane thread only; it shares the dataplane's parser and parsed packet (one frame at a
 * time), so it allocates nothing.
 */
final class VhostFrames {
    private final FlowTable<byte[]> table;
    private final PortTable ports;
    private final PortState vhost;
    private final Egress egress;
    private final NeighborAnswers ndp;
    private final DataplaneCounters counters;
    private final PacketParser parser;
    private final ParsedPacket pkt;

    VhostFrames(FlowTable<byte[]> table, PortTable ports, PortState vhost, Egress egress, NeighborAnswers ndp,
                DataplaneCounters counters, PacketParser parser, ParsedPacket pkt) {
        this.table = table;
        this.ports = ports;
        this.vhost = vhost;
        this.egress = egress;
        this.ndp = ndp;
        this.counters = counters;
        this.parser = parser;
        this.pkt = pkt;
    }

    /** One frame the vhost's kernel end sent, {@code length} bytes of {@code f}, at {@code now}. */
    void receive(byte[] f, int length, long now) {
        counters.count(DataplaneCounters.RX_VHOST);
        int rc = parser.parse(f, 0, length, pkt);
        if (rc != 0) {
            counters.drop(rc);
            return;
        }
        boolean v6 = pkt.isIpv6();
        if (pkt.isArp() || (v6 && pkt.ipProtocol() == Ipv6.NH_ICMPV6)) {
            int dropped = pkt.isArp() ? ndp.arpFromVhost(vhost, pkt) : ndp.fromVhost(vhost, f, pkt);
            if (dropped != 0) {
                counters.drop(dropped);
            }
            return;
        }
        if (!pkt.isIpv4() && !v6) {
            counters.drop(DropReason.UNSUPPORTED_ETHERTYPE);
            return;
        }
        int proto = pkt.ipProtocol();
        if (proto != Ipv4.PROTO_TCP && proto != Ipv4.PROTO_UDP) {
            counters.drop(DropReason.POLICY);
            return;
        }
        int nh = Dataplane.VHOST_INTERFACE_ID;
        long h = v6 ? table.lookup6(nh, proto, pkt.srcIp6Hi(), pkt.srcIp6Lo(), pkt.dstIp6Hi(), pkt.dstIp6Lo(),
                pkt.srcPort(), pkt.dstPort())
                : table.lookup(nh, proto, pkt.srcIp(), pkt.dstIp(), pkt.srcPort(), pkt.dstPort());
        if (h == FlowResult.NO_FLOW) {
            counters.drop(DropReason.POLICY);
            return;
        }
        int action = table.account(h, length, pkt.tcpFlags(), now);
        if (action != FlowAction.NAT && action != FlowAction.FORWARD || egress.forwardedByKernel(h, pkt)) {
            return; // DROP flow: counted by the table; or a FIN the kernel fast path sent already
        }
        PortState p = v6 ? ports.byMetadataIp6(pkt.dstIp6Hi(), pkt.dstIp6Lo()) : ports.byMetadataIp(pkt.dstIp());
        if (p == null) {
            counters.drop(DropReason.UNKNOWN_INTERFACE);
            return;
        }
        egress.toGuest(h, action, f, pkt, p);
    }
}
