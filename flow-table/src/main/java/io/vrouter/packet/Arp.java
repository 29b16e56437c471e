package io.vrouter.packet;

/**
 * ARP for IPv4 over Ethernet (RFC 826). Offsets are from the start of the ARP header.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Hardware type (1)         |     Protocol type (0x0800)    |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  HLEN (6)     |   PLEN (4)    |   Operation (1 req, 2 reply)  |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   Sender hardware address                     |  8
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |    Sender protocol address    | 12
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   (sender protocol address)   |                               | 16
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |                   Target hardware address                     | 20
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   Target protocol address                     | 24
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Arp {
    public static final int HTYPE = 0;
    public static final int PTYPE = 2;
    public static final int HLEN = 4;
    public static final int PLEN = 5;
    public static final int OPER = 6;
    public static final int SENDER_MAC = 8;
    public static final int SENDER_IP = 14;
    public static final int TARGET_MAC = 18;
    public static final int TARGET_IP = 24;
    public static final int LENGTH = 28;

    public static final int HTYPE_ETHERNET = 1;
    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;

    /** Largest frame {@link #buildReply} writes: 802.1Q Ethernet header + ARP. */
    public static final int MAX_FRAME_LENGTH = Ethernet.HEADER_LENGTH + Ethernet.VLAN_TAG_LENGTH + LENGTH;

    private Arp() {
    }

    /**
     * Writes an ARP reply frame "{@code senderIp} is at {@code senderMac}" addressed to
     * {@code targetMac}/{@code targetIp}, tagged with {@code vlanId} when {@code >= 0}.
     * The frame is not padded to the Ethernet minimum (taps and pcap do not need it).
     *
     * @return the frame length (42, or 46 tagged), or -1 when {@code out} has no room
     */
    public static int buildReply(byte[] out, int outOff, long senderMac, int senderIp, long targetMac,
                                 int targetIp, int vlanId) {
        int len = Ethernet.HEADER_LENGTH + (vlanId >= 0 ? Ethernet.VLAN_TAG_LENGTH : 0) + LENGTH;
        if (out == null || outOff < 0 || out.length - outOff < len) {
            return -1;
        }
        int a = Ethernet.writeHeader(out, outOff, targetMac, senderMac, vlanId, Ethernet.TYPE_ARP);
        Bytes.put16(out, a + HTYPE, HTYPE_ETHERNET);
        Bytes.put16(out, a + PTYPE, Ethernet.TYPE_IPV4);
        Bytes.put8(out, a + HLEN, 6);
        Bytes.put8(out, a + PLEN, 4);
        Bytes.put16(out, a + OPER, OP_REPLY);
        Bytes.put48(out, a + SENDER_MAC, senderMac);
        Bytes.put32(out, a + SENDER_IP, senderIp);
        Bytes.put48(out, a + TARGET_MAC, targetMac);
        Bytes.put32(out, a + TARGET_IP, targetIp);
        return len;
    }

    /**
     * Writes the reply to the ARP request parsed into {@code request}: "{@code request}'s target
     * IP is at {@code ourMac}", back to the requester on the request's VLAN.
     *
     * @return the frame length, or -1 when {@code request} is not an ARP request or {@code out}
     *         has no room
     */
    public static int buildReplyTo(ParsedPacket request, long ourMac, byte[] out, int outOff) {
        if (!request.isArp() || request.arpOperation() != OP_REQUEST) {
            return -1;
        }
        return buildReply(out, outOff, ourMac, request.arpTargetIp(), request.arpSenderMac(),
                request.arpSenderIp(), request.vlanId());
    }
}
