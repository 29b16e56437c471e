package io.vrouter.provision.store;

import io.vrouter.linklocal.config.VersionedConfig;

import static io.vrouter.provision.store.StoreFixtures.counter;
import static io.vrouter.provision.store.StoreFixtures.empty;
import static io.vrouter.provision.store.StoreFixtures.withCounter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.TextNode;
import io.vrouter.linklocal.config.GlobalVrouterConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link ConfigStore} contract, run against every implementation (each subclass supplies a
 * fresh, empty store per test).
 */
@Timeout(60)
abstract class ConfigStoreContractTest {
    private final List<ConfigStore> opened = new ArrayList<>();

    /** A new, empty store. */
    protected abstract ConfigStore createStore() throws Exception;

    protected final ConfigStore store() throws Exception {
        ConfigStore s = createStore();
        opened.add(s);
        return s;
    }

    @AfterEach
    void closeStores() {
        opened.forEach(ConfigStore::close);
    }

    @Test
    void currentShouldBeNullOnEmptyStore() throws Exception {
        assertNull(store().current());
    }

    @Test
    void createIfAbsentShouldCreateOnceAndThenReturnTheExistingObject() throws Exception {
        ConfigStore s = store();
        GlobalVrouterConfig first = empty();
        VersionedConfig created = s.createIfAbsent(first);
        assertEquals(first.uuid(), created.config().uuid());
        assertTrue(created.revision() >= 1);
        VersionedConfig again = s.createIfAbsent(empty());
        assertEquals(first.uuid(), again.config().uuid(), "a second create must not replace the object");
        assertEquals(created.revision(), again.revision());
        assertEquals(created.revision(), s.current().revision());
    }

    @Test
    void replaceShouldStoreTheObjectAtAStrictlyHigherRevision() throws Exception {
        ConfigStore s = store();
        VersionedConfig v = s.createIfAbsent(empty());
        long r1 = s.replace(v.revision(), withCounter(v.config(), 1));
        long r2 = s.replace(r1, withCounter(v.config(), 2));
        assertTrue(r1 > v.revision() && r2 > r1, "revisions " + v.revision() + ", " + r1 + ", " + r2);
        VersionedConfig now = s.current();
        assertEquals(r2, now.revision());
        assertEquals(2, counter(now.config()));
        assertEquals("10.0.0.3", now.config().linklocalServices().entries().get(0).fabricIps().get(0));
    }

    @Test
    void replaceWithAStaleRevisionShouldFailAndNameTheCurrentOne() throws Exception {
        ConfigStore s = store();
        VersionedConfig v = s.createIfAbsent(empty());
        long r1 = s.replace(v.revision(), withCounter(v.config(), 1));
        StaleRevisionException e = assertThrows(StaleRevisionException.class,
                () -> s.replace(v.revision(), withCounter(v.config(), 99)));
        assertEquals(v.revision(), e.conflict().expected());
        assertEquals(r1, e.conflict().current());
        assertEquals(1, counter(s.current().config()), "the stale write must not be stored");
    }

    @Test
    void replaceOnAnEmptyStoreShouldFail() throws Exception {
        ConfigStore s = store();
        assertThrows(StoreException.class, () -> s.replace(1, empty()));
        assertNull(s.current());
    }

    @Test
    void otherPropertiesShouldBeKeptVerbatim() throws Exception {
        ConfigStore s = store();
        VersionedConfig v = s.createIfAbsent(empty());
        GlobalVrouterConfig c = withCounter(v.config(), 7);
        c.otherProperties().put("vxlan_network_identifier_mode", TextNode.valueOf("automatic"));
        s.replace(v.revision(), c);
        GlobalVrouterConfig back = s.current().config();
        assertEquals("automatic", back.otherProperties().get("vxlan_network_identifier_mode").asText());
        assertEquals(7, counter(back));
        assertEquals(v.config().fqName(), back.fqName());
    }

    @Test
    void watchShouldDeliverEveryLaterWriteInRevisionOrder() throws Exception {
        ConfigStore s = store();
        VersionedConfig v = s.createIfAbsent(empty());
        BlockingQueue<VersionedConfig> seen = new LinkedBlockingQueue<>();
        try (AutoCloseable w = s.watch(seen::add)) {
            long rev = v.revision();
            List<Long> written = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                rev = s.replace(rev, withCounter(v.config(), i));
                written.add(rev);
            }
            long last = 0;
            while (last < rev) {
                VersionedConfig got = seen.poll(10, TimeUnit.SECONDS);
                assertNotNull(got, "watch did not deliver revision " + rev);
                if (got.revision() <= v.revision() && last == 0) {
                    continue; // the revision current when the watch began, which stores may replay
                }
                assertTrue(got.revision() > last, "out of order: " + got.revision() + " after " + last);
                assertTrue(written.contains(got.revision()), "unexpected revision " + got.revision());
                assertEquals(written.indexOf(got.revision()) + 1, counter(got.config()));
                last = got.revision();
            }
        }
    }

    @Test
    void closingAWatchShouldStopItsNotifications() throws Exception {
        ConfigStore s = store();
        VersionedConfig v = s.createIfAbsent(empty());
        BlockingQueue<VersionedConfig> closedOne = new LinkedBlockingQueue<>();
        BlockingQueue<VersionedConfig> openOne = new LinkedBlockingQueue<>();
        AutoCloseable w1 = s.watch(closedOne::add);
        try (AutoCloseable w2 = s.watch(openOne::add)) {
            w1.close();
            long r = s.replace(v.revision(), withCounter(v.config(), 1));
            VersionedConfig got;
            do {
                got = openOne.poll(10, TimeUnit.SECONDS);
                assertNotNull(got, "the open watch did not see revision " + r);
            } while (got.revision() < r);
            // Only the replay of the revision current at watch time may reach the closed watch.
            for (VersionedConfig late; (late = closedOne.poll(200, TimeUnit.MILLISECONDS)) != null; ) {
                assertTrue(late.revision() <= v.revision(), "a closed watch was notified of revision " + late.revision());
            }
        }
    }

    @Test
    void concurrentReadModifyWriteShouldLoseNoUpdate() throws Exception {
        ConfigStore s = store();
        s.createIfAbsent(empty());
        int writers = 3;
        int each = 10;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                results.add(pool.submit(() -> {
                    go.await();
                    int conflicts = 0;
                    for (int done = 0; done < each; ) {
                        VersionedConfig now = s.current();
                        try {
                            s.replace(now.revision(), withCounter(now.config(), counter(now.config()) + 1));
                            done++;
                        } catch (StaleRevisionException e) {
                            conflicts++;
                        }
                    }
                    return conflicts;
                }));
            }
            go.countDown();
            for (Future<Integer> f : results) {
                f.get(50, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(writers * each, counter(s.current().config()));
    }
}
