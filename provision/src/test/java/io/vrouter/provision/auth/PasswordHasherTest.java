package io.vrouter.provision.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
    @Test
    void aHashShouldMatchItsPasswordOnly() {
        PasswordHasher.Hash h = PasswordHasher.hash("s3cret".toCharArray(), 1000);
        assertTrue(h.matches("s3cret".toCharArray()));
        assertFalse(h.matches("s3cre".toCharArray()));
        assertFalse(h.matches("".toCharArray()));
        assertEquals(1000, h.iterations());
        assertEquals(PasswordHasher.SALT_BYTES, h.salt().length);
        assertEquals(PasswordHasher.HASH_BYTES, h.hash().length);
    }

    @Test
    void theSamePasswordShouldGetADifferentSaltAndHashEachTime() {
        PasswordHasher.Hash a = PasswordHasher.hash("pw".toCharArray(), 1000);
        PasswordHasher.Hash b = PasswordHasher.hash("pw".toCharArray(), 1000);
        assertFalse(Arrays.equals(a.salt(), b.salt()));
        assertFalse(Arrays.equals(a.hash(), b.hash()));
        assertNotEquals(a, b);
    }

    @Test
    void shouldMatchAKnownPbkdf2Sha256Vector() {
        // RFC 7914 section 11: PBKDF2-HMAC-SHA256("passwd", "salt", c=1, dkLen=64) starts 55 ac 04 6e.
        byte[] dk = PasswordHasher.derive("passwd".toCharArray(), "salt".getBytes(), 1);
        assertEquals(0x55, dk[0] & 0xff);
        assertEquals(0xac, dk[1] & 0xff);
        assertEquals(0x04, dk[2] & 0xff);
        assertEquals(0x6e, dk[3] & 0xff);
    }

    @Test
    void tooFewIterationsShouldBeRefused() {
        assertThrows(IllegalArgumentException.class, () -> PasswordHasher.hash("x".toCharArray(), 10));
    }
}
