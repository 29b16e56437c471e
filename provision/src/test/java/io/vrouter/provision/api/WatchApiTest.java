package io.vrouter.provision.api;

import static io.vrouter.provision.api.ApiClient.metadataBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The long-poll watch: immediate snapshots, wake-up on write, timeouts, many waiters. */
@Timeout(60)
class WatchApiTest extends LoopbackApiFixture {
    private static final String WATCH = "/watch/global-vrouter-config";

    @Test
    void watchWithoutSinceShouldAnswerAFullSnapshotAtOnce() throws Exception {
        long rev = api.get(path).etag();
        for (String q : new String[] {"", "?since=0", "?timeout=5"}) {
            ApiClient.Reply r = api.get(WATCH + q);
            assertEquals(200, r.status(), q);
            assertEquals(rev, r.json().get("revision").asLong());
            assertEquals(api.uuid(), r.json().get("global-vrouter-config").get("uuid").asText());
        }
    }

    @Test
    void watchBehindTheCurrentRevisionShouldAnswerAtOnce() throws Exception {
        long rev = api.get(path).etag();
        long next = api.put(path, "\"" + rev + "\"", metadataBody("10.0.0.5", 80)).etag();
        ApiClient.Reply r = api.get(WATCH + "?since=" + rev + "&timeout=30");
        assertEquals(200, r.status());
        assertEquals(next, r.json().get("revision").asLong());
        assertEquals("metadata", r.json().get("global-vrouter-config").get("linklocal_services")
                .get("linklocal_service_entry").get(0).get("linklocal_service_name").asText());
    }

    @Test
    void aWriteShouldWakeAHeldWatchWithinASecond() throws Exception {
        long rev = api.get(path).etag();
        CompletableFuture<ApiClient.Reply> held = api.sendAsync(
                api.request(WATCH + "?since=" + rev + "&timeout=30").GET().build());
        awaitWaiting(1);
        assertFalse(held.isDone());
        long t0 = System.nanoTime();
        long next = api.put(path, "\"" + rev + "\"", metadataBody("10.0.0.5", 80)).etag();
        ApiClient.Reply r = held.get(1, TimeUnit.SECONDS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(200, r.status());
        assertEquals(next, r.json().get("revision").asLong());
        System.err.println("watch woke " + ms + " ms after the write was sent");
        assertEquals(0, server.stats().watchesWaiting());
    }

    @Test
    void aHeldWatchShouldAnswer204WhenItsTimeoutPasses() throws Exception {
        long rev = api.get(path).etag();
        ApiClient.Reply r = api.get(WATCH + "?since=" + rev + "&timeout=1");
        assertEquals(204, r.status());
        assertEquals("", r.text());
        assertEquals(0, server.stats().watchesWaiting());
        assertEquals(204, api.get(WATCH + "?since=" + rev + "&timeout=0").status());
    }

    @Test
    void badWatchParametersShouldBe400() throws Exception {
        for (String q : new String[] {"?since=x", "?since=-1", "?timeout=301", "?timeout=-1", "?since=1&since=2",
                "?timeout=1e3"}) {
            ApiClient.Reply r = api.get(WATCH + q);
            assertEquals(400, r.status(), q);
            assertTrue(r.json().get("error").asText().length() > 10);
        }
    }

    @Test
    void aClosedConnectionShouldReleaseItsWatch() throws Exception {
        long rev = api.get(path).etag();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("GET " + WATCH + "?since=" + rev + "&timeout=300 HTTP/1.1\r\nHost: x\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            awaitWaiting(1);
        }
        long deadline = System.currentTimeMillis() + 5000;
        while (server.stats().watchesWaiting() != 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, server.stats().watchesWaiting());
    }

    @Test
    void aThousandHeldWatchesShouldAllWakeOnOneWriteWithoutAThreadEach() throws Exception {
        long rev = api.get(path).etag();
        int n = 1000;
        long threadsBefore = nonClientThreads();
        List<CompletableFuture<ApiClient.Reply>> held = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            held.add(api.sendAsync(api.request(WATCH + "?since=" + rev + "&timeout=60").GET().build()));
        }
        awaitWaiting(n);
        long threadsDuring = nonClientThreads();
        long t0 = System.nanoTime();
        AtomicLong firstNs = new AtomicLong();
        held.forEach(f -> f.thenRun(() -> firstNs.compareAndSet(0, System.nanoTime())));
        long next = api.put(path, "\"" + rev + "\"", metadataBody("10.0.0.5", 80)).etag();
        CompletableFuture.allOf(held.toArray(new CompletableFuture<?>[0])).get(20, TimeUnit.SECONDS);
        System.err.println(n + " held watches: first answered " + TimeUnit.NANOSECONDS.toMillis(firstNs.get() - t0)
                + " ms, all " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms after the write was sent");
        for (CompletableFuture<ApiClient.Reply> f : held) {
            assertEquals(200, f.get().status());
            assertEquals(next, f.get().json().get("revision").asLong());
        }
        assertTrue(threadsDuring - threadsBefore < 50,
                "threads grew from " + threadsBefore + " to " + threadsDuring + " for " + n + " watches");
        assertEquals(0, server.stats().watchesWaiting());
    }

    /** Threads other than the test's HTTP client's own pool (which grows with async requests). */
    private static long nonClientThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !t.getName().startsWith("HttpClient")).count();
    }

    private void awaitWaiting(int n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (server.stats().watchesWaiting() < n) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("only " + server.stats().watchesWaiting() + " of " + n + " watches arrived");
            }
            Thread.sleep(10);
        }
    }
}
