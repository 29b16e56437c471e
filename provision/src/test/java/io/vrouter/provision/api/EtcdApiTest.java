package io.vrouter.provision.api;

import static io.vrouter.provision.api.ApiClient.metadataBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.provision.auth.Authenticator;
import io.vrouter.provision.etcd.EtcdCluster;
import io.vrouter.provision.store.EtcdConfigStore;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two config-api instances over one etcd serve the same object at the same revisions. */
@Timeout(90)
class EtcdApiTest {

    @Test
    void twoInstancesOverOneEtcdShouldServeTheSameDataRevisionsAndWatches() throws Exception {
        try (EtcdCluster etcd = EtcdCluster.start(1);
                EtcdConfigStore storeA = new EtcdConfigStore(etcd.clientUrls());
                EtcdConfigStore storeB = new EtcdConfigStore(etcd.clientUrls());
                ConfigApiServer a = ConfigApiServer.start(new InetSocketAddress("127.0.0.1", 0), storeA, Authenticator.NONE, null);
                ConfigApiServer b = ConfigApiServer.start(new InetSocketAddress("127.0.0.1", 0), storeB, Authenticator.NONE, null)) {
            ApiClient apiA = ApiClient.of(a);
            ApiClient apiB = ApiClient.of(b);
            String uuid = apiA.uuid();
            assertEquals(uuid, apiB.uuid(), "both instances must serve the one object");
            String path = "/global-vrouter-config/" + uuid;
            long rev = apiA.get(path).etag();
            assertEquals(rev, apiB.get(path).etag());

            CompletableFuture<ApiClient.Reply> watchOnB = apiB.sendAsync(
                    apiB.request("/watch/global-vrouter-config?since=" + rev + "&timeout=30").GET().build());
            long deadline = System.currentTimeMillis() + 10_000;
            while (b.stats().watchesWaiting() < 1 && System.currentTimeMillis() < deadline) {
                Thread.sleep(10);
            }
            ApiClient.Reply put = apiA.put(path, "\"" + rev + "\"", metadataBody("10.0.0.5", 80));
            assertEquals(200, put.status(), put.toString());
            long t0 = System.nanoTime();
            ApiClient.Reply woke = watchOnB.get(1, TimeUnit.SECONDS);
            System.err.println("B's watch woke " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)
                    + " ms after A acknowledged the write");
            assertEquals(200, woke.status());
            assertEquals(put.etag(), woke.json().get("revision").asLong());

            ApiClient.Reply readB = apiB.get(path);
            assertEquals(put.etag(), readB.etag(), "same revision on both instances");
            assertEquals("10.0.0.5", readB.json().get("global-vrouter-config").get("linklocal_services")
                    .get("linklocal_service_entry").get(0).get("ip_fabric_service_ip").get(0).asText());

            ApiClient.Reply stale = apiB.put(path, "\"" + rev + "\"", metadataBody("10.0.0.6", 80));
            assertEquals(412, stale.status());
            assertEquals("revision " + rev + " is stale; current is " + put.etag(), stale.json().get("error").asText());
            ApiClient.Reply viaB = apiB.put(path, "\"" + put.etag() + "\"", metadataBody("10.0.0.7", 80));
            assertEquals(200, viaB.status());
            assertTrue(viaB.etag() > put.etag());
            assertEquals(viaB.etag(), apiA.get(path).etag());
        }
    }
}
