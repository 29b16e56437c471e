package io.vrouter.agent.dataplane.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which tc listings hold the agent's filter (only that one is ever deleted). */
class TcLinkLocalDiversionTest {
    private static final String HEADER = "filter protocol all pref 169 bpf chain 0 \n";

    @Test
    void listingWithExactlyOurBytecodeShouldBeOurs() {
        String ours = HEADER + "filter protocol all pref 169 bpf chain 0 handle 0x1 direct-action not_in_hw bytecode '"
                + LinkLocalFilter.tcBytecode() + "'\n";
        assertEquals(TcLinkLocalDiversion.Found.OURS, TcLinkLocalDiversion.classify(ours));
    }

    @Test
    void anotherProgramAtOurPrefShouldBeForeign() {
        String theirs = HEADER + "filter protocol all pref 169 bpf chain 0 handle 0x1 direct-action not_in_hw bytecode"
                + " '1,6 0 0 2'\n";
        assertEquals(TcLinkLocalDiversion.Found.FOREIGN, TcLinkLocalDiversion.classify(theirs));
        String u32 = "filter parent ffff: protocol ip pref 169 u32 chain 0 fh 800::800 order 2048 key ht 800 bkt 0\n";
        assertEquals(TcLinkLocalDiversion.Found.FOREIGN, TcLinkLocalDiversion.classify("filter parent ffff: protocol ip"
                + " pref 169 u32 chain 0 \n" + u32.replace(" fh ", " handle ")));
    }

    @Test
    void emptyListingShouldBeNone() {
        assertEquals(TcLinkLocalDiversion.Found.NONE, TcLinkLocalDiversion.classify(""));
    }

    @Test
    void clsactOrIngressQdiscShouldCountAsAnIngressHook() {
        assertTrue(TcLinkLocalDiversion.hasIngressHook("qdisc noqueue 0: root refcnt 2 \nqdisc clsact ffff: parent ffff:fff1 \n"));
        assertTrue(TcLinkLocalDiversion.hasIngressHook("qdisc htb 1: root \nqdisc ingress ffff: parent ffff:fff1 ----------------\n"));
        assertFalse(TcLinkLocalDiversion.hasIngressHook("qdisc tbf 8001: root refcnt 2 rate 10Mbit burst 1600b lat 50ms \n"));
    }

    @Test
    void hookedDevicesShouldBeTheOnesWithClsactOrIngressInAListingOfManyDevices() {
        String listing = "qdisc noqueue 0: dev lo root refcnt 2 \n"
                + "qdisc clsact ffff: dev tapa parent ffff:fff1 \n"
                + "qdisc noqueue 0: dev tapb root refcnt 2 \n"
                + "qdisc tbf 8001: dev tapc root refcnt 2 rate 10Mbit burst 1600b lat 50ms \n"
                + "qdisc ingress ffff: dev tapc parent ffff:fff1 ----------------\n";
        assertEquals(java.util.Set.of("tapa", "tapc"), TcLinkLocalDiversion.hookedDevices(listing));
        assertTrue(TcLinkLocalDiversion.hookedDevices("").isEmpty());
    }
}
