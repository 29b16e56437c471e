package io.vrouter.provision.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.provision.store.FileConfigStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL at an arbitrary moment of a burst of writes never corrupts the file store: after a
 * restart the object is valid and its revision is the last acknowledged one or one more (the
 * write in flight, when it was durable but not yet acknowledged), with that write's content.
 */
@Timeout(240)
class FileStoreCrashTest {
    private static final int ROUNDS = 3;

    @TempDir
    Path tmp;

    @Test
    void killDashNineMidBurstShouldLeaveTheLastAcknowledgedWriteOrTheOneInFlight() throws Exception {
        Path data = tmp.resolve("data");
        Random random = new Random(42);
        long lastAcked = 0;
        int lastAckedSeq = 0;
        int seq = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Map<Long, Integer> seqByRevision = new ConcurrentHashMap<>();
            AtomicLong acked = new AtomicLong();
            AtomicLong inFlightSeq = new AtomicLong();
            int startSeq = seq;
            try (ConfigApiProcess p = ConfigApiProcess.start(tmp.resolve("log"), "--listen-port", "0",
                    "--store", "file:" + data, "--no-auth")) {
                ApiClient api = new ApiClient(p.url);
                String path = "/global-vrouter-config/" + api.uuid();
                ApiClient.Reply now = api.get(path);
                if (round > 0) {
                    // What survived the previous kill.
                    long rev = now.etag();
                    int survivedSeq = now.json().get("global-vrouter-config").path("seq").asInt();
                    assertTrue(rev == lastAcked || rev == lastAcked + 1,
                            "round " + round + ": revision " + rev + " after kill, last acknowledged " + lastAcked);
                    if (rev == lastAcked) {
                        assertEquals(lastAckedSeq, survivedSeq, "content of the last acknowledged write");
                    } else {
                        assertEquals(lastAckedSeq + 1, survivedSeq, "content of the write in flight");
                    }
                    System.err.println("round " + round + ": after SIGKILL revision " + rev + " (last acknowledged "
                            + lastAcked + ")");
                    assertNoTempFiles(data);
                }
                acked.set(now.etag());
                int firstSeq = now.json().get("global-vrouter-config").path("seq").asInt();
                Thread writer = new Thread(() -> {
                    int s = firstSeq;
                    try {
                        while (true) {
                            s++;
                            inFlightSeq.set(s);
                            ApiClient.Reply r = api.put(path, "\"" + acked.get() + "\"", body(s));
                            if (r.status() != 200) {
                                throw new IllegalStateException("write failed: " + r);
                            }
                            seqByRevision.put(r.etag(), s);
                            acked.set(r.etag());
                        }
                    } catch (IOException | InterruptedException e) {
                        // The server died under us: that is the point.
                    }
                }, "writer");
                long burstStart = System.nanoTime();
                writer.start();
                // Let the burst run, then kill at an arbitrary moment.
                while (acked.get() < now.etag() + 20) {
                    Thread.sleep(5);
                }
                Thread.sleep(random.nextInt(300));
                p.kill();
                writer.join(30_000);
                assertFalse(writer.isAlive());
                lastAcked = acked.get();
                lastAckedSeq = seqByRevision.getOrDefault(lastAcked, firstSeq);
                seq = (int) inFlightSeq.get();
                System.err.println("round " + round + ": killed after " + seqByRevision.size()
                        + " acknowledged writes in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - burstStart)
                        + " ms, last acknowledged revision " + lastAcked);
                assertTrue(seqByRevision.size() >= 20 && seq > startSeq);
            }
        }
        // The file left by the last kill is valid too.
        try (FileConfigStore s = new FileConfigStore(data)) {
            long rev = s.current().revision();
            assertTrue(rev == lastAcked || rev == lastAcked + 1, rev + " vs " + lastAcked);
        }
    }

    private static String body(int seq) {
        return "{\"global-vrouter-config\": {\"seq\": " + seq + ", \"linklocal_services\": {\"linklocal_service_entry\": [{"
                + "\"linklocal_service_name\": \"metadata\", \"linklocal_service_ip\": \"169.254.169.254\", "
                + "\"linklocal_service_port\": 80, \"ip_fabric_service_ip\": [\"10.0." + (seq / 250 % 250) + "." + (seq % 250 + 1)
                + "\"], \"ip_fabric_service_port\": 8775}]}}}";
    }

    private static void assertNoTempFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.filter(f -> f.getFileName().toString().endsWith(".tmp")).count());
        }
    }

}
