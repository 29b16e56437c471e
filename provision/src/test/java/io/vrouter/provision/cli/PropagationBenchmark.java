package io.vrouter.provision.cli;

import io.vrouter.linklocal.configclient.ConfigApiTestServer;
import io.vrouter.linklocal.configclient.FakeConfigApi;

import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.configclient.ConfigApiClient;
import io.vrouter.linklocal.configclient.ConfigApiEndpoint;
import io.vrouter.linklocal.configclient.ConfigWatchClient;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;

/**
 * Propagation latency: the time from the start of a {@code provision_linklocal} add until the
 * change has reached N watch clients (the agents' {@link ConfigWatchClient}), for N = 1, 100,
 * 1000. Everything runs in this JVM on loopback: the config API, N clients sharing one
 * HttpClient and one small scheduler (so 1000 are cheap), and the CLI called in-process.
 *
 * <p>Per round: the CLI replaces the entry {@code bench} with a new port; each client's listener
 * stamps the first update carrying that port. Reported per N over all measured rounds: p50, p99
 * and max of the per-client latencies, the mean time for the whole fleet (slowest client per
 * round), and the CLI's own run time. Run by {@code benchmarks/propagation/run.sh}; not a test.
 *
 * <p>Usage: {@code PropagationBenchmark [--subscribers 1,100,1000] [--rounds 5] [--warmup 2]
 * [--server real|fake] [--out FILE]}
 */
public final class PropagationBenchmark {
    private static final String NAME = "bench";

    record Result(int subscribers, int rounds, long[] latenciesNs, long[] afterAckNs, long[] fleetNs, long[] cliNs) {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> ns = List.of(1, 100, 1000);
        int rounds = 5;
        int warmup = 2;
        String serverKind = "real";
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--subscribers" -> ns = Arrays.stream(args[++i].split(",")).map(Integer::valueOf).toList();
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--server" -> serverKind = args[++i];
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Supplier<ConfigApiTestServer> servers = fixtures(serverKind);
        String loadBefore = loadAverage();
        List<Result> results = new ArrayList<>();
        for (int n : ns) {
            Result r = run(servers, n, warmup, rounds);
            results.add(r);
            System.out.println(line(r));
        }
        if (out != null) {
            Files.writeString(out, report(results, serverKind, warmup, loadBefore, loadAverage()), StandardCharsets.UTF_8);
            System.out.println("wrote " + out);
        }
        System.exit(0); // HttpClient selector threads are not daemons in every JDK
    }

    static Supplier<ConfigApiTestServer> fixtures(String kind) {
        return switch (kind) {
            case "fake" -> () -> {
                try {
                    return new FakeConfigApi().start();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            case "real" -> () -> {
                try {
                    return new RealServerFixture();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            };
            default -> throw new IllegalArgumentException("unknown --server " + kind + " (real or fake)");
        };
    }

    static Result run(Supplier<ConfigApiTestServer> servers, int n, int warmup, int rounds) throws Exception {
        ThreadFactory daemons = r -> {
            Thread t = new Thread(r, "bench-http");
            t.setDaemon(true);
            return t;
        };
        ExecutorService httpPool = Executors.newFixedThreadPool(4, daemons);
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, daemons);
        List<ConfigWatchClient> clients = new ArrayList<>();
        ConfigApiTestServer server = servers.get();
        try {
            ConfigApiEndpoint endpoint = server.adminEndpoint();
            var http = ConfigApiClient.newHttpClient(endpoint, httpPool);
            Round[] current = new Round[1];
            CountDownLatch snapshots = new CountDownLatch(n);
            for (int i = 0; i < n; i++) {
                int idx = i;
                ConfigWatchClient c = ConfigWatchClient.builder(endpoint, u -> {
                    Round round = current[0];
                    if (round == null) {
                        snapshots.countDown();
                        return;
                    }
                    for (LinkLocalServiceEntry e : u.services().entries()) {
                        if (NAME.equals(e.name()) && e.servicePort() == round.port
                                && round.arrival.compareAndSet(idx, 0, System.nanoTime())) {
                            round.done.countDown();
                        }
                    }
                }).httpClient(http).scheduler(scheduler).hold(Duration.ofSeconds(120))
                        .backoff(Duration.ofMillis(50), Duration.ofSeconds(1)).build();
                clients.add(c);
                c.start();
            }
            if (!snapshots.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not all " + n + " clients got their first snapshot");
            }
            List<String> base = List.of("--api_server_port", String.valueOf(server.port()),
                    "--admin_user", server.users().admin(), "--admin_password", server.users().adminPassword(),
                    "--linklocal_service_name", NAME, "--linklocal_service_ip", "169.254.200.1",
                    "--ipfabric_service_ip", "10.0.0.5", "--ipfabric_service_port", "8775");
            PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
            long[] lat = new long[n * rounds];
            long[] afterAck = new long[n * rounds];
            long[] fleet = new long[rounds];
            long[] cli = new long[rounds];
            for (int r = 0; r < warmup + rounds; r++) {
                settle(clients, n);
                Round round = new Round(2000 + r, n);
                current[0] = round;
                long t0 = System.nanoTime();
                int status = ProvisionLinklocal.run(CliRun.args(base, "--linklocal_service_port",
                        String.valueOf(round.port)), sink, System.err);
                long t1 = System.nanoTime();
                if (status != 0) {
                    throw new IllegalStateException("provision_linklocal exited " + status);
                }
                if (!round.done.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException((round.done.getCount()) + " of " + n + " clients missed round " + r);
                }
                if (r >= warmup) {
                    int m = r - warmup;
                    long slowest = 0;
                    for (int i = 0; i < n; i++) {
                        long d = round.arrival.get(i) - t0;
                        lat[m * n + i] = d;
                        afterAck[m * n + i] = round.arrival.get(i) - t1;
                        slowest = Math.max(slowest, d);
                    }
                    fleet[m] = slowest;
                    cli[m] = t1 - t0;
                }
            }
            return new Result(n, rounds, lat, afterAck, fleet, cli);
        } finally {
            clients.forEach(ConfigWatchClient::close); // before the server, or they log its loss
            server.close();
            scheduler.shutdownNow();
            httpPool.shutdownNow();
        }
    }

    /** Waits until every client has its next watch in flight, so a round starts from steady state. */
    private static void settle(List<ConfigWatchClient> clients, int n) throws InterruptedException {
        long[] polls = new long[n];
        for (int i = 0; i < n; i++) {
            polls[i] = clients.get(i).stats().polls();
        }
        Thread.sleep(200);
        for (int i = 0; i < n; i++) {
            while (clients.get(i).stats().polls() != polls[i]) { // still re-polling: wait a little more
                polls[i] = clients.get(i).stats().polls();
                Thread.sleep(50);
            }
        }
    }

    private static final class Round {
        final int port;
        final AtomicLongArray arrival;
        final CountDownLatch done;

        Round(int port, int n) {
            this.port = port;
            this.arrival = new AtomicLongArray(n);
            this.done = new CountDownLatch(n);
        }
    }

    static double ms(long ns) {
        return ns / 1e6;
    }

    static long pct(long[] sorted, double p) {
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    static String line(Result r) {
        long[] s = r.latenciesNs().clone();
        Arrays.sort(s);
        return String.format("N=%-5d rounds=%d  p50=%.1f ms  p99=%.1f ms  max=%.1f ms  fleet(mean of slowest)=%.1f ms  cli=%.1f ms",
                r.subscribers(), r.rounds(), ms(pct(s, 50)), ms(pct(s, 99)), ms(s[s.length - 1]),
                ms((long) Arrays.stream(r.fleetNs()).average().orElse(0)),
                ms((long) Arrays.stream(r.cliNs()).average().orElse(0)));
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "unknown";
        }
    }

    static String report(List<Result> results, String serverKind, int warmup, String loadBefore, String loadAfter) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Propagation latency: provision_linklocal write -> N agents' watch clients\n\n");
        sb.append("Measured ").append(Instant.now()).append(" by `benchmarks/propagation/run.sh` (")
                .append("`io.vrouter.provision.cli.PropagationBenchmark`), config API: **").append(serverKind)
                .append("**, JVM ").append(System.getProperty("java.version")).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" CPUs, load average ").append(loadBefore)
                .append(" before and ").append(loadAfter).append(" after (the machine is shared).\n\n");
        sb.append("Latency = from the start of an in-process `provision_linklocal --oper add` (read + If-Match")
                .append(" write) until a client's listener receives the new entry. All N clients share one")
                .append(" HttpClient (4 threads) and one 2-thread scheduler; server and clients are in one JVM")
.append(" on loopback. ").append(warmup).append(" warm-up rounds are discarded. \"after ack\" counts from")
                .append(" the moment the CLI had its 200 (the fan-out alone; negative when a client was faster than")
                .append(" the CLI's own response). \"Fleet done\" is the slowest client of a round.\n\n");
        sb.append("| N | rounds | p50 ms | p99 ms | max ms | after ack p50 ms | after ack p99 ms | fleet done, mean ms | CLI run, mean ms |\n");
        sb.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            long[] s = r.latenciesNs().clone();
            Arrays.sort(s);
            long[] a = r.afterAckNs().clone();
            Arrays.sort(a);
            sb.append(String.format("| %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |%n", r.subscribers(), r.rounds(),
                    ms(pct(s, 50)), ms(pct(s, 99)), ms(s[s.length - 1]), ms(pct(a, 50)), ms(pct(a, 99)),
                    ms((long) Arrays.stream(r.fleetNs()).average().orElse(0)),
                    ms((long) Arrays.stream(r.cliNs()).average().orElse(0))));
        }
        return sb.toString();
    }
}
