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
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP Basic authentication against a {@link CredentialsFile}.
 *
 * <p>A PBKDF2 check costs a few hundred milliseconds on purpose, and agents and the CLI send
 * the same credentials on every request. After one successful check the authenticator keeps,
 * per user, an HMAC of the password under a random key that lives only in this process; a
 * later request whose password gives the same HMAC is accepted without PBKDF2. The clear
 * password is never kept, and a wrong password always pays the full PBKDF2 price. When the
 * users change (file reloaded) the cache starts empty, so a changed or removed password stops
 * working at once.
 */
public final class BasicAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(BasicAuthenticator.class);

    /** How often, at most, the credentials file is checked for changes. */
    public static final long DEFAULT_RELOAD_CHECK_MS = 1000;

    /** The users in force, with the successes verified against exactly these users. */
    private record Snapshot(CredentialsFile credentials, Object fileVersion, int decoyIterations,
            ConcurrentHashMap<String, byte[]> verified) {
        static Snapshot of(CredentialsFile c, Object fileVersion) {
            int decoy = c.users().values().stream()
                    .mapToInt(u -> u.hash().iterations()).max().orElse(PasswordHasher.MIN_ITERATIONS);
            return new Snapshot(c, fileVersion, decoy, new ConcurrentHashMap<>());
        }
    }

    private final byte[] cacheKey = new byte[32];
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
        if (authorization == null || authorization.length() < 6
                || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(authorization.substring(6).trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
        String pair = new String(decoded, StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        String name = pair.substring(0, colon);
        char[] password = pair.substring(colon + 1).toCharArray();
        Snapshot s = current();
        ConcurrentHashMap<String, byte[]> verified = s.verified();
        try {
            CredentialsFile.User user = s.credentials().user(name);
            if (user == null) {
                // Same cost as a real check, so response time does not reveal which users exist.
                PasswordHasher.derive(password, new byte[PasswordHasher.SALT_BYTES], s.decoyIterations());
                return null;
            }
            byte[] tag = tag(name, password);
            byte[] known = verified.get(name);
            if (known != null && MessageDigest.isEqual(known, tag)) {
                return new Principal(name, user.role());
            }
            if (!user.hash().matches(password)) {
                return null;
            }
            verified.put(name, tag);
            return new Principal(name, user.role());
        } finally {
            Arrays.fill(password, '\0');
            Arrays.fill(decoded, (byte) 0);
        }
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
