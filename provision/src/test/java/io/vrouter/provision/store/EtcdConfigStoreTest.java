package io.vrouter.provision.store;

import io.vrouter.linklocal.config.VersionedConfig;

import static io.vrouter.provision.store.StoreFixtures.counter;
import static io.vrouter.provision.store.StoreFixtures.empty;
import static io.vrouter.provision.store.StoreFixtures.withCounter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.provision.etcd.EtcdCluster;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The contract against one real etcd (each test its own key), plus what only etcd does. */
class EtcdConfigStoreTest extends ConfigStoreContractTest {
    private static EtcdCluster etcd;
    private static final AtomicInteger KEYS = new AtomicInteger();

    @BeforeAll
    static void startEtcd() throws Exception {
        etcd = EtcdCluster.start(1);
    }

    @AfterAll
    static void stopEtcd() {
        if (etcd != null) {
            etcd.close();
        }
    }

    private static String freshKey() {
        return "/test/" + ProcessHandle.current().pid() + "/" + KEYS.incrementAndGet();
    }

    @Override
    protected ConfigStore createStore() {
        return new EtcdConfigStore(etcd.clientUrls(), freshKey(), EtcdConfigStore.DEFAULT_OP_TIMEOUT);
    }

    @Test
    void twoStoresOverOneEtcdShouldShareObjectRevisionsAndWatches() throws Exception {
        String key = freshKey();
        try (EtcdConfigStore a = new EtcdConfigStore(etcd.clientUrls(), key, EtcdConfigStore.DEFAULT_OP_TIMEOUT);
                EtcdConfigStore b = new EtcdConfigStore(etcd.clientUrls(), key, EtcdConfigStore.DEFAULT_OP_TIMEOUT)) {
            VersionedConfig created = a.createIfAbsent(empty());
            VersionedConfig seenByB = b.createIfAbsent(empty());
            assertEquals(created.config().uuid(), seenByB.config().uuid(), "the racing create must not win");
            assertEquals(created.revision(), seenByB.revision());

            BlockingQueue<VersionedConfig> bWatch = new LinkedBlockingQueue<>();
            try (AutoCloseable w = b.watch(bWatch::add)) {
                long r = a.replace(created.revision(), withCounter(created.config(), 1));
                assertEquals(r, b.current().revision(), "a write through A is read through B at the same revision");
                VersionedConfig got;
                do {
                    got = bWatch.poll(10, TimeUnit.SECONDS);
                    assertNotNull(got, "B's watch did not see A's write");
                } while (got.revision() < r);
                assertEquals(r, got.revision());
                assertEquals(1, counter(got.config()));
                StaleRevisionException e = assertThrows(StaleRevisionException.class,
                        () -> b.replace(created.revision(), withCounter(created.config(), 9)));
                assertEquals(r, e.conflict().current());
            }
        }
    }

    @Test
    void aStoppedEtcdShouldGiveAStoreErrorNotAHang() throws Exception {
        try (EtcdConfigStore s = new EtcdConfigStore(
                java.util.List.of(java.net.URI.create("http://127.0.0.1:1")), freshKey(), Duration.ofSeconds(2))) {
            long t0 = System.nanoTime();
            StoreException e = assertThrows(StoreException.class, s::current);
            assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 20, "took too long");
            assertTrue(e.getMessage().contains("etcd"), e.getMessage());
        }
    }
}
