package io.vrouter.provision.api;

import io.vrouter.provision.auth.AuthGate;
import io.vrouter.provision.auth.BasicAuthenticator;
import io.vrouter.provision.auth.CredentialsFile;
import io.vrouter.provision.auth.PasswordHasher;
import io.vrouter.provision.auth.Role;
import io.vrouter.provision.store.MemoryConfigStore;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Side by side: a legitimate reader's GET latency on a quiet config API, then while 32 clients
 * send wrong passwords as fast as they are answered (full-cost PBKDF2 hashes, as deployed).
 * Bounded: {@code --reads} reads per phase, the flood stops with the second phase.
 * Run with {@code benchmarks/auth/run.sh}; writes a markdown result with p50/p99 and the ratio.
 */
public final class AuthFloodBenchmark {
    public static void main(String[] args) throws Exception {
        int reads = 200;
        int flooders = 32;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reads" -> reads = Integer.parseInt(args[++i]);
                case "--flooders" -> flooders = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        CredentialsFile creds = CredentialsFile.empty();
        creds.put("reader", Role.READER, "reader-pw".toCharArray(), PasswordHasher.DEFAULT_ITERATIONS);
        try (MemoryConfigStore store = new MemoryConfigStore();
                ConfigApiServer server = ConfigApiServer.start(new InetSocketAddress("127.0.0.1", 0), store,
                        new BasicAuthenticator(creds), null)) {
            String base = "http://127.0.0.1:" + server.port();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String uuid = ApiClient.JSON.readTree(get(http, base + "/global-vrouter-configs", "reader", "reader-pw").body())
                    .get("global-vrouter-configs").get(0).get("uuid").asText();
            String path = base + "/global-vrouter-config/" + uuid;
            measure(http, path, 20); // warm-up; the first read pays the one PBKDF2 of the reader
            long[] quiet = measure(http, path, reads);

            AtomicBoolean stop = new AtomicBoolean();
            Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
            List<Thread> threads = new ArrayList<>();
            for (int f = 0; f < flooders; f++) {
                int id = f;
                Thread t = new Thread(() -> {
                    HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                    while (!stop.get()) {
                        try {
                            statuses.merge(get(c, path, "reader", "wrong-" + id).statusCode(), 1, Integer::sum);
                        } catch (Exception e) {
                            statuses.merge(-1, 1, Integer::sum);
                        }
                    }
                }, "flood-" + f);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
            Thread.sleep(2000); // the flood reaches its steady state (throttled after the bursts)
            long[] flooded = measure(http, path, reads);
            stop.set(true);
            for (Thread t : threads) {
                t.join(10_000);
            }
            String report = report(quiet, flooded, flooders, statuses, server);
            System.out.println(report);
            if (out != null) {
                Files.writeString(out, report);
            }
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url, String user, String password) throws Exception {
        String auth = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", auth).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long[] measure(HttpClient http, String url, int n) throws Exception {
        long[] us = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = get(http, url, "reader", "reader-pw");
            us[i] = (System.nanoTime() - t0) / 1000;
            if (r.statusCode() != 200) {
                throw new IllegalStateException("the legitimate read failed: " + r.statusCode() + " " + r.body());
            }
        }
        Arrays.sort(us);
        return us;
    }

    private static long pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static String report(long[] quiet, long[] flooded, int flooders, Map<Integer, Integer> statuses,
            ConfigApiServer server) {
        double r50 = (double) pct(flooded, 0.5) / pct(quiet, 0.5);
        double r99 = (double) pct(flooded, 0.99) / pct(quiet, 0.99);
        AuthGate.Counts auth = server.stats().auth();
        return """
                # Config API: a reader's latency during a wrong-password flood

                `benchmarks/auth/run.sh` (AuthFloodBenchmark): one reader doing %d sequential authenticated GETs
                of the object, quiet and then while %d clients send wrong passwords in a loop (PBKDF2 at %d
                iterations, as deployed). Same process, same run, 2 shared vCPUs.

                | phase | p50 (us) | p99 (us) | max (us) |
                |---|---:|---:|---:|
                | quiet | %d | %d | %d |
                | flood | %d | %d | %d |

                Ratio flood/quiet: p50 **%.2fx**, p99 **%.2fx**. Flood answers by status: %s; throttled %d,
                busy %d, failed password checks %d.
                """.formatted(quiet.length, flooders, PasswordHasher.DEFAULT_ITERATIONS,
                pct(quiet, 0.5), pct(quiet, 0.99), quiet[quiet.length - 1],
                pct(flooded, 0.5), pct(flooded, 0.99), flooded[flooded.length - 1], r50, r99,
                new java.util.TreeMap<>(statuses), auth.throttled(), auth.busy(), auth.failed());
    }
}
