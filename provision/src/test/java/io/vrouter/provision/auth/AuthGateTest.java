package io.vrouter.provision.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vrouter.plumbing.http.HttpError;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class AuthGateTest {
    private AuthGate gate;

    @AfterEach
    void close() {
        if (gate != null) {
            gate.close();
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static BasicAuthenticator users() {
        CredentialsFile c = CredentialsFile.empty();
        c.put("reader", Role.READER, "right".toCharArray(), 1000);
        return new BasicAuthenticator(c);
    }

    private static int statusOf(CompletableFuture<Principal> f) throws InterruptedException {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
        return assertInstanceOf(HttpError.class, e.getCause()).status();
    }

    @Test
    void passwordChecksShouldRunOnTheGatesPoolNotTheCallersThread() throws Exception {
        AtomicReference<String> thread = new AtomicReference<>();
        BasicAuthenticator real = users();
        Authenticator spy = new Authenticator() {
            @Override
            public Principal authenticate(String authorization) {
                thread.set(Thread.currentThread().getName());
                return real.authenticate(authorization);
            }

            @Override
            public boolean enabled() {
                return true;
            }
        };
        gate = new AuthGate(spy);
        Principal p = gate.authenticate(basic("reader", "right"), null, "10.0.0.1").get(5, TimeUnit.SECONDS);
        assertEquals("reader", p.user());
        assertNotEquals(Thread.currentThread().getName(), thread.get());
        assertEquals(true, thread.get().startsWith("config-api-auth-"), thread.get());
    }

    @Test
    void afterTheBurstFailuresShouldBe429WithoutAnyPasswordCheckWhileCachedCallersPass() throws Exception {
        BasicAuthenticator real = users();
        AtomicInteger checks = new AtomicInteger();
        Authenticator counting = new Authenticator() {
            @Override
            public Principal authenticate(String authorization) {
                checks.incrementAndGet();
                return real.authenticate(authorization);
            }

            @Override
            public Principal cached(String authorization, String authToken) {
                return real.cached(authorization, authToken);
            }

            @Override
            public String claimedUser(String authorization, String authToken) {
                return real.claimedUser(authorization, authToken);
            }

            @Override
            public boolean enabled() {
                return true;
            }
        };
        long[] now = {0};
        gate = new AuthGate(counting, new FailureThrottle(() -> now[0], 3, 1_000_000, 100, 1_000_000, 100), 1, 8);
        assertEquals("reader", gate.authenticate(basic("reader", "right"), null, "127.0.0.1").get().user());
        for (int i = 0; i < 3; i++) {
            assertNull(gate.authenticate(basic("reader", "wrong"), null, "127.0.0.1").get());
        }
        int before = checks.get();
        CompletableFuture<Principal> refused = gate.authenticate(basic("reader", "wrong-again"), null, "127.0.0.1");
        assertEquals(429, statusOf(refused));
        assertEquals(before, checks.get(), "a throttled attempt costs no password check");
        assertEquals(1, gate.counts().throttled());
        // the legitimate reader, from the same address, is verified from the cache at once
        CompletableFuture<Principal> legit = gate.authenticate(basic("reader", "right"), null, "127.0.0.1");
        assertEquals(true, legit.isDone());
        assertEquals("reader", legit.get().user());
        assertEquals(before, checks.get());
    }

    @Test
    void aFullQueueShouldBe503AndNoCredentialsShouldCostNothing() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Authenticator slow = new Authenticator() {
            @Override
            public Principal authenticate(String authorization) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            }

            @Override
            public boolean enabled() {
                return true;
            }
        };
        gate = new AuthGate(slow, new FailureThrottle(), 1, 1);
        CompletableFuture<Principal> running = gate.authenticate("Basic eDp5", null, "a");
        CompletableFuture<Principal> queued = gate.authenticate("Basic eDp5", null, "b");
        assertEquals(503, statusOf(gate.authenticate("Basic eDp5", null, "c")));
        assertEquals(1, gate.counts().busy());
        release.countDown();
        assertNull(running.get(5, TimeUnit.SECONDS));
        assertNull(queued.get(5, TimeUnit.SECONDS));
        CompletableFuture<Principal> anonymous = gate.authenticate(null, null, "d");
        assertSame(null, anonymous.getNow(Principal.ANONYMOUS_ADMIN));
    }
}
