package io.vrouter.agent.dataplane.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.ptr.PointerByReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;

class PcapNextExTest {
    @Test
    void shouldBindPcapNextExWhereverLibpcapLoads() {
        assumeTrue(PcapSupport.isAvailable(), "libpcap not available");
        assertTrue(PcapNextEx.isAvailable(), () -> "direct pcap_next_ex unavailable: " + PcapNextEx.unavailabilityCause());
    }

    /**
     * libpcap itself fills the header here (reading a savefile), so a wrong {@code CAPLEN_OFFSET}
     * reads the timestamp's microseconds (123456) or the original length (1514) instead of 60.
     */
    @Test
    void caplenShouldBeReadFromTheHeaderLibpcapFills(@TempDir Path dir) throws Exception {
        assumeTrue(PcapSupport.isAvailable(), "libpcap not available");
        assumeTrue(PcapNextEx.isAvailable(), "direct pcap_next_ex unavailable");
        byte[] frame = new byte[60];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = (byte) (i * 7 + 1);
        }
        Path file = dir.resolve("one.pcap");
        Files.write(file, savefile(frame, 1514, 0x5EADBEEF, 123456));

        PcapHandle handle = Pcaps.openOffline(file.toString());
        try {
            PointerByReference header = new PointerByReference();
            PointerByReference data = new PointerByReference();
            assertEquals(PcapNextEx.OK, PcapNextEx.pcap_next_ex(PcapNextEx.pcapT(handle), header, data));
            int caplen = PcapNextEx.caplen(header.getValue());
            assertEquals(frame.length, caplen);
            assertArrayEquals(frame, data.getValue().getByteArray(0, caplen));
        } finally {
            handle.close();
        }
    }

    /** A classic pcap savefile (microsecond timestamps, Ethernet) holding one record. */
    private static byte[] savefile(byte[] frame, int originalLength, int tsSec, int tsUsec) {
        ByteBuffer b = ByteBuffer.allocate(24 + 16 + frame.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        b.putInt(tsSec).putInt(tsUsec).putInt(frame.length).putInt(originalLength).put(frame);
        return b.array();
    }
}
