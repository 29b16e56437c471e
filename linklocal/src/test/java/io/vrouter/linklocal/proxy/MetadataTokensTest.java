package io.vrouter.linklocal.proxy;

import static io.vrouter.linklocal.proxy.ProxyFixtures.VM_A;
import static io.vrouter.linklocal.proxy.ProxyFixtures.VM_B;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetadataTokensTest {
    private static final byte[] KEY = key(1);
    private final AtomicLong now = new AtomicLong(1_800_000_000L);
    private final MetadataTokens tokens = new MetadataTokens(KEY, now::get);

    private static byte[] key(int fill) {
        byte[] k = new byte[MetadataTokens.MIN_KEY_BYTES];
        Arrays.fill(k, (byte) fill);
        return k;
    }

    @Test
    void issuedTokenShouldBeValidForItsVmUntilItsTtlEnds() {
        String t = tokens.issue(VM_A.instanceId(), 60);
        assertEquals(MetadataTokens.TOKEN_CHARS, t.length());
        assertTrue(t.matches("[A-Za-z0-9_-]+"), "base64url, no padding: a valid header value: " + t);
        assertEquals(MetadataTokens.Check.VALID, tokens.check(t, VM_A.instanceId()));
        now.addAndGet(59);
        assertEquals(MetadataTokens.Check.VALID, tokens.check(t, VM_A.instanceId()));
        now.addAndGet(1);
        assertEquals(MetadataTokens.Check.EXPIRED, tokens.check(t, VM_A.instanceId()));
    }

    @Test
    void tokenShouldBeInvalidForAnotherVm() {
        String t = tokens.issue(VM_A.instanceId(), 21_600);
        assertEquals(MetadataTokens.Check.INVALID, tokens.check(t, VM_B.instanceId()));
    }

    @Test
    void tokenShouldBeInvalidUnderAnotherNodeKey() {
        String t = tokens.issue(VM_A.instanceId(), 60);
        assertEquals(MetadataTokens.Check.INVALID,
                new MetadataTokens(key(2), now::get).check(t, VM_A.instanceId()));
        assertEquals(MetadataTokens.Check.INVALID,
                MetadataTokens.withRandomKey().check(t, VM_A.instanceId()), "a restart with a random key");
    }

    @Test
    void anyChangedCharacterShouldMakeTheTokenInvalid() {
        String t = tokens.issue(VM_A.instanceId(), 60);
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            String tampered = t.substring(0, i) + (c == 'A' ? 'B' : 'A') + t.substring(i + 1);
            MetadataTokens.Check r = tokens.check(tampered, VM_A.instanceId());
            // The last character carries 2 padding bits: some changes there decode to the same bytes.
            if (i < t.length() - 1) {
                assertEquals(MetadataTokens.Check.INVALID, r, "changed at " + i);
            }
        }
    }

    @Test
    void extendingTheExpiryShouldMakeTheTokenInvalidNotValid() {
        String t = tokens.issue(VM_A.instanceId(), 1);
        byte[] raw = java.util.Base64.getUrlDecoder().decode(t);
        raw[8] += 100; // expiry's low byte: 100 s longer
        String forged = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        now.addAndGet(5);
        assertEquals(MetadataTokens.Check.INVALID, tokens.check(forged, VM_A.instanceId()));
        assertEquals(MetadataTokens.Check.EXPIRED, tokens.check(t, VM_A.instanceId()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "x", "not a token", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA*",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
    void garbageShouldBeInvalid(String token) {
        assertEquals(MetadataTokens.Check.INVALID, tokens.check(token, VM_A.instanceId()));
    }

    @Test
    void issueShouldRefuseTtlOutsideAwsBounds() {
        assertThrows(IllegalArgumentException.class, () -> tokens.issue(VM_A.instanceId(), 0));
        assertThrows(IllegalArgumentException.class, () -> tokens.issue(VM_A.instanceId(), 21_601));
        assertEquals(MetadataTokens.Check.VALID, tokens.check(tokens.issue(VM_A.instanceId(), 1), VM_A.instanceId()));
    }

    @Test
    void parseTtlShouldAcceptOnlyDecimalIntegersFrom1To21600() {
        assertEquals(1, MetadataTokens.parseTtl("1"));
        assertEquals(21_600, MetadataTokens.parseTtl("21600"));
        assertEquals(60, MetadataTokens.parseTtl(" 60\t"));
        assertEquals(60, MetadataTokens.parseTtl("00060"));
        for (String bad : new String[] {null, "", " ", "0", "21601", "99999", "-1", "+5", "1e3", "6 0", "abc",
                "0x10", "123456", "60s", "٣"}) {
            assertEquals(-1, MetadataTokens.parseTtl(bad), String.valueOf(bad));
        }
    }

    @Test
    void shouldRefuseAShortKey() {
        assertThrows(IllegalArgumentException.class, () -> new MetadataTokens(new byte[31], now::get));
    }

    @Test
    void keyFileShouldMakeTokensSurviveARestart(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("token.key");
        Files.write(f, key(7));
        String t = MetadataTokens.withKeyFile(f).issue(VM_A.instanceId(), 60);
        assertEquals(MetadataTokens.Check.VALID, MetadataTokens.withKeyFile(f).check(t, VM_A.instanceId()));
        Files.write(f, new byte[10]);
        IOException e = assertThrows(IOException.class, () -> MetadataTokens.withKeyFile(f));
        assertTrue(e.getMessage().contains("10 bytes"), e.getMessage());
    }
}
