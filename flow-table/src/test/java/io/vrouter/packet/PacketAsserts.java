package io.vrouter.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks of a parsed packet that several packet tests make. */
final class PacketAsserts {
    private PacketAsserts() {
    }

    /** An ARP packet with these fields (MACs as longs, IPv4 addresses as ints). */
    static void assertArp(ParsedPacket p, int vlan, int operation, long senderMac, int senderIp, long targetMac,
                          int targetIp) {
        assertTrue(p.isArp());
        assertFalse(p.isIpv4());
        assertEquals(vlan, p.vlanId());
        assertEquals(operation, p.arpOperation());
        assertEquals(senderMac, p.arpSenderMac());
        assertEquals(senderIp, p.arpSenderIp());
        assertEquals(targetMac, p.arpTargetMac());
        assertEquals(targetIp, p.arpTargetIp());
    }

    /**
     * After an in-place rewrite the holder tracks what was written: a fresh parse of
     * {@code frame[off, off + len)} must succeed and find the addresses and ports in {@code tracked}
     * (IPv4: also the ICMP id and, for an ICMP error, the quoted tuple; IPv6: the 128-bit addresses).
     */
    static void assertReparsesAs(byte[] frame, int off, int len, ParsedPacket tracked, String ctx) {
        ParsedPacket fresh = new ParsedPacket();
        assertEquals(0, new PacketParser().parse(frame, off, len, fresh), ctx);
        if (tracked.isIpv6()) {
            assertEquals(fresh.srcIp6Hi(), tracked.srcIp6Hi(), ctx);
            assertEquals(fresh.srcIp6Lo(), tracked.srcIp6Lo(), ctx);
            assertEquals(fresh.dstIp6Hi(), tracked.dstIp6Hi(), ctx);
            assertEquals(fresh.dstIp6Lo(), tracked.dstIp6Lo(), ctx);
        } else {
            assertEquals(fresh.srcIp(), tracked.srcIp(), ctx);
            assertEquals(fresh.dstIp(), tracked.dstIp(), ctx);
            assertEquals(fresh.icmpId(), tracked.icmpId(), ctx);
            assertEquals(fresh.innerSrcIp(), tracked.innerSrcIp(), ctx);
            assertEquals(fresh.innerDstIp(), tracked.innerDstIp(), ctx);
            assertEquals(fresh.innerSrcPort(), tracked.innerSrcPort(), ctx);
            assertEquals(fresh.innerDstPort(), tracked.innerDstPort(), ctx);
        }
        assertEquals(fresh.srcPort(), tracked.srcPort(), ctx);
        assertEquals(fresh.dstPort(), tracked.dstPort(), ctx);
    }
}
