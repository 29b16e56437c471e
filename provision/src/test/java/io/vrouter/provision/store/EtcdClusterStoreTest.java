package io.vrouter.provision.store;

import io.vrouter.linklocal.config.VersionedConfig;

import static io.vrouter.provision.store.StoreFixtures.counter;
import static io.vrouter.provision.store.StoreFixtures.empty;
import static io.vrouter.provision.store.StoreFixtures.withCounter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.vrouter.provision.etcd.EtcdCluster;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A 3-member etcd cluster keeps serving reads, compare-and-swap writes and watches with one member down. */
@Timeout(120)
class EtcdClusterStoreTest {

    @Test
    void shouldKeepServingWritesAndWatchesWhenTheLeaderOfThreeMembersIsStopped() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(3);
                EtcdConfigStore a = new EtcdConfigStore(cluster.clientUrls(), EtcdConfigStore.DEFAULT_KEY,
                        Duration.ofSeconds(10));
                EtcdConfigStore b = new EtcdConfigStore(cluster.clientUrls(), EtcdConfigStore.DEFAULT_KEY,
                        Duration.ofSeconds(10))) {
            VersionedConfig v = a.createIfAbsent(empty());
            BlockingQueue<VersionedConfig> watched = new LinkedBlockingQueue<>();
            try (AutoCloseable w = b.watch(watched::add)) {
                long r = a.replace(v.revision(), withCounter(v.config(), 1));
                int leader = cluster.leader();
                cluster.stop(leader); // the hard case: the remaining two must elect a new leader
                // Several writes, so the client's round-robin certainly lands on the stopped member too.
                for (int i = 2; i <= 6; i++) {
                    r = a.replace(r, withCounter(v.config(), i));
                }
                VersionedConfig now = b.current();
                assertEquals(r, now.revision());
                assertEquals(6, counter(now.config()));
                assertFalse(cluster.member(leader).running());
                // The other instance's watch (whichever member it was on) still reaches the last write.
                long deadline = System.currentTimeMillis() + 20_000;
                VersionedConfig got = null;
                while ((got == null || got.revision() < r) && System.currentTimeMillis() < deadline) {
                    VersionedConfig next = watched.poll(500, TimeUnit.MILLISECONDS);
                    got = next != null ? next : got;
                }
                assertNotNull(got, "no watch notification at all");
                assertEquals(r, got.revision(), "the watch did not reach the last revision");
                assertEquals(6, counter(got.config()));
            }
        }
    }
}
