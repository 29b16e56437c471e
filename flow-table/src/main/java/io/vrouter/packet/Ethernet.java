package io.vrouter.packet;

/**
 * Ethernet II header layout, with one optional IEEE 802.1Q tag. Offsets are from the frame start.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Destination MAC (6 octets)                    |  0
 * +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                               |                               |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+      Source MAC (6 octets)    +
 * |                                                               |  8
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   EtherType (or TPID 0x8100)  |  untagged: L3 header from 14  | 12
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 * 802.1Q tagged: TPID 0x8100 at 12, then
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | PCP |D|       VLAN ID         |        inner EtherType        | 14
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * L3 header from 18.
 * </pre>
 */
public final class Ethernet {
    public static final int DST_MAC = 0;
    public static final int SRC_MAC = 6;
    public static final int ETHERTYPE = 12;
    /** Offset of the Tag Control Information (PCP, DEI, VLAN id) in a tagged frame. */
    public static final int VLAN_TCI = 14;
    /** Offset of the real EtherType in a tagged frame. */
    public static final int VLAN_ETHERTYPE = 16;
    public static final int HEADER_LENGTH = 14;
    public static final int VLAN_TAG_LENGTH = 4;
    /** Smallest frame on the wire without FCS; shorter frames are padded by senders. */
    public static final int MIN_FRAME_LENGTH = 60;

    public static final int TYPE_IPV4 = 0x0800;
    public static final int TYPE_ARP = 0x0806;
    public static final int TYPE_VLAN = 0x8100;
    public static final int TYPE_QINQ = 0x88a8;
    public static final int TYPE_IPV6 = 0x86dd;

    public static final long BROADCAST_MAC = 0xffff_ffff_ffffL;

    private Ethernet() {
    }

    public static long dstMac(byte[] b, int frameOff) {
        return Bytes.u48(b, frameOff + DST_MAC);
    }

    public static long srcMac(byte[] b, int frameOff) {
        return Bytes.u48(b, frameOff + SRC_MAC);
    }

    /** Sets the destination MAC (low 48 bits of {@code mac}); no checksum covers it. */
    public static void setDstMac(byte[] b, int frameOff, long mac) {
        Bytes.put48(b, frameOff + DST_MAC, mac);
    }

    /** Sets the source MAC (low 48 bits of {@code mac}); no checksum covers it. */
    public static void setSrcMac(byte[] b, int frameOff, long mac) {
        Bytes.put48(b, frameOff + SRC_MAC, mac);
    }

    /** Writes an Ethernet header, tagged when {@code vlanId >= 0}; returns the L3 offset. */
    public static int writeHeader(byte[] b, int frameOff, long dstMac, long srcMac, int vlanId, int etherType) {
        Bytes.put48(b, frameOff + DST_MAC, dstMac);
        Bytes.put48(b, frameOff + SRC_MAC, srcMac);
        if (vlanId >= 0) {
            Bytes.put16(b, frameOff + ETHERTYPE, TYPE_VLAN);
            Bytes.put16(b, frameOff + VLAN_TCI, vlanId & 0x0fff);
            Bytes.put16(b, frameOff + VLAN_ETHERTYPE, etherType);
            return frameOff + HEADER_LENGTH + VLAN_TAG_LENGTH;
        }
        Bytes.put16(b, frameOff + ETHERTYPE, etherType);
        return frameOff + HEADER_LENGTH;
    }

    /** Parses "aa:bb:cc:dd:ee:ff" (or '-' separated) into a long; configuration path, not per packet. */
    public static long parseMac(String text) {
        if (text == null || text.length() != 17) {
            throw new IllegalArgumentException("MAC address must look like aa:bb:cc:dd:ee:ff: " + text);
        }
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            int hi = Character.digit(text.charAt(i * 3), 16);
            int lo = Character.digit(text.charAt(i * 3 + 1), 16);
            if (hi < 0 || lo < 0 || (i < 5 && text.charAt(i * 3 + 2) != ':' && text.charAt(i * 3 + 2) != '-')) {
                throw new IllegalArgumentException("MAC address must look like aa:bb:cc:dd:ee:ff: " + text);
            }
            mac = (mac << 8) | (hi << 4) | lo;
        }
        return mac;
    }
}
