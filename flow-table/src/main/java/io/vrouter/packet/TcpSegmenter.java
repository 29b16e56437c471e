package io.vrouter.packet;

/**
 * Software TCP segmentation (what a NIC does for TSO, or the kernel for GSO): splits one
 * oversized IPv4/TCP frame into frames that fit a link, so a guest whose virtual NIC hands over
 * segmentation-offloaded "super-frames" (virtio or veth with TSO on: one frame of up to 64 KiB)
 * can still be forwarded onto an interface with a 1500-byte MTU.
 *
 * <p>Segment {@code i} of a frame with payload {@code P} at segment size {@code mss}:
 * <table>
 *   <caption>What each segment gets</caption>
 *   <tr><th>field</th><th>value</th></tr>
 *   <tr><td>Ethernet, IPv4 and TCP headers (options included)</td><td>copied</td></tr>
 *   <tr><td>payload</td><td>{@code P[i*mss .. min((i+1)*mss, |P|))}</td></tr>
 *   <tr><td>IPv4 total length, identification</td><td>its own; id + i (as Linux GSO does)</td></tr>
 *   <tr><td>TCP sequence number</td><td>seq + i*mss</td></tr>
 *   <tr><td>TCP flags</td><td>FIN and PSH on the last segment only; CWR on the first only</td></tr>
 *   <tr><td>IPv4 and TCP checksums</td><td>computed in full (an offloaded frame's TCP
 *       checksum is only the pseudo-header sum)</td></tr>
 * </table>
 * Allocation-free: the caller owns the output buffer and asks for one segment at a time. Only
 * an unfragmented IPv4/TCP packet whose headers leave room for a payload byte can be segmented.
 */
public final class TcpSegmenter {
    private static final int TCP_KEEP_ON_LAST = Tcp.FIN | Tcp.PSH;

    private TcpSegmenter() {
    }

    /**
     * Payload bytes per segment so each segment's frame is at most {@code maxFrameLength}; 0 when
     * the packet cannot be segmented (not TCP, a fragment, or headers too long for the frame).
     */
    public static int segmentSize(ParsedPacket p, int maxFrameLength) {
        if (!p.isIpv4() || p.ipProtocol() != Ipv4.PROTO_TCP || (p.ipFlagsFragment()
                & (Ipv4.FLAG_MF | Ipv4.FRAGMENT_OFFSET_MASK)) != 0) {
            return 0;
        }
        int mss = maxFrameLength - (p.payloadOffset() - p.frameOffset());
        return Math.max(0, mss);
    }

    /** Number of segments the payload makes at {@code mss} bytes each (at least 1). */
    public static int segmentCount(ParsedPacket p, int mss) {
        return Math.max(1, (p.payloadLength() + mss - 1) / mss);
    }

    /**
     * Writes segment {@code i} of the frame in {@code b} into {@code out} from index 0.
     *
     * @param mss from {@link #segmentSize}, &gt; 0
     * @return the segment's frame length
     */
    public static int writeSegment(byte[] b, ParsedPacket p, int mss, int i, byte[] out) {
        int start = p.frameOffset();
        int headers = p.payloadOffset() - start;
        int from = i * mss;
        int len = Math.min(mss, p.payloadLength() - from);
        boolean last = from + len >= p.payloadLength();
        System.arraycopy(b, start, out, 0, headers);
        System.arraycopy(b, p.payloadOffset() + from, out, headers, len);

        int l3 = p.l3Offset() - start;
        int ipHeader = p.ipHeaderLength();
        int l4 = l3 + ipHeader;
        int l4Length = p.l4HeaderLength() + len;
        Bytes.put16(out, l3 + Ipv4.TOTAL_LENGTH, ipHeader + l4Length);
        Bytes.put16(out, l3 + Ipv4.IDENTIFICATION, (Bytes.u16(b, p.l3Offset() + Ipv4.IDENTIFICATION) + i) & 0xFFFF);
        Checksum.setIpv4HeaderChecksum(out, l3, ipHeader);

        Bytes.put32(out, l4 + Tcp.SEQ, Bytes.i32(b, p.l4Offset() + Tcp.SEQ) + from);
        int flags = Bytes.u8(b, p.l4Offset() + Tcp.FLAGS);
        if (!last) {
            flags &= ~TCP_KEEP_ON_LAST;
        }
        if (i > 0) {
            flags &= ~Tcp.CWR;
        }
        Bytes.put8(out, l4 + Tcp.FLAGS, flags);
        Bytes.put16(out, l4 + Tcp.CHECKSUM, 0);
        int src = Bytes.i32(out, l3 + Ipv4.SRC_ADDR);
        int dst = Bytes.i32(out, l3 + Ipv4.DST_ADDR);
        Bytes.put16(out, l4 + Tcp.CHECKSUM, Checksum.computeTransport(out, l4, l4Length, Ipv4.PROTO_TCP, src, dst));
        return headers + len;
    }
}
