package io.vrouter.provision.auth;

import io.vrouter.plumbing.http.HttpError;
import io.vrouter.plumbing.stats.Counters;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an {@link Authenticator} so that a wrong-password flood cannot starve legitimate callers:
 *
 * <ol>
 *   <li>a caller whose credentials were verified recently is answered at once
 *       ({@link Authenticator#cached}: one HMAC), before anything else;</li>
 *   <li>a source address or claimed user with too many recent failures ({@link FailureThrottle})
 *       gets 429 with {@code Retry-After}, without any password check, and that answer is held
 *       back (no thread held) for up to {@value #MAX_TARPIT_MS} ms so a flooding client in a loop
 *       slows down to it;</li>
 *   <li>everything else is verified on a bounded pool of its own ({@code config-api-auth}
 *       threads), never on the server's I/O or request threads; a full queue is 503 with
 *       {@code Retry-After: 1}.</li>
 * </ol>
 *
 * <table>
 *   <caption>Limits</caption>
 *   <tr><td>{@link #DEFAULT_THREADS}</td><td>password checks at once: half the cores, at most 2
 *       (PBKDF2 is CPU-bound; the other half keeps serving callers whose verification is cached,
 *       so a wrong-password flood does not starve them)</td></tr>
 *   <tr><td>{@link #DEFAULT_QUEUE}</td><td>checks waiting; more → 503</td></tr>
 * </table>
 */
public final class AuthGate implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AuthGate.class);
    public static final int DEFAULT_THREADS = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors() / 2));
    public static final int DEFAULT_QUEUE = 64;
    public static final long MAX_TARPIT_MS = 1_000;
    private static final long LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);

    private final Authenticator auth;
    private final FailureThrottle throttle;
    private final ThreadPoolExecutor pool;
    private final ScheduledExecutorService delayer;
    private final Counters<Event> events = new Counters<>(Event.class);
    private final AtomicLong lastLogNs = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NS);
    private final AtomicLong throttledSinceLog = new AtomicLong();

    public AuthGate(Authenticator auth) {
        this(auth, new FailureThrottle(), DEFAULT_THREADS, DEFAULT_QUEUE);
    }

    AuthGate(Authenticator auth, FailureThrottle throttle, int threads, int queue) {
        this.auth = auth;
        this.throttle = throttle;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(queue), r -> {
            Thread t = new Thread(r, "config-api-auth-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.delayer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "config-api-auth-delay");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * The caller of a request, completed on the gate's threads (or at once): a {@link Principal},
     * {@code null} for 401, or failed with an {@link HttpError} (429 throttled, 503 busy or the
     * identity service unavailable).
     *
     * @param source the client's address, the throttle's per-source key
     */
    public CompletableFuture<Principal> authenticate(String authorization, String authToken, Object source) {
        if (!auth.enabled()) {
            return CompletableFuture.completedFuture(auth.authenticate(authorization, authToken));
        }
        if (authorization == null && authToken == null) {
            return CompletableFuture.completedFuture(null); // nothing to check, nothing to count
        }
        Principal known = auth.cached(authorization, authToken);
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        String user = auth.claimedUser(authorization, authToken);
        long waitNs = throttle.waitNanos(source, user);
        if (waitNs > 0) {
            return refuse(source, user, waitNs);
        }
        CompletableFuture<Principal> result = new CompletableFuture<>();
        try {
            pool.execute(() -> verify(authorization, authToken, source, user, result));
        } catch (RejectedExecutionException e) {
            events.increment(Event.BUSY);
            result.completeExceptionally(new HttpError(503, "too many authentications in progress; retry")
                    .header("Retry-After", "1"));
        }
        return result;
    }

    private void verify(String authorization, String authToken, Object source, String user,
            CompletableFuture<Principal> result) {
        try {
            Principal p = auth.authenticate(authorization, authToken);
            if (p == null) {
                events.increment(Event.FAILED);
                throttle.failed(source, user);
            }
            result.complete(p);
        } catch (AuthUnavailableException e) {
            result.completeExceptionally(new HttpError(503, e.getMessage()));
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
    }

    private CompletableFuture<Principal> refuse(Object source, String user, long waitNs) {
        events.increment(Event.THROTTLED);
        throttledSinceLog.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLogNs.get();
        if (now - last >= LOG_INTERVAL_NS && lastLogNs.compareAndSet(last, now)) {
            LOG.warn("authentication throttled after repeated failures: {} requests refused in the last {} s"
                    + " (latest from {}{}); verified callers are unaffected", throttledSinceLog.getAndSet(0),
                    TimeUnit.NANOSECONDS.toSeconds(now - last), source, user == null ? "" : " as user '" + user + "'");
        }
        long retryS = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(waitNs + 999_999_999));
        HttpError err = new HttpError(429, "too many failed authentications from this address or for this user;"
                + " retry in " + retryS + " s").header("Retry-After", Long.toString(retryS));
        CompletableFuture<Principal> result = new CompletableFuture<>();
        long delayMs = Math.min(MAX_TARPIT_MS, TimeUnit.NANOSECONDS.toMillis(waitNs));
        try {
            delayer.schedule(() -> result.completeExceptionally(err), delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(err);
        }
        return result;
    }

    /** What the gate has counted so far (for stats and tests). */
    public Counts counts() {
        return new Counts(events.get(Event.THROTTLED), events.get(Event.BUSY), events.get(Event.FAILED));
    }

    /**
     * A snapshot of the gate's counters.
     *
     * @param throttled requests refused by the failure throttle (429)
     * @param busy      requests refused because every check slot was taken (503)
     * @param failed    password or token checks that failed
     */
    public record Counts(long throttled, long busy, long failed) {
    }

    private enum Event { THROTTLED, BUSY, FAILED }

    @Override
    public void close() {
        pool.shutdownNow();
        delayer.shutdownNow();
    }
}
