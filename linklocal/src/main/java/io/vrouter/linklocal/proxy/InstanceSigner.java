package io.vrouter.linklocal.proxy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * X-Instance-ID-Signature: lower-case hex HMAC-SHA256(key = UTF-8 shared secret,
 * message = UTF-8 instance UUID), as nova checks it (upper case is rejected).
 *
 * <p>Each thread gets its own keyed Mac ({@link ThreadMacs}): a request pays for the hash only,
 * never for key setup. Thread-safe.
 */
public final class InstanceSigner {
    private static final HexFormat HEX = HexFormat.of(); // lower case

    private final ThreadMacs macs;

    public InstanceSigner(String sharedSecret) {
        if (sharedSecret == null || sharedSecret.isEmpty()) {
            throw new IllegalArgumentException("shared secret must not be empty");
        }
        this.macs = new ThreadMacs(sharedSecret.getBytes(StandardCharsets.UTF_8));
    }

    /** The signature nova expects for {@code instanceId}. */
    public String sign(String instanceId) {
        return HEX.formatHex(macs.get().doFinal(instanceId.getBytes(StandardCharsets.UTF_8)));
    }
}
