package io.vrouter.provision.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * PBKDF2WithHmacSHA256 password hashes with a per-user random salt; the iteration count is
 * stored with each hash so it can be raised later without invalidating existing users.
 *
 * <table>
 *   <caption>Parameters</caption>
 *   <tr><td>{@link #DEFAULT_ITERATIONS}</td><td>600000, OWASP's 2023 figure for
 *       PBKDF2-HMAC-SHA256</td></tr>
 *   <tr><td>{@link #SALT_BYTES}</td><td>16 random bytes from {@link SecureRandom}</td></tr>
 *   <tr><td>{@link #HASH_BYTES}</td><td>32 (the SHA-256 output size)</td></tr>
 *   <tr><td>{@link #MIN_ITERATIONS}</td><td>1000: a credentials file asking for fewer is
 *       refused as tampered or broken</td></tr>
 * </table>
 */
public final class PasswordHasher {
    public static final int DEFAULT_ITERATIONS = 600_000;
    public static final int MIN_ITERATIONS = 1_000;
    public static final int SALT_BYTES = 16;
    public static final int HASH_BYTES = 32;
    static final String ALGORITHM = "PBKDF2WithHmacSHA256";

    private static final SecureRandom RANDOM = new SecureRandom();

    private PasswordHasher() {
    }

    /** A stored hash: algorithm parameters plus the derived key. */
    public record Hash(int iterations, byte[] salt, byte[] hash) {
        public Hash {
            salt = salt.clone();
            hash = hash.clone();
        }

        @Override
        public byte[] salt() {
            return salt.clone();
        }

        @Override
        public byte[] hash() {
            return hash.clone();
        }

        /** True when {@code password} derives to this hash (constant-time comparison). */
        public boolean matches(char[] password) {
            return MessageDigest.isEqual(hash, derive(password, salt, iterations));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Hash h && h.iterations == iterations
                    && Arrays.equals(h.salt, salt) && Arrays.equals(h.hash, hash);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(hash);
        }

        @Override
        public String toString() {
            return "Hash[iterations=" + iterations + ", salt=" + Base64.getEncoder().encodeToString(salt)
                    + ", hash=" + Base64.getEncoder().encodeToString(hash) + "]";
        }
    }

    /** Hashes {@code password} with a fresh random salt. */
    public static Hash hash(char[] password, int iterations) {
        if (iterations < MIN_ITERATIONS) {
            throw new IllegalArgumentException("iterations " + iterations + " is below the minimum " + MIN_ITERATIONS);
        }
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return new Hash(iterations, salt, derive(password, salt, iterations));
    }

    static byte[] derive(char[] password, byte[] salt, int iterations) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, HASH_BYTES * 8);
        try {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available in this JVM", e);
        } finally {
            spec.clearPassword();
        }
    }
}
