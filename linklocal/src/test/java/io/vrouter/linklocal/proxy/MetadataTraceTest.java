package io.vrouter.linklocal.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MetadataTraceTest {
    private static final InetAddress VM1 = address("169.254.0.3");
    private static final InetAddress VM2 = address("169.254.0.4");

    private static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static void request(MetadataTrace t, InetAddress vm, int n, int status) {
        t.record(vm, "vm-" + vm.getHostAddress(), 1000L + n, "GET", "/r" + n, status, "10.0.0.2:8775", n, null);
    }

    @Test
    void shouldKeepTheLastCapacityRequestsOldestFirstAndCountTheOverwritten() {
        MetadataTrace t = new MetadataTrace(4, 16);
        for (int i = 0; i < 10; i++) {
            request(t, VM1, i, i % 2 == 0 ? 200 : 404);
        }
        MetadataTrace.VmView v = t.vm(VM1);
        assertEquals(10, v.requests());
        assertEquals(6, v.overwritten());
        assertEquals(List.of("/r6", "/r7", "/r8", "/r9"), v.recent().stream().map(MetadataTrace.Entry::path).toList());
        assertEquals(java.util.Map.of(200, 5L, 404, 5L), v.responsesByStatus());
        assertEquals(1009L, v.lastRequestMs());
        assertEquals("vm-169.254.0.3", v.instanceId());
    }

    @Test
    void shouldKeepVmsApartAndForgetARemovedOne() {
        MetadataTrace t = new MetadataTrace(8, 16);
        request(t, VM1, 1, 200);
        t.record(VM2, null, 5, "GET", "/x", 429, null, 1, RejectReason.RATE_LIMITED);
        assertEquals(1, t.vm(VM1).recent().size());
        assertEquals(java.util.Map.of(RejectReason.RATE_LIMITED, 1L), t.vm(VM2).rejectsByReason());
        assertEquals(2, t.vms().size());
        t.forget(VM1);
        assertNull(t.vm(VM1));
        assertEquals(1, t.vms().size());
    }

    @Test
    void shouldCountButNotTraceSourcesBeyondTheVmLimit() {
        MetadataTrace t = new MetadataTrace(2, 1);
        request(t, VM1, 1, 200);
        request(t, VM2, 1, 200);
        request(t, VM2, 2, 200);
        assertNull(t.vm(VM2));
        assertEquals(2, t.untracedRequests());
    }

    @Test
    void shouldRefuseACapacityThatIsNotAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new MetadataTrace(3, 1));
        assertThrows(IllegalArgumentException.class, () -> new MetadataTrace(8192, 1));
        assertThrows(IllegalArgumentException.class, () -> new MetadataTrace(4, 0));
    }

    @Test
    void shouldNeverShowATornOrOutOfOrderWindowWhileWritersRace() throws Exception {
        MetadataTrace t = new MetadataTrace(16, 4);
        int writers = 2;
        int perWriter = 20_000;
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < perWriter; i++) {
                    request(t, VM1, i, 200);
                }
            });
            threads.add(th);
            th.start();
        }
        while (threads.stream().anyMatch(Thread::isAlive)) {
            MetadataTrace.VmView v = t.vm(VM1);
            if (v == null) {
                continue;
            }
            long prev = -1;
            for (MetadataTrace.Entry e : v.recent()) {
                assertTrue(e.seq() > prev && e.seq() >= v.overwritten() && e.seq() < v.requests(), e + " in " + v);
                prev = e.seq();
            }
            assertTrue(v.recent().size() <= 16);
        }
        for (Thread th : threads) {
            th.join();
        }
        MetadataTrace.VmView done = t.vm(VM1);
        assertEquals(writers * perWriter, done.requests());
        assertEquals(16, done.recent().size());
        assertEquals(writers * (long) perWriter, done.responsesByStatus().get(200));
    }
}
