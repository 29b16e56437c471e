package io.vrouter.provision.etcd;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Test support: a real etcd (the Debian {@code etcd-server} binary) on loopback, one member or
 * a cluster, random ports, a temporary data directory, all removed again by {@link #close()}.
 *
 * <p>When {@code etcd} is not installed: as a normal user the test is skipped with a WARNING on
 * stderr; as root (CI, where scripts/install-deps.sh installs it) the test fails, because a
 * silently skipped etcd suite would hide a broken build machine.
 */
public final class EtcdCluster implements AutoCloseable {
    /** How long a member may take to become healthy on a loaded 2-core machine. */
    public static final long START_TIMEOUT_MS = 30_000;

    private final Path baseDir;
    private final List<Member> members = new ArrayList<>();

    /** One etcd process. */
    public static final class Member {
        final String name;
        final int clientPort;
        final int peerPort;
        final Path dataDir;
        final Path log;
        Process process;

        Member(String name, int clientPort, int peerPort, Path dataDir, Path log) {
            this.name = name;
            this.clientPort = clientPort;
            this.peerPort = peerPort;
            this.dataDir = dataDir;
            this.log = log;
        }

        public URI clientUrl() {
            return URI.create("http://127.0.0.1:" + clientPort);
        }

        String peerUrl() {
            return "http://127.0.0.1:" + peerPort;
        }

        public boolean running() {
            return process != null && process.isAlive();
        }
    }

    private EtcdCluster(Path baseDir) {
        this.baseDir = baseDir;
    }

    /** Skips (non-root) or fails (root) when the etcd binary is missing. */
    public static void assumeEtcdInstalled() {
        if (etcdBinary() != null) {
            return;
        }
        String msg = "etcd is not installed (Debian package etcd-server; scripts/install-deps.sh installs it)";
        if (isRoot()) {
            throw new AssertionError(msg + " — as root the etcd tests must run, so this is a failure");
        }
        System.err.println("WARNING: SKIPPING etcd tests: " + msg);
        Assumptions.abort(msg);
    }

    static String etcdBinary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, "etcd");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return Files.isExecutable(Path.of("/usr/bin/etcd")) ? "/usr/bin/etcd" : null;
    }

    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** Starts {@code size} members forming one cluster and waits until each is healthy. */
    public static EtcdCluster start(int size) throws IOException, InterruptedException {
        assumeEtcdInstalled();
        EtcdCluster c = new EtcdCluster(Files.createTempDirectory("etcd-test-"));
        try {
            StringBuilder initial = new StringBuilder();
            for (int i = 0; i < size; i++) {
                String name = "m" + i;
                Member m = new Member(name, freePort(), freePort(), c.baseDir.resolve(name),
                        c.baseDir.resolve(name + ".log"));
                c.members.add(m);
                initial.append(i == 0 ? "" : ",").append(name).append('=').append(m.peerUrl());
            }
            for (Member m : c.members) {
                c.launch(m, initial.toString());
            }
            for (Member m : c.members) {
                c.awaitHealthy(m);
            }
            return c;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    private void launch(Member m, String initialCluster) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(etcdBinary(),
                "--name", m.name,
                "--data-dir", m.dataDir.toString(),
                "--listen-client-urls", m.clientUrl().toString(),
                "--advertise-client-urls", m.clientUrl().toString(),
                "--listen-peer-urls", m.peerUrl(),
                "--initial-advertise-peer-urls", m.peerUrl(),
                "--initial-cluster", initialCluster,
                "--initial-cluster-state", "new",
                "--initial-cluster-token", "test-" + baseDir.getFileName(),
                "--logger", "zap",
                "--log-outputs", "stderr")
                .redirectErrorStream(true)
                .redirectOutput(m.log.toFile());
        m.process = pb.start();
    }

    private void awaitHealthy(Member m) throws InterruptedException {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (!m.process.isAlive()) {
                throw new IllegalStateException("etcd member " + m.name + " exited with " + m.process.exitValue()
                        + "; log: " + tail(m.log));
            }
            if (healthy(m)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("etcd member " + m.name + " not healthy after " + START_TIMEOUT_MS
                + " ms; log: " + tail(m.log));
    }

    private static boolean healthy(Member m) {
        try {
            HttpURLConnection c = (HttpURLConnection) m.clientUrl().resolve("/health").toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            try {
                return c.getResponseCode() == 200
                        && new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8).contains("true");
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public List<URI> clientUrls() {
        return members.stream().map(Member::clientUrl).toList();
    }

    /** {@code http://127.0.0.1:a,http://127.0.0.1:b} for {@code etcd:<endpoints>}. */
    public String endpointList() {
        return String.join(",", clientUrls().stream().map(URI::toString).toList());
    }

    public Member member(int i) {
        return members.get(i);
    }

    /** The index of the member that is currently the raft leader. */
    public int leader() throws Exception {
        try (io.etcd.jetcd.Client c = io.etcd.jetcd.Client.builder()
                .endpoints(clientUrls().toArray(new URI[0])).build()) {
            for (int i = 0; i < members.size(); i++) {
                if (!members.get(i).running()) {
                    continue;
                }
                io.etcd.jetcd.maintenance.StatusResponse st = c.getMaintenanceClient()
                        .statusMember(members.get(i).clientUrl().toString()).get(10, TimeUnit.SECONDS);
                if (st.getLeader() == st.getHeader().getMemberId()) {
                    return i;
                }
            }
        }
        throw new IllegalStateException("no member reports itself as leader");
    }

    /** Stops one member (SIGTERM, then SIGKILL after 10 s). */
    public void stop(int i) throws InterruptedException {
        Member m = members.get(i);
        if (m.process != null && m.process.isAlive()) {
            m.process.destroy();
            if (!m.process.waitFor(10, TimeUnit.SECONDS)) {
                m.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Override
    public void close() {
        for (int i = 0; i < members.size(); i++) {
            try {
                stop(i);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                members.get(i).process.destroyForcibly();
            }
        }
        try (Stream<Path> walk = Files.walk(baseDir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A temp directory left behind is harmless.
        }
    }
}
