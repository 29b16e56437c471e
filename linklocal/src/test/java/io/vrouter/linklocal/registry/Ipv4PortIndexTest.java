package io.vrouter.linklocal.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Ipv4PortIndexTest {

    @Test
    void shouldAgreeWithHashMapOnRandomKeysIncludingNegativeAddresses() {
        SplittableRandom rnd = new SplittableRandom(42);
        for (int round = 0; round < 50; round++) {
            int n = rnd.nextInt(1, 1025);
            Ipv4PortIndex index = new Ipv4PortIndex(n);
            Map<Long, Integer> oracle = new HashMap<>();
            for (int i = 0; i < n; i++) {
                // clustered addresses (169.254.x.y-like) and ports, plus the sign bit set
                int ip = rnd.nextBoolean() ? 0xA9FE0000 | rnd.nextInt(64) : rnd.nextInt();
                int port = rnd.nextInt(8) == 0 ? 65535 : rnd.nextInt(1, 100);
                index.put(ip, port, i);
                oracle.put(Ipv4PortIndex.key(ip, port), i);
            }
            for (int q = 0; q < 2000; q++) {
                int ip = rnd.nextBoolean() ? 0xA9FE0000 | rnd.nextInt(64) : rnd.nextInt();
                int port = rnd.nextInt(8) == 0 ? 65535 : rnd.nextInt(1, 100);
                Integer expected = oracle.get(Ipv4PortIndex.key(ip, port));
                assertEquals(expected == null ? Ipv4PortIndex.MISS : expected, index.get(ip, port));
            }
            assertEquals(true, index.capacity() >= 2 * n, "load factor at most 0.5");
        }
    }

    @Test
    void shouldNotConfuseAddressAndPortBits() {
        Ipv4PortIndex index = new Ipv4PortIndex(2);
        index.put(0x00000001, 0, 1);
        index.put(0x00000000, 1, 2);
        index.put(0xFFFFFFFF, 0xFFFF, 3);
        assertEquals(1, index.get(1, 0));
        assertEquals(2, index.get(0, 1));
        assertEquals(3, index.get(-1, 65535));
        assertEquals(Ipv4PortIndex.MISS, index.get(0, 0));
        assertEquals(Ipv4PortIndex.MISS, index.get(-1, 0x1FFFF));
        assertThrows(IllegalArgumentException.class, () -> index.put(1, 65536, 9));
    }
}
