package io.vrouter.agent.dataplane;

import io.vrouter.drop.DropReason;
import io.vrouter.packet.Arp;
import io.vrouter.packet.Ethernet;
import io.vrouter.packet.Icmpv6;
import io.vrouter.packet.Ipv6;
import io.vrouter.packet.ParsedPacket;

/**
 * The dataplane's answers to address resolution, as vrouter's L3 mode gives them: the agent is
 * every guest's only neighbour.
 *
 * <p>ARP: a guest's request for any address but its own is answered with the agent MAC
 * (gateway, 169.254.169.254 and all); replies, gratuitous ARP and probes are dropped as
 * {@link DropReason#POLICY}; a sender MAC/IP not the port's is {@link DropReason#SPOOFED_SOURCE}.
 * From the vhost, requests for 169.254/16 (the ports' metadata IPs) are answered.
 *
 * <p>IPv6 neighbour discovery: a guest's
 * solicitation for the metadata6 service address (fe80::a9fe:a9fe) and the vhost kernel's
 * solicitations for the ports' IPv6 metadata sources (fe80::a9fe:XXYY) are answered with a
 * neighbour advertisement giving the agent's MAC (solicited and override set, not router; target
 * link-layer address option; hop limit 255; ICMPv6 checksum). The parser has already dropped a
 * neighbour-discovery message whose hop limit is not 255 ({@link DropReason#NDP_HOP_LIMIT}) or
 * that is malformed ({@link DropReason#BAD_NDP}); a wrong checksum is dropped here as BAD_NDP.
 *
 * <p>Everything else of ICMPv6 is dropped as {@link DropReason#POLICY}: the guest's duplicate
 * address detection for its own addresses (nobody else is on the port's link, so it succeeds),
 * router solicitations, MLD reports, echo. Dataplane thread only; allocation-free.
 */
final class NeighborAnswers {
    private static final int POLICY = DropReason.POLICY.code();
    private static final int SPOOFED = DropReason.SPOOFED_SOURCE.code();
    private static final int BAD_NDP = DropReason.BAD_NDP.code();
    /** fe80::a9fe:0:0/96 and its /112: where the ports' IPv6 metadata sources live. */
    private static final long METADATA_SOURCE_PREFIX = 0xa9feL;

    private final long agentMac;
    private final FlowSetup setup;
    private final Egress egress;
    private final DataplaneCounters counters;
    private final byte[] out = new byte[Math.max(Icmpv6.NA_FRAME_LENGTH, Arp.MAX_FRAME_LENGTH)];

    NeighborAnswers(long agentMac, FlowSetup setup, Egress egress, DataplaneCounters counters) {
        this.agentMac = agentMac;
        this.setup = setup;
        this.egress = egress;
        this.counters = counters;
    }

    /**
     * An ARP message from guest port {@code p}.
     *
     * @return 0 when answered, else the drop reason code
     */
    int arpFromGuest(PortState p, ParsedPacket pkt) {
        int spa = pkt.arpSenderIp();
        if (pkt.arpSenderMac() != p.mac() || (!p.isOwnSource(spa) && spa != 0)) {
            return SPOOFED;
        }
        int tpa = pkt.arpTargetIp();
        if (pkt.arpOperation() != Arp.OP_REQUEST || spa == 0 || tpa == spa || tpa == p.ip() || tpa == 0) {
            return POLICY; // replies, gratuitous ARP and address probes: nobody else is on this link
        }
        sendArpReply(p, pkt);
        return 0;
    }

    /**
     * An ARP message from the vhost kernel end: requests for 169.254/16 are answered.
     *
     * @return 0 when answered, else the drop reason code
     */
    int arpFromVhost(PortState vhost, ParsedPacket pkt) {
        int tpa = pkt.arpTargetIp();
        if (pkt.arpOperation() != Arp.OP_REQUEST || (tpa & 0xFFFF_0000) != PortTable.LINK_LOCAL_NET) {
            return POLICY;
        }
        sendArpReply(vhost, pkt);
        return 0;
    }

    private void sendArpReply(PortState to, ParsedPacket pkt) {
        int len = Arp.buildReplyTo(pkt, agentMac, out, 0);
        if (len > 0 && egress.send(to, out, len)) {
            counters.count(DataplaneCounters.ARP_REPLIES);
        }
    }

    /**
     * An ICMPv6 message from guest port {@code p} (Ethernet source already checked).
     *
     * @return 0 when answered, else the drop reason code
     */
    int fromGuest(PortState p, byte[] f, ParsedPacket pkt) {
        if (pkt.icmpType() != Icmpv6.NEIGHBOR_SOLICITATION) {
            return POLICY;
        }
        long sll = pkt.ndSourceLinkAddr();
        boolean unspecified = Ipv6.isUnspecified(pkt.srcIp6Hi(), pkt.srcIp6Lo());
        if ((sll >= 0 && sll != p.mac()) || (!unspecified && !p.isOwnSource6(pkt.srcIp6Hi(), pkt.srcIp6Lo()))) {
            return SPOOFED;
        }
        if (!setup.isMetadata6(pkt.ndTargetHi(), pkt.ndTargetLo())) {
            return POLICY;
        }
        return answer(p, f, pkt);
    }

    /**
     * An ICMPv6 message from the vhost kernel end: its solicitations for a port's IPv6 metadata
     * source fe80::a9fe:XXYY are answered (any XXYY, as ARP for 169.254/16 is).
     *
     * @return 0 when answered, else the drop reason code
     */
    int fromVhost(PortState vhost, byte[] f, ParsedPacket pkt) {
        if (pkt.icmpType() != Icmpv6.NEIGHBOR_SOLICITATION || !Ipv6.isLinkLocal(pkt.ndTargetHi())
                || (pkt.ndTargetLo() >>> 16) != METADATA_SOURCE_PREFIX) {
            return POLICY;
        }
        return answer(vhost, f, pkt);
    }

    private int answer(PortState to, byte[] f, ParsedPacket pkt) {
        if (!Icmpv6.checksumValid(f, pkt)) {
            return BAD_NDP;
        }
        int len = Icmpv6.buildAdvertisementTo(pkt, Ethernet.srcMac(f, 0), agentMac, out, 0);
        if (len > 0 && egress.send(to, out, len)) {
            counters.count(DataplaneCounters.NDP_ADVERTISEMENTS);
        }
        return 0;
    }
}
