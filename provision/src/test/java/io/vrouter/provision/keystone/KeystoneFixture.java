package io.vrouter.provision.keystone;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Test support: a REAL Keystone (Debian's {@code keystone} package, 22.0.x in Debian 12), no mock.
 *
 * <p>{@link #start} writes a throwaway {@code keystone.conf} into a temporary directory (SQLite
 * database, fernet and credential key repositories, log, all in that directory; tokens living
 * {@code tokenExpirationS}; bcrypt at its minimum cost so logins are quick), then runs
 * {@code keystone_fixture.py} with Keystone's own interpreter: {@code db_sync},
 * {@code fernet_setup}, {@code credential_setup}, {@code bootstrap} (database in WAL mode: see the script) (user {@code admin} with role
 * {@code admin} on project {@code admin}; roles {@code admin}, {@code member}, {@code reader}),
 * then serving the public WSGI application on 127.0.0.1 at a port the OS picks. About 5 s on an
 * idle 2-core machine. {@link #close()} stops the process (it also exits by itself when the JVM
 * goes: it watches its stdin) and deletes the directory.
 *
 * <p>Without Keystone installed, {@link #start} skips the test with a WARNING on stderr
 * ({@code scripts/install-deps.sh} installs it).
 */
public final class KeystoneFixture implements AutoCloseable {
    /** db_sync + bootstrap + imports take ~5 s idle; a loaded shared machine may take many times that. */
    public static final long START_TIMEOUT_MS = 180_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("^LISTENING (\\d+)$", Pattern.MULTILINE);

    private final Path dir;
    private final String adminPassword = "boot-" + UUID.randomUUID();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, String> projectIds = new HashMap<>();
    private final Map<String, String> roleIds = new HashMap<>();
    private Process process;
    private URI v3;
    private long startMs;
    private long startNanos;

    private KeystoneFixture(Path dir) {
        this.dir = dir;
    }

    /** Skips the calling test (WARNING on stderr) unless Keystone is installed. */
    public static void assumeKeystoneInstalled() {
        if (keystoneManage() != null && Files.isDirectory(Path.of("/usr/lib/python3/dist-packages/keystone"))) {
            return;
        }
        String msg = "Keystone is not installed (Debian package keystone; scripts/install-deps.sh installs it)";
        System.err.println("WARNING: SKIPPING Keystone tests: " + msg);
        Assumptions.abort(msg);
    }

    private static Path keystoneManage() {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(d, "keystone-manage");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return Files.isExecutable(Path.of("/usr/bin/keystone-manage")) ? Path.of("/usr/bin/keystone-manage") : null;
    }

    /** The interpreter Keystone is installed for: keystone-manage's {@code #!} line (a pyenv shim on PATH may not have it). */
    private static String python() throws IOException {
        List<String> lines = Files.readAllLines(keystoneManage(), StandardCharsets.UTF_8);
        if (!lines.isEmpty() && lines.get(0).startsWith("#!")) {
            String[] parts = lines.get(0).substring(2).trim().split("\\s+");
            if (parts.length == 1 && Files.isExecutable(Path.of(parts[0]))) {
                return parts[0];
            }
        }
        return "/usr/bin/python3";
    }

    /** Starts a Keystone whose tokens live {@code tokenExpirationS} seconds. */
    public static KeystoneFixture start(int tokenExpirationS) throws IOException, InterruptedException {
        assumeKeystoneInstalled();
        KeystoneFixture k = new KeystoneFixture(Files.createTempDirectory("keystone-test-"));
        try {
            k.launch(tokenExpirationS);
            return k;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            k.close();
            throw e;
        }
    }

    private void launch(int tokenExpirationS) throws IOException, InterruptedException {
        startNanos = System.nanoTime();
        Path fernet = Files.createDirectory(dir.resolve("fernet-keys"));
        Path credential = Files.createDirectory(dir.resolve("credential-keys"));
        Path conf = dir.resolve("keystone.conf");
        Files.writeString(conf, String.join("\n",
                "[DEFAULT]",
                "log_file = " + dir.resolve("keystone.log"),
                "use_stderr = false",
                "[database]",
                "connection = sqlite:///" + dir.resolve("keystone.db"),
                "[fernet_tokens]",
                "key_repository = " + fernet,
                "[credential]",
                "key_repository = " + credential,
                "[token]",
                "expiration = " + tokenExpirationS,
                "[identity]",
                "password_hash_rounds = 4",
                "[cache]",
                "enabled = false",
                ""));
        Path script = dir.resolve("keystone_fixture.py");
        try (InputStream in = KeystoneFixture.class.getResourceAsStream("keystone_fixture.py")) {
            if (in == null) {
                throw new IllegalStateException("keystone_fixture.py is missing from the test resources");
            }
            Files.copy(in, script);
        }
        PosixFileAttributes attrs = Files.readAttributes(dir, PosixFileAttributes.class);
        GroupPrincipal group = attrs.group();
        Path log = dir.resolve("fixture.log");
        process = new ProcessBuilder(python(), script.toString(), conf.toString(), adminPassword,
                attrs.owner().getName(), group.getName(), dir.resolve("keystone.db").toString())
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        while (true) {
            String out = Files.readString(log, StandardCharsets.UTF_8);
            Matcher m = LISTENING.matcher(out);
            if (m.find()) {
                v3 = URI.create("http://127.0.0.1:" + m.group(1) + "/v3");
                startMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
                break;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("Keystone exited with " + process.exitValue() + " before serving:\n"
                        + tail(out) + "\n--- keystone.log:\n" + tail(readOrEmpty(dir.resolve("keystone.log"))));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Keystone did not serve within " + START_TIMEOUT_MS + " ms:\n" + tail(out));
            }
            Thread.sleep(100);
        }
    }

    /** Milliseconds from {@link #start} to serving. */
    public long startMillis() {
        return startMs;
    }

    /** Keystone's identity v3 root, {@code http://127.0.0.1:<port>/v3}. */
    public URI v3Url() {
        return v3;
    }

    /** The bootstrap admin: user {@code admin}, role {@code admin} on project {@code admin}. */
    public PasswordCredentials admin() {
        return PasswordCredentials.of("admin", adminPassword, "admin");
    }

    /** A client for this Keystone. */
    public KeystoneClient client() {
        return new KeystoneClient(v3, http, Duration.ofSeconds(30));
    }

    /**
     * Creates (through Keystone's REST API, as the bootstrap admin) project {@code project} if
     * needed, role {@code role} if needed (admin, member and reader exist), and user {@code name}
     * with {@code role} on that project.
     */
    public PasswordCredentials createUser(String name, String password, String project, String role)
            throws IOException, InterruptedException, KeystoneException {
        String token = client().issue(admin()).id();
        String projectId = projectIds.get(project);
        if (projectId == null) {
            ObjectNode b = JSON.createObjectNode();
            b.putObject("project").put("name", project).put("domain_id", "default");
            projectId = post(token, "/projects", b).path("project").path("id").asText();
            projectIds.put(project, projectId);
        }
        String roleId = roleIds.get(role);
        if (roleId == null) {
            JsonNode found = call(token, "GET", "/roles?name=" + role, null).path("roles");
            if (found.size() == 1) {
                roleId = found.get(0).path("id").asText();
            } else {
                ObjectNode b = JSON.createObjectNode();
                b.putObject("role").put("name", role);
                roleId = post(token, "/roles", b).path("role").path("id").asText();
            }
            roleIds.put(role, roleId);
        }
        ObjectNode u = JSON.createObjectNode();
        u.putObject("user").put("name", name).put("password", password).put("domain_id", "default")
                .put("default_project_id", projectId);
        String userId = post(token, "/users", u).path("user").path("id").asText();
        call(token, "PUT", "/projects/" + projectId + "/users/" + userId + "/roles/" + roleId, null);
        return PasswordCredentials.of(name, password, project);
    }

    private JsonNode post(String token, String path, JsonNode body) throws IOException, InterruptedException {
        return call(token, "POST", path, body);
    }

    private JsonNode call(String token, String method, String path, JsonNode body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(v3 + path))
                .timeout(Duration.ofSeconds(30))
                .header("X-Auth-Token", token)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString()));
        HttpResponse<String> rsp = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (rsp.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + rsp.statusCode() + ": " + rsp.body()
                    + "\n--- Keystone's output:\n" + tail(readOrEmpty(dir.resolve("fixture.log"))));
        }
        return rsp.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(rsp.body());
    }

    @Override
    public void close() {
        if (process != null) {
            try {
                process.getOutputStream().close(); // the script exits when its stdin closes
            } catch (IOException e) {
                // Already gone.
            }
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("WARNING: could not delete " + dir + ": " + e);
        }
    }

    private static String readOrEmpty(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String tail(String s) {
        return s.length() > 4000 ? "..." + s.substring(s.length() - 4000) : s;
    }
}
