package io.vrouter.linklocal.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.function.LongSupplier;
import javax.crypto.Mac;

/**
 * IMDSv2-style session tokens, stateless: a token carries its own expiry and an HMAC that
 * binds it to one VM, so the proxy keeps nothing per token (a token-minting loop in a guest
 * costs CPU within its rate limit, never memory) and nothing is shared with nova.
 *
 * <h2>Token layout</h2>
 * The token is the unpadded base64url ({@value #TOKEN_CHARS} characters) of {@value #TOKEN_BYTES} bytes:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  version (1)  |        expiry, seconds since the epoch,       |
 *  +-+-+-+-+-+-+-+-+        signed 64-bit big-endian ...           +
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  ...          |  HMAC-SHA256(node key, version || expiry ||   |
 *  +-+-+-+-+-+-+-+-+      UTF-8 instance UUID): 32 bytes ...       +
 *  |                                                               |
 * </pre>
 * The instance UUID is the one the proxy attributes the connection to (its source address →
 * port → instance), never anything the guest sends: a token taken from one VM is invalid on
 * another. Comparison of the MAC is constant-time; the MAC is checked before the expiry, so
 * "expired" is only ever said of a token this node issued.
 *
 * <h2>Node key</h2>
 * 32 random bytes at start ({@link #withRandomKey()}): tokens do not survive an agent restart
 * (a guest's next request with an old token gets 401 and its client fetches a new one, as
 * after an EC2 instance stop), or read from a key file ({@link #withKeyFile(Path)}, at least
 * {@value #MIN_KEY_BYTES} bytes) so they do. The clock is the wall clock in seconds (a key
 * file outlives the process); a clock step moves every token's expiry with it.
 *
 * <p>Thread-safe: each thread has its own keyed {@link Mac} ({@link ThreadMacs}).
 */
public final class MetadataTokens {
    /** AWS's bounds for {@code X-aws-ec2-metadata-token-ttl-seconds}. */
    public static final int MIN_TTL_SECONDS = 1;
    public static final int MAX_TTL_SECONDS = 21_600;
    public static final int MIN_KEY_BYTES = 32;
    static final byte VERSION = 1;
    private static final int MAC_BYTES = 32;
    static final int TOKEN_BYTES = 1 + Long.BYTES + MAC_BYTES;
    static final int TOKEN_CHARS = (TOKEN_BYTES * 4 + 2) / 3;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    /** What {@link #check} found. */
    public enum Check { VALID, INVALID, EXPIRED }

    private final ThreadMacs macs;
    private final LongSupplier epochSeconds;

    /**
     * @param key          the node key, at least {@value #MIN_KEY_BYTES} bytes (copied)
     * @param epochSeconds the clock tokens expire by
     */
    public MetadataTokens(byte[] key, LongSupplier epochSeconds) {
        if (key == null || key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("token key must be at least " + MIN_KEY_BYTES + " bytes");
        }
        this.macs = new ThreadMacs(key);
        this.epochSeconds = Objects.requireNonNull(epochSeconds, "epochSeconds");
    }

    /** A fresh random node key: tokens last until the process ends. */
    public static MetadataTokens withRandomKey() {
        byte[] k = new byte[MIN_KEY_BYTES];
        new SecureRandom().nextBytes(k);
        return new MetadataTokens(k, MetadataTokens::wallClockSeconds);
    }

    /**
     * The node key from {@code file} (its whole content, at least {@value #MIN_KEY_BYTES} bytes,
     * e.g. {@code head -c 32 /dev/urandom > file}): tokens survive a restart.
     *
     * @throws IOException when it cannot be read or is too short (the message names the file)
     */
    public static MetadataTokens withKeyFile(Path file) throws IOException {
        byte[] k = Files.readAllBytes(file);
        if (k.length < MIN_KEY_BYTES) {
            throw new IOException("token key file " + file + " holds " + k.length + " bytes; at least "
                    + MIN_KEY_BYTES + " random bytes are needed");
        }
        return new MetadataTokens(k, MetadataTokens::wallClockSeconds);
    }

    private static long wallClockSeconds() {
        return System.currentTimeMillis() / 1000;
    }

    /**
     * A token for the VM {@code instanceId}, valid for {@code ttlSeconds}.
     *
     * @throws IllegalArgumentException when the TTL is outside {@value #MIN_TTL_SECONDS}-{@value #MAX_TTL_SECONDS}
     */
    public String issue(String instanceId, int ttlSeconds) {
        if (ttlSeconds < MIN_TTL_SECONDS || ttlSeconds > MAX_TTL_SECONDS) {
            throw new IllegalArgumentException("ttl must be " + MIN_TTL_SECONDS + "-" + MAX_TTL_SECONDS + ": " + ttlSeconds);
        }
        ByteBuffer b = ByteBuffer.allocate(TOKEN_BYTES);
        b.put(VERSION).putLong(epochSeconds.getAsLong() + ttlSeconds);
        b.put(mac(b.array(), instanceId));
        return ENCODER.encodeToString(b.array());
    }

    /** Whether {@code token} was issued by this node for {@code instanceId} and has not expired. */
    public Check check(CharSequence token, String instanceId) {
        if (token.length() != TOKEN_CHARS) {
            return Check.INVALID; // no decoding work for what cannot be a token
        }
        byte[] raw;
        try {
            raw = DECODER.decode(token.toString());
        } catch (IllegalArgumentException e) {
            return Check.INVALID;
        }
        if (raw.length != TOKEN_BYTES || raw[0] != VERSION) {
            return Check.INVALID;
        }
        byte[] expected = mac(raw, instanceId);
        byte[] given = new byte[MAC_BYTES];
        System.arraycopy(raw, 1 + Long.BYTES, given, 0, MAC_BYTES);
        if (!MessageDigest.isEqual(expected, given)) {
            return Check.INVALID;
        }
        long expiry = ByteBuffer.wrap(raw, 1, Long.BYTES).getLong();
        return epochSeconds.getAsLong() < expiry ? Check.VALID : Check.EXPIRED;
    }

    /** HMAC over the version and expiry bytes of {@code header} and the instance UUID. */
    private byte[] mac(byte[] header, String instanceId) {
        Mac m = macs.get();
        m.update(header, 0, 1 + Long.BYTES);
        return m.doFinal(instanceId.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code X-aws-ec2-metadata-token-ttl-seconds} as an integer in
     * {@value #MIN_TTL_SECONDS}-{@value #MAX_TTL_SECONDS}, or -1 when it is anything else
     * (missing, empty, signs, spaces inside, not decimal, out of range).
     */
    public static int parseTtl(CharSequence value) {
        if (value == null) {
            return -1;
        }
        int n = value.length();
        int start = 0;
        int end = n;
        while (start < end && isOws(value.charAt(start))) {
            start++;
        }
        while (end > start && isOws(value.charAt(end - 1))) {
            end--;
        }
        if (end == start || end - start > 5) {
            return -1;
        }
        int v = 0;
        for (int i = start; i < end; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v >= MIN_TTL_SECONDS && v <= MAX_TTL_SECONDS ? v : -1;
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }
}
