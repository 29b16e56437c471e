package io.vrouter.provision.store;

import static io.vrouter.provision.store.StoreFixtures.counter;
import static io.vrouter.provision.store.StoreFixtures.empty;
import static io.vrouter.provision.store.StoreFixtures.withCounter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.provision.etcd.EtcdCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A 3-member etcd cluster keeps serving reads and compare-and-swap writes with one member down. */
@Timeout(120)
class EtcdClusterStoreTest {

    @Test
    void shouldKeepServingWritesWhenTheLeaderOfThreeMembersIsStopped() throws Exception {
        try (EtcdCluster cluster = EtcdCluster.start(3);
                EtcdConfigStore s = new EtcdConfigStore(cluster.clientUrls(), EtcdConfigStore.DEFAULT_KEY,
                        Duration.ofSeconds(10))) {
            VersionedConfig v = s.createIfAbsent(empty());
            long r = s.replace(v.revision(), withCounter(v.config(), 1));
            int leader = cluster.leader();
            cluster.stop(leader); // the hard case: the remaining two must elect a new leader
            // Several writes, so the client's round-robin certainly lands on the stopped member too.
            for (int i = 2; i <= 6; i++) {
                r = s.replace(r, withCounter(v.config(), i));
            }
            VersionedConfig now = s.current();
            assertEquals(r, now.revision());
            assertEquals(6, counter(now.config()));
            assertTrue(!cluster.member(leader).running());
        }
    }
}
