package io.vrouter.linklocal.configclient;

import io.vrouter.linklocal.config.VersionedConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.LinkLocalServices;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an agent's {@link ConfigWatchClient} must do, run against every config API
 * implementation (one subclass each): snapshot on start, a change within a second, the cache
 * while the API is down, catching up when it returns, rejecting an invalid config.
 */
@Timeout(30)
public abstract class ConfigWatchClientContract {
    @TempDir
    Path dir;

    protected ConfigApiTestServer server;

    /** A fresh server with an empty link-local list. */
    protected abstract ConfigApiTestServer startServer() throws Exception;
    private final BlockingQueue<ConfigUpdate> updates = new LinkedBlockingQueue<>();
    private final List<ConfigWatchClient> clients = new ArrayList<>();

    @BeforeEach
    public void start() throws Exception {
        server = startServer();
    }

    @AfterEach
    public void stopAll() {
        clients.forEach(ConfigWatchClient::close);
        server.close();
    }

    public static LinkLocalServiceEntry entry(String name, int port) {
        return new LinkLocalServiceEntry(name, "169.254.169.254", port, null, 8775, List.of("10.0.0.5"));
    }

    private long revision() throws Exception {
        ConfigApiClient api = new ConfigApiClient(server.adminEndpoint());
        return api.read(api.uuid()).revision();
    }

    private void write(LinkLocalServiceEntry... entries) throws Exception {
        ConfigApiClient api = new ConfigApiClient(server.adminEndpoint());
        String uuid = api.uuid();
        VersionedConfig cur = api.read(uuid);
        api.write(uuid, cur.revision(), cur.config().withLinklocalServices(new LinkLocalServices(List.of(entries))));
    }

    private ConfigWatchClient client(ConfigApiEndpoint endpoint, Path cache) throws Exception {
        ConfigWatchClient c = ConfigWatchClient.builder(endpoint, updates::add)
                .cacheFile(cache)
                .hold(Duration.ofSeconds(5))
                .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
                .build();
        clients.add(c);
        c.start();
        return c;
    }

    private ConfigUpdate next() throws InterruptedException {
        ConfigUpdate u = updates.poll(5, TimeUnit.SECONDS);
        assertNotNull(u, "no config update within 5 s");
        return u;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    @Test
    public void shouldDeliverTheCurrentSnapshotOnStart() throws Exception {
        write(entry("metadata", 80));
        client(server.adminEndpoint(), dir.resolve("cache.json"));
        ConfigUpdate u = next();
        assertEquals(revision(), u.revision());
        assertEquals("metadata", u.services().entries().get(0).name());
        assertTrue(u.source().startsWith("config-api http://127.0.0.1:"), u.source());
    }

    @Test
    public void shouldPropagateAChangeWithinOneSecond() throws Exception {
        ConfigWatchClient c = client(server.adminEndpoint(), dir.resolve("cache.json"));
        assertTrue(next().services().entries().isEmpty());
        write(entry("metadata", 80));
        ConfigUpdate u = updates.poll(1, TimeUnit.SECONDS);
        assertNotNull(u, "change not seen within one second of the write");
        assertEquals(List.of(entry("metadata", 80)), u.services().entries());
        assertEquals(u.revision(), c.stats().revision());
        assertEquals(2, c.stats().updates());
        assertNotNull(c.stats().lastContact());
    }

    /** A client and the revision of its first update. */
    private record Cached(ConfigWatchClient client, long revision) {
    }

    /** Writes the metadata entry, starts a client caching in {@code cache}, and waits until its first update is cached. */
    private Cached cachedMetadataClient(Path cache) throws Exception {
        write(entry("metadata", 80));
        ConfigWatchClient c = client(server.adminEndpoint(), cache);
        long rev = next().revision();
        await(() -> Files.exists(cache), "cache file");
        return new Cached(c, rev);
    }

    @Test
    public void shouldServeTheCachedConfigWhileTheServerIsDown() throws Exception {
        Path cache = dir.resolve("state/linklocal.json");
        Cached first = cachedMetadataClient(cache);
        long rev = first.revision();
        first.client().close();
        server.stop();

        ConfigWatchClient second = client(server.adminEndpoint(), cache);
        ConfigUpdate fromCache = next();
        assertEquals(rev, fromCache.revision());
        assertEquals(List.of(entry("metadata", 80)), fromCache.services().entries());
        assertTrue(fromCache.source().startsWith("cache "), fromCache.source());
        await(() -> second.stats().errors() >= 2, "failed polls to be counted");
        assertEquals(rev, second.stats().revision(), "the cached config stays in force");
        assertNull(updates.poll(100, TimeUnit.MILLISECONDS));
    }

    @Test
    public void shouldCatchUpWhenTheServerComesBack() throws Exception {
        Path cache = dir.resolve("cache.json");
        ConfigWatchClient c = client(server.adminEndpoint(), cache);
        next();
        server.stop();
        await(() -> c.stats().errors() >= 1, "the outage to be noticed");
        server.forceLinklocalServices("{\"linklocal_service_entry\": [{\"linklocal_service_name\": \"ntp\","
                + " \"linklocal_service_ip\": \"169.254.0.123\", \"linklocal_service_port\": 123,"
                + " \"ip_fabric_service_ip\": [\"10.0.0.9\"], \"ip_fabric_service_port\": 123}]}");
        server.restart();
        ConfigUpdate u = next();
        assertEquals(revision(), u.revision());
        assertEquals("ntp", u.services().entries().get(0).name());
        await(() -> {
            try {
                return new ConfigCache(cache).load().orElseThrow().revision() == u.revision();
            } catch (Exception e) {
                return false;
            }
        }, "cache to hold the caught-up revision");
    }

    @Test
    public void shouldRejectAnInvalidConfigAndKeepTheLastGood() throws Exception {
        Path cache = dir.resolve("cache.json");
        Cached first = cachedMetadataClient(cache);
        ConfigWatchClient c = first.client();
        long good = first.revision();
        server.forceLinklocalServices("{\"linklocal_service_entry\": [{\"linklocal_service_name\": \"metadata\","
                + " \"linklocal_service_ip\": \"169.254.169.254\", \"linklocal_service_port\": 70000,"
                + " \"ip_fabric_service_ip\": [\"10.0.0.5\"], \"ip_fabric_service_port\": 8775}]}");
        await(() -> c.stats().rejected() == 1, "the invalid config to be rejected");
        assertEquals(good, c.stats().revision());
        assertEquals(good, new ConfigCache(cache).load().orElseThrow().revision());
        assertNull(updates.poll(100, TimeUnit.MILLISECONDS), "an invalid config must not reach the listener");

        write(entry("metadata", 8080));
        ConfigUpdate u = next();
        assertEquals(8080, u.services().entries().get(0).servicePort());
        assertEquals(1, c.stats().rejected());
    }

    @Test
    public void shouldCountErrorsAndDeliverNothingWithBadCredentials() throws Exception {
        ConfigWatchClient c = client(ConfigApiEndpoint.of(server.baseUri(), "admin", "wrong"), null);
        await(() -> c.stats().errors() >= 2, "auth failures");
        assertEquals(0, c.stats().updates());
        assertNotNull(c.stats().lastContact(), "a 401 is still contact with the API");
        assertTrue(updates.isEmpty());
    }

    @Test
    public void shouldStopPromptlyOnCloseWhileAPollIsHeld() throws Exception {
        ConfigWatchClient c = client(server.adminEndpoint(), null);
        next();
        await(() -> c.stats().polls() >= 2, "the held poll");
        long t0 = System.nanoTime();
        c.close();
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(3), "close took too long");
        write(entry("metadata", 80));
        assertNull(updates.poll(300, TimeUnit.MILLISECONDS), "no delivery after close");
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("config-watch") && t.isAlive()), "watch thread still alive");
    }

    @Test
    public void shouldIgnoreACorruptCacheAndStillFollowTheServer() throws Exception {
        Path cache = dir.resolve("cache.json");
        Files.writeString(cache, "{ not json");
        ConfigWatchClient c = client(server.adminEndpoint(), cache);
        ConfigUpdate u = next();
        assertTrue(u.source().startsWith("config-api"));
        assertEquals(1, c.stats().errors());
        await(() -> {
            try {
                return new ConfigCache(cache).load().isPresent();
            } catch (Exception e) {
                return false;
            }
        }, "the corrupt cache to be replaced");
    }

    @Test
    public void shouldNotRedeliverAnUnchangedConfigAfterReconnect() throws Exception {
        ConfigWatchClient c = client(server.adminEndpoint(), null);
        next();
        server.stop();
        await(() -> c.stats().errors() >= 1, "the outage");
        server.restart();
        long errors = c.stats().errors();
        await(() -> c.stats().polls() >= errors + 3, "polling to resume");
        assertNull(updates.poll(200, TimeUnit.MILLISECONDS), "same revision delivered twice");
    }
}
