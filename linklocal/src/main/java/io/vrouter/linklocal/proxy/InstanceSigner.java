package io.vrouter.linklocal.proxy;

import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * X-Instance-ID-Signature: lower-case hex HMAC-SHA256(key = UTF-8 shared secret,
 * message = UTF-8 instance UUID), as nova checks it (upper case is rejected).
 *
 * <p>Each thread gets its own {@link Mac}, keyed once; {@code doFinal} resets it to the keyed
 * state, so a request pays for the hash only, never for key setup. Thread-safe.
 */
public final class InstanceSigner {
    private static final String ALGORITHM = "HmacSHA256";
    private static final HexFormat HEX = HexFormat.of(); // lower case

    private final SecretKeySpec key;
    private final FastThreadLocal<Mac> macs = new FastThreadLocal<>() {
        @Override
        protected Mac initialValue() {
            return newMac();
        }
    };

    public InstanceSigner(String sharedSecret) {
        if (sharedSecret == null || sharedSecret.isEmpty()) {
            throw new IllegalArgumentException("shared secret must not be empty");
        }
        this.key = new SecretKeySpec(sharedSecret.getBytes(StandardCharsets.UTF_8), ALGORITHM);
        newMac(); // fail at construction, not on the first request
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " unavailable", e);
        }
    }

    /** The signature nova expects for {@code instanceId}. */
    public String sign(String instanceId) {
        return HEX.formatHex(macs.get().doFinal(instanceId.getBytes(StandardCharsets.UTF_8)));
    }
}
