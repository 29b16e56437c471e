package io.vrouter.linklocal.proxy;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InstanceSignerTest {
    @Test
    void shouldMatchOpensslHmacSha256InLowerCaseHex() {
        // echo -n "uuid-1" | openssl dgst -sha256 -hmac "secret"
        assertEquals("53a11704b2376c6f576535f5eca38a0ca13b7c5910210090dc21281b2a18b957",
                new InstanceSigner("secret").sign("uuid-1"));
    }

    @Test
    void shouldGiveTheSameSignatureOnRepeatedUseOfTheThreadsMac() {
        InstanceSigner s = new InstanceSigner("secret");
        String first = s.sign("uuid-1");
        s.sign("something-else");
        assertEquals(first, s.sign("uuid-1"));
    }

    @Test
    void shouldSignConsistentlyFromManyThreads() throws Exception {
        InstanceSigner s = new InstanceSigner("k\u00e9y"); // UTF-8 key bytes
        String expected = s.sign("11111111-1111-4111-8111-111111111111");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> fs = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                fs.add(pool.submit(() -> {
                    for (int j = 0; j < 500; j++) {
                        if (!expected.equals(s.sign("11111111-1111-4111-8111-111111111111"))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : fs) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldRefuseEmptySecret() {
        assertThrows(IllegalArgumentException.class, () -> new InstanceSigner(""));
        assertThrows(IllegalArgumentException.class, () -> new InstanceSigner(null));
    }
}
