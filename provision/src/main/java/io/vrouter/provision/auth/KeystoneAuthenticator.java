package io.vrouter.provision.auth;

import io.vrouter.provision.keystone.KeystoneException;
import io.vrouter.provision.keystone.KeystoneSettings;
import io.vrouter.provision.keystone.KeystoneToken;
import io.vrouter.provision.keystone.ServiceTokenValidator;
import io.vrouter.provision.keystone.TokenValidator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code auth_strategy = keystone}: the request's {@code X-Auth-Token} is validated with
 * Keystone ({@link TokenValidator}, in production {@link ServiceTokenValidator}), as Contrail's
 * API server does through keystonemiddleware.
 *
 * <table>
 *   <caption>Keystone roles (on the token, implied roles included; case-insensitive)</caption>
 *   <tr><th>token carries</th><th>config API role</th></tr>
 *   <tr><td>{@code admin}</td><td>{@link Role#ADMIN}: read, write, watch</td></tr>
 *   <tr><td>{@code reader} or {@code member}, no {@code admin}</td><td>{@link Role#READER}: read and
 *       watch; a write is 403</td></tr>
 *   <tr><td>none of these</td><td>refused: 401 (logged with the user's name)</td></tr>
 * </table>
 *
 * <p><b>Cache.</b> A validation is reused until the earlier of the token's {@code expires_at}
 * and {@code token_cache_time} after it was made, so an expired token is refused at its expiry
 * without asking Keystone, and a token revoked in Keystone is still accepted for at most
 * {@code token_cache_time} (the revocation window; keystonemiddleware's default, 300 s, is ours;
 * 0 switches caching off). Unknown tokens are remembered as unknown for the same window, so a
 * client repeating a bad token does not hammer Keystone. At most {@link #DEFAULT_MAX_ENTRIES}
 * tokens are kept, least recently used evicted first. Tokens are cached by their SHA-256, never
 * in clear.
 *
 * <p>Keystone unreachable, or refusing the service's own credentials: {@link
 * AuthUnavailableException} (503). Nothing is cached then.
 *
 * <p>{@code Authorization: Basic} is not accepted under this strategy.
 */
public final class KeystoneAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(KeystoneAuthenticator.class);

    /** Tokens cached at most; ~200 bytes each, so the cache stays under a few MB. */
    public static final int DEFAULT_MAX_ENTRIES = 10_000;

    /** One validation: who, or null when Keystone did not accept the token; valid until {@code until}. */
    private record Entry(Principal principal, Instant until) {
    }

    private final TokenValidator validator;
    private final InstantSource clock;
    private final Duration cacheTime;
    private final String challenge;
    private final Map<String, Entry> cache;
    private long validations;

    /**
     * @param validator  asks Keystone
     * @param clock      the time cache entries are compared with
     * @param cacheTime  longest reuse of a validation ({@code token_cache_time})
     * @param maxEntries tokens cached at most
     * @param keystoneUrl named in the 401's {@code WWW-Authenticate: Keystone uri="..."}
     */
    public KeystoneAuthenticator(TokenValidator validator, InstantSource clock, Duration cacheTime, int maxEntries,
            String keystoneUrl) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries " + maxEntries + " < 1");
        }
        this.validator = validator;
        this.clock = clock;
        this.cacheTime = cacheTime;
        this.challenge = "Keystone uri=\"" + keystoneUrl + "\"";
        this.cache = new LinkedHashMap<>(64, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > maxEntries;
            }
        };
    }

    /**
     * The authenticator for {@code settings}: logs in with the service credentials first, so
     * wrong ones stop the server at start rather than failing every request.
     *
     * @throws IllegalArgumentException when Keystone refuses the service credentials
     * @throws IOException              when Keystone cannot be reached, or TLS cannot be set up
     */
    public static KeystoneAuthenticator start(KeystoneSettings settings) throws IOException {
        ServiceTokenValidator v = new ServiceTokenValidator(settings.client(), settings.credentials(),
                InstantSource.system());
        try {
            KeystoneToken own = v.login();
            LOG.info("Keystone auth: validating tokens at {} as {}; revoked tokens are refused within {} s",
                    settings.v3Url(), own, settings.tokenCacheTime().toSeconds());
        } catch (KeystoneException e) {
            if (e.kind() == KeystoneException.Kind.UNAVAILABLE) {
                throw new IOException(e.getMessage(), e);
            }
            throw new IllegalArgumentException("Keystone: " + e.getMessage(), e);
        }
        for (String k : settings.ignoredKeys()) {
            LOG.warn("[{}] {} is not used by the config API; ignored", KeystoneSettings.SECTION, k);
        }
        return new KeystoneAuthenticator(v, InstantSource.system(), settings.tokenCacheTime(), DEFAULT_MAX_ENTRIES,
                settings.v3Url().toString());
    }

    /**
     * The config API role for a token's Keystone roles: {@code admin} → admin, {@code reader} /
     * {@code member} → reader, anything else → null (refused).
     */
    public static Role roleOf(Collection<String> keystoneRoles) {
        boolean reader = false;
        for (String r : keystoneRoles) {
            String n = r.toLowerCase(Locale.ROOT);
            if (n.equals("admin")) {
                return Role.ADMIN;
            }
            if (n.equals("reader") || n.equals("member")) {
                reader = true;
            }
        }
        return reader ? Role.READER : null;
    }

    @Override
    public Principal authenticate(String authorization) {
        return null;
    }

    @Override
    public Principal authenticate(String authorization, String authToken) {
        if (authToken == null || authToken.isBlank()) {
            return null;
        }
        String token = authToken.trim();
        String key = digest(token);
        Instant now = clock.instant();
        synchronized (cache) {
            Entry e = cache.get(key);
            if (e != null) {
                if (now.isBefore(e.until())) {
                    return e.principal();
                }
                cache.remove(key);
            }
        }
        Optional<KeystoneToken> answer;
        try {
            answer = validator.validate(token);
        } catch (KeystoneException x) {
            LOG.warn("cannot validate a token: {}", x.getMessage());
            throw new AuthUnavailableException("cannot validate the token with Keystone: " + x.getMessage(), x);
        }
        Principal who = null;
        Instant until = now.plus(cacheTime);
        if (answer.isPresent()) {
            KeystoneToken t = answer.get();
            Role role = roleOf(t.roles());
            if (!t.expiresAt().isAfter(now)) {
                LOG.debug("Keystone accepted a token of {} that expired at {} by our clock", t.userName(), t.expiresAt());
            } else if (role == null) {
                LOG.info("Keystone user '{}' has none of the roles admin, member, reader (has {}); refused",
                        t.userName(), t.roles());
            } else {
                who = new Principal(t.userName(), role);
                if (t.expiresAt().isBefore(until)) {
                    until = t.expiresAt();
                }
            }
        }
        synchronized (cache) {
            validations++;
            if (now.isBefore(until)) {
                cache.put(key, new Entry(who, until));
            }
        }
        return who;
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public String challenge() {
        return challenge;
    }

    /** How many times Keystone was asked (tests). */
    long validations() {
        synchronized (cache) {
            return validations;
        }
    }

    /** Tokens cached (tests). */
    int cachedTokens() {
        synchronized (cache) {
            return cache.size();
        }
    }

    private static String digest(String token) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
