package io.vrouter.provision.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.provision.keystone.KeystoneException;
import io.vrouter.provision.keystone.KeystoneToken;
import io.vrouter.provision.keystone.TokenValidator;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Role mapping and the validation cache, with no Keystone at all: a fake clock and a table of tokens. */
class KeystoneAuthenticatorTest {
    private static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

    /** A clock the test moves. */
    private static final class FakeClock implements InstantSource {
        Instant now = T0;

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }
    }

    /** What "Keystone" says per token; counts the questions; can be down. */
    private static final class FakeKeystone implements TokenValidator {
        final Map<String, KeystoneToken> known = new HashMap<>();
        int asked;
        boolean down;

        @Override
        public Optional<KeystoneToken> validate(String subjectToken) throws KeystoneException {
            asked++;
            if (down) {
                throw new KeystoneException(KeystoneException.Kind.UNAVAILABLE, "cannot connect to Keystone");
            }
            return Optional.ofNullable(known.get(subjectToken));
        }

        void add(String id, String user, Instant expires, String... roles) {
            known.put(id, new KeystoneToken(id, expires, user, "vrouter", List.of(roles)));
        }
    }

    private final FakeClock clock = new FakeClock();
    private final FakeKeystone keystone = new FakeKeystone();

    private KeystoneAuthenticator auth(Duration cacheTime, int maxEntries) {
        return new KeystoneAuthenticator(keystone, clock, cacheTime, maxEntries, "http://keystone:5000/v3");
    }

    @Test
    void rolesShouldMapAdminToAdminReaderAndMemberToReaderAndNothingElse() {
        assertEquals(Role.ADMIN, KeystoneAuthenticator.roleOf(List.of("admin", "member", "reader")));
        assertEquals(Role.ADMIN, KeystoneAuthenticator.roleOf(List.of("reader", "Admin")));
        assertEquals(Role.READER, KeystoneAuthenticator.roleOf(List.of("reader")));
        assertEquals(Role.READER, KeystoneAuthenticator.roleOf(List.of("member", "observer")));
        assertNull(KeystoneAuthenticator.roleOf(List.of("observer", "heat_stack_owner")));
        assertNull(KeystoneAuthenticator.roleOf(List.of()));
    }

    @Test
    void aValidTokenShouldGiveThePrincipalWithTheMappedRole() {
        keystone.add("a", "alice", T0.plusSeconds(3600), "admin", "member", "reader");
        keystone.add("r", "bob", T0.plusSeconds(3600), "reader");
        keystone.add("o", "carol", T0.plusSeconds(3600), "observer");
        KeystoneAuthenticator a = auth(Duration.ofSeconds(300), 100);
        assertEquals(new Principal("alice", Role.ADMIN), a.authenticate(null, "a"));
        assertEquals(new Principal("bob", Role.READER), a.authenticate(null, "r"));
        assertNull(a.authenticate(null, "o"), "no mapped role: refused");
        assertNull(a.authenticate(null, "nope"));
    }

    @Test
    void noTokenOrOnlyBasicCredentialsShouldBeRefusedWithoutAskingKeystone() {
        KeystoneAuthenticator a = auth(Duration.ofSeconds(300), 100);
        assertNull(a.authenticate(null, null));
        assertNull(a.authenticate(null, "  "));
        assertNull(a.authenticate("Basic YWRtaW46cHc="));
        assertNull(a.authenticate("Basic YWRtaW46cHc=", null));
        assertEquals(0, keystone.asked);
        assertEquals("Keystone uri=\"http://keystone:5000/v3\"", a.challenge());
    }

    @Test
    void aValidationShouldBeReusedUntilTheTokenExpiresAndNotAfter() {
        keystone.add("a", "alice", T0.plusSeconds(100), "admin");
        KeystoneAuthenticator a = auth(Duration.ofSeconds(300), 100);
        for (int i = 0; i < 5; i++) {
            assertEquals(Role.ADMIN, a.authenticate(null, "a").role());
            clock.advance(Duration.ofSeconds(19));
        }
        assertEquals(1, keystone.asked, "one validation for the token's lifetime");
        clock.now = T0.plusSeconds(100);
        // Keystone (like the real one) no longer knows an expired token; the cache must not answer for it.
        keystone.known.clear();
        assertNull(a.authenticate(null, "a"));
        assertEquals(2, keystone.asked);
    }

    @Test
    void aTokenKeystoneStillAcceptsButOurClockSaysIsExpiredShouldBeRefused() {
        keystone.add("a", "alice", T0.minusSeconds(1), "admin");
        assertNull(auth(Duration.ofSeconds(300), 100).authenticate(null, "a"));
    }

    @Test
    void aRevokedTokenShouldBeAcceptedAtMostTokenCacheTimeAfterItsLastValidation() {
        keystone.add("a", "alice", T0.plusSeconds(3600), "admin");
        KeystoneAuthenticator a = auth(Duration.ofSeconds(60), 100);
        assertEquals(Role.ADMIN, a.authenticate(null, "a").role());
        keystone.known.remove("a"); // revoked in Keystone
        clock.advance(Duration.ofSeconds(59));
        assertEquals(Role.ADMIN, a.authenticate(null, "a").role(), "inside the revocation window: cached");
        clock.advance(Duration.ofSeconds(1));
        assertNull(a.authenticate(null, "a"), "window over: Keystone asked again");
        assertEquals(2, keystone.asked);
    }

    @Test
    void anUnknownTokenShouldBeRememberedForTheCacheTime() {
        KeystoneAuthenticator a = auth(Duration.ofSeconds(60), 100);
        assertNull(a.authenticate(null, "bad"));
        assertNull(a.authenticate(null, "bad"));
        assertEquals(1, keystone.asked);
        clock.advance(Duration.ofSeconds(60));
        assertNull(a.authenticate(null, "bad"));
        assertEquals(2, keystone.asked);
    }

    @Test
    void aZeroCacheTimeShouldAskKeystoneEveryTime() {
        keystone.add("a", "alice", T0.plusSeconds(3600), "admin");
        KeystoneAuthenticator a = auth(Duration.ZERO, 100);
        a.authenticate(null, "a");
        a.authenticate(null, "a");
        assertEquals(2, keystone.asked);
        assertEquals(0, a.cachedTokens());
    }

    @Test
    void theCacheShouldBeBoundedEvictingTheLeastRecentlyUsed() {
        for (int i = 0; i < 10; i++) {
            keystone.add("t" + i, "u" + i, T0.plusSeconds(3600), "reader");
        }
        KeystoneAuthenticator a = auth(Duration.ofSeconds(300), 3);
        a.authenticate(null, "t0");
        for (int i = 1; i < 10; i++) {
            a.authenticate(null, "t" + i);
            a.authenticate(null, "t0"); // kept hot
        }
        assertEquals(3, a.cachedTokens());
        int before = keystone.asked;
        a.authenticate(null, "t0");
        a.authenticate(null, "t9");
        assertEquals(before, keystone.asked, "most recently used still cached");
        a.authenticate(null, "t1");
        assertEquals(before + 1, keystone.asked, "evicted");
    }

    @Test
    void keystoneDownShouldBeUnavailableNotUnauthorizedAndNothingCached() {
        keystone.add("a", "alice", T0.plusSeconds(3600), "admin");
        KeystoneAuthenticator a = auth(Duration.ofSeconds(300), 100);
        keystone.down = true;
        AuthUnavailableException e = assertThrows(AuthUnavailableException.class, () -> a.authenticate(null, "a"));
        assertTrue(e.getMessage().contains("cannot connect"), e.getMessage());
        assertEquals(0, a.cachedTokens());
        keystone.down = false;
        assertEquals(Role.ADMIN, a.authenticate(null, "a").role());
    }

    @Test
    void theCacheShouldNotKeepTokensInClear() throws Exception {
        keystone.add("secret-token-value", "alice", T0.plusSeconds(3600), "admin");
        KeystoneAuthenticator a = auth(Duration.ofSeconds(300), 100);
        a.authenticate(null, "secret-token-value");
        java.lang.reflect.Field f = KeystoneAuthenticator.class.getDeclaredField("cache");
        f.setAccessible(true);
        assertTrue(!((Map<?, ?>) f.get(a)).containsKey("secret-token-value"));
    }
}
