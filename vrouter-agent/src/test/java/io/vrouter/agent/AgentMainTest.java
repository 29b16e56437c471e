package io.vrouter.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class AgentMainTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    private record Run(int status, String err) {
    }

    private static Run run(String... args) {
        StringWriter w = new StringWriter();
        int status = AgentMain.run(new PrintWriter(w, true), args);
        return new Run(status, w.toString());
    }

    private Path conf(String text) throws IOException {
        Path f = Files.writeString(dir.resolve("agent.conf"), text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    /** The ports one agent run bound, read from its start-up line. */
    private record Bound(int portIpc, int introspect) {
    }

    private static final Pattern STARTED =
            Pattern.compile("agent started: .*port IPC /127\\.0\\.0\\.1:(\\d+), introspect /127\\.0\\.0\\.1:(\\d+)");

    @Test
    void badConfigShouldExit2NamingSectionKeyAndValue() throws Exception {
        Path f = conf("[VIRTUAL-HOST-INTERFACE]\nip = 10.0.0.5/24\n[METADATA]\nmetadata_proxy_secret = abcdefabcdefabcdef\n"
                + "metadata_proxy_port = http\n");
        Run r = run("--config-file", f.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("[METADATA] metadata_proxy_port = \"http\": expected an integer 0-65535"), r.err());
    }

    @Test
    void missingOrUnreadableConfigShouldExit2() {
        Run none = run();
        assertEquals(2, none.status());
        assertTrue(none.err().contains("--config-file"), none.err());
        Run missing = run("--config-file", dir.resolve("nope.conf").toString());
        assertEquals(2, missing.status());
        assertTrue(missing.err().contains("cannot read the file"), missing.err());
    }

    @Test
    void checkShouldValidateTheShippedSample() {
        Run r = run("--config-file", Path.of("..", "conf", "agent.conf").toString(), "--check");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.err().contains("is valid"), r.err());
    }

    private Process startAgent(Path conf, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                AgentMain.class.getName(), "--config-file", conf.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    private HttpResponse<String> send(String method, String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Waits for the start-up line the agent logs once everything listens, in the part of the
     * log written after {@code from}; the ports are the OS's choice (port 0), never picked here,
     * so nothing else on the machine can hold them.
     */
    private static Bound awaitStarted(Process p, Path log, long from) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            byte[] bytes = Files.readAllBytes(log);
            String text = new String(bytes, (int) from, bytes.length - (int) from, StandardCharsets.UTF_8);
            Matcher m = STARTED.matcher(text);
            if (m.find()) {
                return new Bound(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
            }
            if (!p.isAlive()) {
                throw new AssertionError("agent exited " + p.exitValue() + ":\n" + text);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("agent did not come up:\n" + Files.readString(log));
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void killedAgentShouldRestartCleanlyWithItsPortsAndStopCleanlyOnSigterm() throws Exception {
        Path conf = conf(TestAgentConf.text(dir.resolve("ports"), 0, "[DATAPLANE]\nenabled = false\n"));
        Path log = dir.resolve("agent.log");
        Files.writeString(log, "");
        String port = """
                {"id": "11111111-2222-4333-8444-555555555555", "instance-id": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
                 "vn-id": "00000003-0000-4000-8000-000000000001", "vm-project-id": "00000004-0000-4000-8000-000000000001",
                 "ip-address": "10.0.0.3", "system-name": "tapgone0", "mac-address": "02:00:00:00:00:03"}
                """;
        // Plugged as vrouter-port-control does while the agent is down: its file only. A tap that
        // does not exist (yet) is replayed; lo, which this test used to plug, is not a guest's.
        Files.createDirectories(dir.resolve("ports"));
        Files.writeString(dir.resolve("ports").resolve("11111111-2222-4333-8444-555555555555"), port);
        Process first = startAgent(conf, log);
        Process second = null;
        try {
            String ipc = "http://127.0.0.1:" + awaitStarted(first, log, 0).portIpc();
            assertEquals(200, send("GET", ipc + "/ports", null).statusCode());
            HttpResponse<String> added = send("GET", ipc + "/port/11111111-2222-4333-8444-555555555555", null);
            assertEquals(200, added.statusCode(), added.body());
            int index = JSON.readTree(added.body()).get("interface-index").asInt();

            first.destroyForcibly(); // SIGKILL: no shutdown hook, sockets and lock left to the kernel
            assertTrue(first.waitFor(20, TimeUnit.SECONDS));

            long firstRunEnd = Files.size(log);
            second = startAgent(conf, log);
            Bound bound = awaitStarted(second, log, firstRunEnd);
            ipc = "http://127.0.0.1:" + bound.portIpc();
            JsonNode replayed = JSON.readTree(send("GET", ipc + "/port/11111111-2222-4333-8444-555555555555", null).body());
            assertEquals(index, replayed.get("interface-index").asInt());
            assertEquals(200, send("GET", "http://127.0.0.1:" + bound.introspect() + "/stats", null).statusCode());

            second.destroy(); // SIGTERM: shutdown hook closes everything
            assertTrue(second.waitFor(20, TimeUnit.SECONDS), "agent did not stop on SIGTERM");
            assertEquals(143, second.exitValue(), Files.readString(log));
            String out = Files.readString(log);
            assertTrue(out.contains("shutting down") && out.contains("port IPC stopped"), out);
            try {
                send("GET", ipc + "/ports", null);
                throw new AssertionError("port IPC still answers after SIGTERM");
            } catch (ConnectException expected) {
                // closed
            }
            try (var files = Files.list(dir.resolve("ports"))) {
                assertEquals(List.of("11111111-2222-4333-8444-555555555555"), // Contrail's name
                        files.map(f -> f.getFileName().toString()).filter(n -> !n.startsWith(".")).toList());
            }
        } finally {
            first.destroyForcibly();
            if (second != null) {
                second.destroyForcibly();
            }
        }
    }
}
