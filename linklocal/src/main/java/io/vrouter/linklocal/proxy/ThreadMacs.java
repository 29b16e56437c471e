package io.vrouter.linklocal.proxy;

import io.netty.util.concurrent.FastThreadLocal;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One keyed HMAC-SHA256 {@link Mac} per thread: keyed once, and {@code doFinal} resets it to
 * the keyed state, so each use pays for the hash only, never for key setup. Fails at
 * construction, not on first use, when the JVM lacks the algorithm. Thread-safe.
 */
final class ThreadMacs {
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    private final FastThreadLocal<Mac> macs = new FastThreadLocal<>() {
        @Override
        protected Mac initialValue() {
            return newMac();
        }
    };

    /** @param key the HMAC key (copied) */
    ThreadMacs(byte[] key) {
        this.key = new SecretKeySpec(key, ALGORITHM);
        newMac();
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

    /** This thread's keyed Mac, reset. */
    Mac get() {
        return macs.get();
    }
}
