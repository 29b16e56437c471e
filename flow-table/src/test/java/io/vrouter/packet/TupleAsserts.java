package io.vrouter.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * After an in-place rewrite, the holder tracks what was written: a fresh parse of the rewritten
 * frame must find the same addresses and ports (the property and fuzz tests' common check).
 */
final class TupleAsserts {
    private TupleAsserts() {
    }

    /** IPv4: the outer tuple, the ICMP id and, for an ICMP error, the quoted tuple. */
    static void assertSameTuple(ParsedPacket fresh, ParsedPacket tracked, String ctx) {
        assertEquals(fresh.srcIp(), tracked.srcIp(), ctx);
        assertEquals(fresh.dstIp(), tracked.dstIp(), ctx);
        assertEquals(fresh.srcPort(), tracked.srcPort(), ctx);
        assertEquals(fresh.dstPort(), tracked.dstPort(), ctx);
        assertEquals(fresh.icmpId(), tracked.icmpId(), ctx);
        assertEquals(fresh.innerSrcIp(), tracked.innerSrcIp(), ctx);
        assertEquals(fresh.innerDstIp(), tracked.innerDstIp(), ctx);
        assertEquals(fresh.innerSrcPort(), tracked.innerSrcPort(), ctx);
        assertEquals(fresh.innerDstPort(), tracked.innerDstPort(), ctx);
    }

    /** IPv6: both 128-bit addresses (as their halves) and the ports. */
    static void assertSameTuple6(ParsedPacket fresh, ParsedPacket tracked, String ctx) {
        assertEquals(fresh.srcIp6Hi(), tracked.srcIp6Hi(), ctx);
        assertEquals(fresh.srcIp6Lo(), tracked.srcIp6Lo(), ctx);
        assertEquals(fresh.dstIp6Hi(), tracked.dstIp6Hi(), ctx);
        assertEquals(fresh.dstIp6Lo(), tracked.dstIp6Lo(), ctx);
        assertEquals(fresh.srcPort(), tracked.srcPort(), ctx);
        assertEquals(fresh.dstPort(), tracked.dstPort(), ctx);
    }
}
