package io.vrouter.provision.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP Basic authentication against a {@link CredentialsFile}.
 *
 * <p>A PBKDF2 check costs a few hundred milliseconds on purpose, and agents and the CLI send
 * the same credentials on every request. After one successful check the authenticator keeps,
 * per user, an HMAC of the password under a random key that lives only in this process, for
 * {@link #DEFAULT_CACHE_TTL_MS}; a later request whose password gives the same HMAC is accepted
 * without PBKDF2 ({@link #cached}, which never blocks). At most one entry per user: bounded by
 * the credentials file. The clear
 * password is never kept, and a wrong password always pays the full PBKDF2 price. When the
 * users change (file reloaded) the cache starts empty, so a changed or removed password stops
 * working at once.
 */
public final class BasicAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(BasicAuthenticator.class);

    /** How often, at most, the credentials file is checked for changes. */
    public static final long DEFAULT_RELOAD_CHECK_MS = 1000;

    /** How long a successful check is remembered: a changed mind (revoked role) needs no restart. */
    public static final long DEFAULT_CACHE_TTL_MS = 300_000;

    /** A remembered success: the HMAC tag of the password and when it stops counting. */
    private record Verified(byte[] tag, long expiresAtMs) {
    }

    /** The users in force, with the successes verified against exactly these users. */
    private record Snapshot(CredentialsFile credentials, Object fileVersion, int decoyIterations,
            ConcurrentHashMap<String, Verified> verified) {
        static Snapshot of(CredentialsFile c, Object fileVersion) {
            int decoy = c.users().values().stream()
                    .mapToInt(u -> u.hash().iterations()).max().orElse(PasswordHasher.MIN_ITERATIONS);
            return new Snapshot(c, fileVersion, decoy, new ConcurrentHashMap<>());
        }
    }

    private final byte[] cacheKey = new byte[32];
    private final LongSupplier clock = System::currentTimeMillis;
    private final long cacheTtlMs = DEFAULT_CACHE_TTL_MS;
    private final Path file;
    private final long reloadCheckMs;
    private volatile Snapshot snapshot;
    private volatile long nextCheckMs;

    /** Fixed users (tests, embedding). */
    public BasicAuthenticator(CredentialsFile credentials) {
        this(null, Snapshot.of(credentials, null), 0);
    }

    private BasicAuthenticator(Path file, Snapshot first, long reloadCheckMs) {
        new SecureRandom().nextBytes(cacheKey);
        this.file = file;
        this.snapshot = first;
        this.reloadCheckMs = reloadCheckMs;
    }

    /**
     * Users from {@code file}, re-read when it changes (checked at most every {@link
     * #DEFAULT_RELOAD_CHECK_MS}), so {@code config-api-passwd} takes effect without a restart.
     * A changed file that does not parse is logged and ignored: the users before stay in force.
     */
    public static BasicAuthenticator watching(Path file) throws IOException {
        return watching(file, DEFAULT_RELOAD_CHECK_MS);
    }

    static BasicAuthenticator watching(Path file, long reloadCheckMs) throws IOException {
        Object version = version(file);
        return new BasicAuthenticator(file, Snapshot.of(CredentialsFile.load(file), version), reloadCheckMs);
    }

    /** Identity of the file's content as far as the file system tells: inode, mtime, size. */
    private static Object version(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return List.of(String.valueOf(a.fileKey()), a.lastModifiedTime().toMillis(), a.size());
    }

    private Snapshot current() {
        if (file == null) {
            return snapshot;
        }
        long now = System.currentTimeMillis();
        if (now < nextCheckMs) {
            return snapshot;
        }
        synchronized (this) {
            if (now < nextCheckMs) {
                return snapshot;
            }
            nextCheckMs = now + reloadCheckMs;
            Snapshot s = snapshot;
            try {
                Object v = version(file);
                if (!v.equals(s.fileVersion())) {
                    CredentialsFile c = CredentialsFile.load(file);
                    snapshot = Snapshot.of(c, v);
                    LOG.info("credentials file {} changed: {} users", file, c.users().size());
                }
            } catch (IOException | IllegalArgumentException e) {
                LOG.error("credentials file {} changed but cannot be used ({}); keeping the {} users loaded before",
                        file, e.getMessage(), s.credentials().users().size());
                try {
                    snapshot = new Snapshot(s.credentials(), version(file), s.decoyIterations(), s.verified());
                } catch (IOException gone) {
                    // Missing file: keep checking.
                }
            }
            return snapshot;
        }
    }

    @Override
    public Principal authenticate(String authorization) {
        String[] pair = split(authorization);
        if (pair == null) {
            return null;
        }
        String name = pair[0];
        char[] password = pair[1].toCharArray();
        Snapshot s = current();
        try {
            CredentialsFile.User user = s.credentials().user(name);
            if (user == null) {
                // Same cost as a real check, so response time does not reveal which users exist.
                PasswordHasher.derive(password, new byte[PasswordHasher.SALT_BYTES], s.decoyIterations());
                return null;
            }
            byte[] tag = tag(name, password);
            if (remembered(s, name, tag)) {
                return new Principal(name, user.role());
            }
            if (!user.hash().matches(password)) {
                return null;
            }
            s.verified().put(name, new Verified(tag, clock.getAsLong() + cacheTtlMs));
            return new Principal(name, user.role());
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private boolean remembered(Snapshot s, String name, byte[] tag) {
        Verified known = s.verified().get(name);
        return known != null && clock.getAsLong() < known.expiresAtMs() && MessageDigest.isEqual(known.tag(), tag);
    }

    /** Only a success remembered within {@link #DEFAULT_CACHE_TTL_MS}: one HMAC, no PBKDF2. */
    @Override
    public Principal cached(String authorization, String authToken) {
        String[] pair = split(authorization);
        if (pair == null) {
            return null;
        }
        Snapshot s = current();
        CredentialsFile.User user = s.credentials().user(pair[0]);
        char[] password = pair[1].toCharArray();
        try {
            return user != null && remembered(s, pair[0], tag(pair[0], password)) ? new Principal(pair[0], user.role()) : null;
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    @Override
    public String claimedUser(String authorization, String authToken) {
        String[] pair = split(authorization);
        return pair == null ? null : pair[0];
    }

    /** {user, password} of a well-formed Basic header, else null. */
    private static String[] split(String authorization) {
        if (authorization == null || authorization.length() < 6
                || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String pair;
        try {
            pair = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = pair.indexOf(':');
        return colon <= 0 ? null : new String[] {pair.substring(0, colon), pair.substring(colon + 1)};
    }

    private byte[] tag(String name, char[] password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(cacheKey, "HmacSHA256"));
            mac.update(name.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            byte[] pw = new String(password).getBytes(StandardCharsets.UTF_8);
            byte[] out = mac.doFinal(pw);
            Arrays.fill(pw, (byte) 0);
            return out;
        } catch (NoSuchAlgorithmException | java.security.InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    @Override
    public boolean enabled() {
        return true;
    }

    /** How many users passed a full check and are cached (tests). */
    int cachedUsers() {
        return snapshot.verified().size();
    }
}
