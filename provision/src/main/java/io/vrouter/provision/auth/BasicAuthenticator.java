package io.vrouter.provision.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HTTP Basic authentication against a {@link CredentialsFile}.
 *
 * <p>A PBKDF2 check costs a few hundred milliseconds on purpose, and agents and the CLI send
 * the same credentials on every request. After one successful check the authenticator keeps,
 * per user, an HMAC of the password under a random key that lives only in this process; a
 * later request whose password gives the same HMAC is accepted without PBKDF2. The clear
 * password is never kept, and a wrong password always pays the full PBKDF2 price.
 */
public final class BasicAuthenticator implements Authenticator {
    private final CredentialsFile credentials;
    private final byte[] cacheKey = new byte[32];
    private final ConcurrentHashMap<String, byte[]> verified = new ConcurrentHashMap<>();
    private final int decoyIterations;

    public BasicAuthenticator(CredentialsFile credentials) {
        this.credentials = credentials;
        new SecureRandom().nextBytes(cacheKey);
        this.decoyIterations = credentials.users().values().stream()
                .mapToInt(u -> u.hash().iterations()).max().orElse(PasswordHasher.MIN_ITERATIONS);
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
        try {
            CredentialsFile.User user = credentials.user(name);
            if (user == null) {
                // Same cost as a real check, so response time does not reveal which users exist.
                PasswordHasher.derive(password, new byte[PasswordHasher.SALT_BYTES], decoyIterations);
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
        return verified.size();
    }
}
