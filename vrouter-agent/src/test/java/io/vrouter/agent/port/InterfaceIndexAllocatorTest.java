package io.vrouter.agent.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

class InterfaceIndexAllocatorTest {

    @Test
    void shouldHandOutEveryIndexOnceAndNeverTheMetadataServiceAddress() {
        InterfaceIndexAllocator a = new InterfaceIndexAllocator();
        BitSet seen = new BitSet();
        for (int i = 0; i < InterfaceIndexAllocator.DEFAULT_CAPACITY; i++) {
            int idx = a.allocate();
            assertTrue(idx >= 1 && idx <= 65534, "index " + idx);
            assertNotEquals(InterfaceIndexAllocator.METADATA_SERVICE_INDEX, idx);
            assertFalse(seen.get(idx), "index handed out twice: " + idx);
            seen.set(idx);
        }
        assertEquals(65533, seen.cardinality());
        assertEquals(-1, a.allocate(), "exhausted");
        a.release(100);
        assertEquals(100, a.allocate());
    }

    @Test
    void metadataServiceIndexShouldBeTheServiceAddress() throws Exception {
        assertEquals(InetAddress.getByName("169.254.169.254"),
                InterfaceIndexAllocator.metadataIp(InterfaceIndexAllocator.METADATA_SERVICE_INDEX));
        assertEquals("169.254.0.1", InterfaceIndexAllocator.metadataIp(1).getHostAddress());
        assertEquals("169.254.255.254", InterfaceIndexAllocator.metadataIp(65534).getHostAddress());
        assertEquals(258, InterfaceIndexAllocator.indexOf(InetAddress.getByName("169.254.1.2")));
        assertEquals(-1, InterfaceIndexAllocator.indexOf(InetAddress.getByName("10.254.1.2")));
        assertEquals(-1, InterfaceIndexAllocator.indexOf(InetAddress.getByName("::1")));
        assertEquals(-1, InterfaceIndexAllocator.indexOf(InetAddress.getByName("169.253.1.2")));
        assertEquals(-1, InterfaceIndexAllocator.indexOf(null));
        for (int i : new int[] {1, 255, 256, 43517, 43519, 65534}) {
            assertEquals(i, InterfaceIndexAllocator.indexOf(InterfaceIndexAllocator.metadataIp(i)), "index " + i);
        }
    }

    @Test
    void freedIndexShouldNotBeReusedBeforeTheOthers() {
        InterfaceIndexAllocator a = new InterfaceIndexAllocator(5);
        assertEquals(1, a.allocate());
        assertEquals(2, a.allocate());
        a.release(1);
        assertEquals(3, a.allocate());
        assertEquals(4, a.allocate());
        assertEquals(5, a.allocate());
        assertEquals(1, a.allocate(), "wraps to the freed index only when the rest are taken");
        assertEquals(-1, a.allocate());
    }

    @Test
    void reserveShouldRefuseHeldOrUnassignableIndexes() {
        InterfaceIndexAllocator a = new InterfaceIndexAllocator();
        assertTrue(a.reserve(7));
        assertFalse(a.reserve(7));
        assertFalse(a.reserve(0));
        assertFalse(a.reserve(65535));
        assertFalse(a.reserve(InterfaceIndexAllocator.METADATA_SERVICE_INDEX));
        assertEquals(1, a.inUse());
        assertEquals(1, a.allocate());
    }
}
