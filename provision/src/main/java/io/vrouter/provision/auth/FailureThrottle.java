package io.vrouter.provision.auth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Failed authentications per source address and per claimed user, as token buckets: each key
 * may fail {@code burst} times at once, then once per {@code refill} interval. While either key
 * of a request has no failure left, the request is refused without any password check, so a
 * wrong-password flood costs the server no PBKDF2. Successful callers whose verification is
 * cached are never asked here (see {@link AuthGate}).
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>key</th><th>burst</th><th>refill</th><th>why</th></tr>
 *   <tr><td>source address</td><td>{@value #SOURCE_BURST}</td><td>1 / {@value #SOURCE_REFILL_MS} ms</td>
 *       <td>a host with several scripts and a typo still gets through; a flood is cut after 10</td></tr>
 *   <tr><td>user name</td><td>{@value #USER_BURST}</td><td>1 / {@value #USER_REFILL_MS} ms</td>
 *       <td>a password guesser spread over many sources still gets 12 guesses a minute</td></tr>
 *   <tr><td>keys remembered</td><td>{@value #MAX_KEYS} each</td><td>least recently used forgotten</td>
 *       <td>bounds memory whatever the sources and names sent</td></tr>
 * </table>
 *
 * <p>Thread-safe (one lock; each call is a map lookup). The clock is given so tests run it.
 */
public final class FailureThrottle {
    public static final int SOURCE_BURST = 10;
    public static final long SOURCE_REFILL_MS = 1_000;
    public static final int USER_BURST = 5;
    public static final long USER_REFILL_MS = 5_000;
    public static final int MAX_KEYS = 10_000;
    /** Longer claimed names share one bucket per prefix: no user has such a name anyway. */
    static final int MAX_USER_KEY_CHARS = 256;

    private final LongSupplier nanoClock;
    private final Buckets sources;
    private final Buckets users;

    public FailureThrottle() {
        this(System::nanoTime, SOURCE_BURST, SOURCE_REFILL_MS, USER_BURST, USER_REFILL_MS, MAX_KEYS);
    }

    FailureThrottle(LongSupplier nanoClock, int sourceBurst, long sourceRefillMs, int userBurst, long userRefillMs,
            int maxKeys) {
        this.nanoClock = nanoClock;
        this.sources = new Buckets(sourceBurst, sourceRefillMs * 1_000_000, maxKeys);
        this.users = new Buckets(userBurst, userRefillMs * 1_000_000, maxKeys);
    }

    /**
     * Nanoseconds until a request from {@code source} claiming {@code user} may be checked; 0 when
     * it may be now.
     *
     * @param user the claimed user, or null when the request names none
     */
    public synchronized long waitNanos(Object source, String user) {
        long now = nanoClock.getAsLong();
        long wait = sources.waitNanos(source, now);
        return user == null ? wait : Math.max(wait, users.waitNanos(userKey(user), now));
    }

    /** A check of these credentials failed: both keys lose one. */
    public synchronized void failed(Object source, String user) {
        long now = nanoClock.getAsLong();
        sources.take(source, now);
        if (user != null) {
            users.take(userKey(user), now);
        }
    }

    private static String userKey(String user) {
        return user.length() > MAX_USER_KEY_CHARS ? user.substring(0, MAX_USER_KEY_CHARS) : user;
    }

    /** Token buckets by key, LRU-bounded; a bucket is its token count at a time, refilled lazily. */
    private static final class Buckets {
        private final int burst;
        private final long refillNs;
        private final LinkedHashMap<Object, long[]> byKey;

        Buckets(int burst, long refillNs, int maxKeys) {
            this.burst = burst;
            this.refillNs = refillNs;
            this.byKey = new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Object, long[]> eldest) {
                    return size() > maxKeys;
                }
            };
        }

        /** {tokens, time of that count}, brought up to {@code now}. */
        private long[] refilled(Object key, long now) {
            long[] b = byKey.get(key);
            if (b == null) {
                return null;
            }
            long gained = (now - b[1]) / refillNs;
            if (gained > 0) {
                b[0] = Math.min(burst, b[0] + gained);
                b[1] = b[0] == burst ? now : b[1] + gained * refillNs;
            }
            return b;
        }

        long waitNanos(Object key, long now) {
            long[] b = refilled(key, now);
            return b == null || b[0] > 0 ? 0 : Math.max(1, b[1] + refillNs - now);
        }

        void take(Object key, long now) {
            long[] b = refilled(key, now);
            if (b == null) {
                byKey.put(key, new long[] {burst - 1, now});
            } else if (b[0] > 0) {
                if (b[0] == burst) {
                    b[1] = now;
                }
                b[0]--;
            }
        }
    }
}
