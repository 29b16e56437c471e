package io.vrouter.agent.dataplane.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Native;
import org.junit.jupiter.api.Test;

class PcapNextExTest {
    @Test
    void shouldBindPcapNextExWhereverLibpcapLoads() {
        assumeTrue(PcapSupport.isAvailable(), "libpcap not available");
        assertTrue(PcapNextEx.isAvailable(), () -> "direct pcap_next_ex unavailable: " + PcapNextEx.unavailabilityCause());
    }

    @Test
    void caplenShouldFollowTheTimeval() {
        assertEquals(Native.LONG_SIZE == 8 ? 16 : 8, PcapNextEx.CAPLEN_OFFSET);
    }
}
