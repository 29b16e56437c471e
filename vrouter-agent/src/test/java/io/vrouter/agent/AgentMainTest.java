package io.vrouter.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

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
            Pattern.compile("agent started: .*port IPC /127\\.0\\.0\\.1:(\\d+), introspect /127\\.0\\.0\\.\\d+:(\\d+)");

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
        // SIGHUP at its default, as a service manager starts the agent: a run under nohup would
        // hand its ignored SIGHUP down, and the JVM cannot take over an ignored SIGHUP.
        return new ProcessBuilder("/usr/bin/env", "--default-signal=HUP", java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
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
            byte[] bytes = Files.exists(log) ? Files.readAllBytes(log) : new byte[0];
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

    // ---------------------------------------------------------------- --check and start agree

    /** A valid file with the dataplane on (as on a node); each case below breaks one value of it. */
    private String nodeConf() {
        return """
                [DEFAULT]
                http_server_port = 9185
                port_ipc_port = 9191
                ports_dir = %s
                [VIRTUAL-HOST-INTERFACE]
                name = vhost0
                ip = 10.0.0.5/24
                [METADATA]
                metadata_proxy_secret = %s
                metadata_proxy_port = 9197
                [DATAPLANE]
                route_table = 0
                """.formatted(dir.resolve("ports"), TestAgentConf.SECRET);
    }

    @Test
    void checkShouldPassTheValidNodeFile() throws Exception {
        Run r = run("--config-file", conf(nodeConf()).toString(), "--check");
        assertEquals(0, r.status(), r.err());
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "route_table = 0|route_table = 0@NL@internal_address = 127.0.0.1|[DATAPLANE] internal_address = \"127.0.0.1\": expected a unicast IPv4 address",
        "route_table = 0|route_table = 0@NL@internal_address = 169.254.0.9|[DATAPLANE] internal_address = \"169.254.0.9\": expected",
        "route_table = 0|route_table = 0@NL@internal_address = 10.0.0.77|[DATAPLANE] internal_address = \"10.0.0.77\": expected an address outside the fabric subnet 10.0.0.0/24",
        "route_table = 0|route_table = 0@NL@port_mode = bridged|[DATAPLANE] port_mode = \"bridged\": expected exclusive",
        "ip = 10.0.0.5/24|ip = 10.0.0.5/0|[VIRTUAL-HOST-INTERFACE] ip = \"10.0.0.5/0\": expected a prefix length of 1-32",
        "route_table = 0|route_table = 254|[DATAPLANE] route_table = \"254\": expected 0 (the main table)",
        "route_table = 0|route_table = 255|[DATAPLANE] route_table = \"255\": expected 0 (the main table)",
        "name = vhost0|name = vhost0-abcdef|[VIRTUAL-HOST-INTERFACE] name = \"vhost0-abcdef\": expected an interface name of 1-12",
        "name = vhost0|name = vhost0-abcdefgh|[VIRTUAL-HOST-INTERFACE] name = \"vhost0-abcdefgh\": expected an interface name of 1-12",
        "port_ipc_port = 9191|port_ipc_port = 9185|[DEFAULT] port_ipc_port = \"9185\": expected a port other than [DEFAULT] http_server_port's",
        "metadata_proxy_port = 9197|metadata_proxy_port = 9191|[METADATA] metadata_proxy_port = \"9191\": expected a port other than [DEFAULT] port_ipc_port's",
        "route_table = 0|route_table = 0@NL@[LINKLOCAL]@NL@services_file = @DIR@/bad.json|[LINKLOCAL] services_file = \"@DIR@/bad.json\": expected a valid link-local services JSON file",
        "ports_dir = @DIR@/ports|ports_dir = @DIR@/plain|[DEFAULT] ports_dir = \"@DIR@/plain\": expected a directory",
        "route_table = 0|route_table = 0@NL@[DEFAULT]@NL@log_file = @DIR@|[DEFAULT] log_file = \"@DIR@\": expected a file",
    })
    void checkAndStartShouldRefuseTheSameValueNamingSectionAndKey(String good, String bad, String problem) throws Exception {
        Files.writeString(dir.resolve("bad.json"), "{\"linklocal_service_entry\": [{\"linklocal_service_name\": \"x\"}]}");
        Files.writeString(dir.resolve("plain"), "not a directory");
        String text = nodeConf().replace(dir.toString(), "@DIR@");
        assertTrue(text.contains(good), good);
        Path f = conf(text.replace(good, bad.replace("@NL@", "\n")).replace("@DIR@", dir.toString()));
        String expected = problem.replace("@DIR@", dir.toString());

        Run check = run("--config-file", f.toString(), "--check");
        assertEquals(2, check.status(), check.err());
        assertTrue(check.err().contains(expected), check.err());
        Run start = run("--config-file", f.toString());
        assertEquals(2, start.status(), start.err());
        assertEquals(check.err(), start.err(), "the start refuses it with the same words, before touching the host");
    }

    // ---------------------------------------------------------------- Contrail's own files

    /** The sample-shaped Contrail file with this test's node-specific lines; proxy-only (no root needed). */
    private String contrailSample(Path logFile) {
        return ContrailConfs.sample()
                .replace("http_server_port=8085", "http_server_port=0")
                .replace("http_server_ip=0.0.0.0", "http_server_ip=127.0.0.2")
                .replace("ip=10.1.1.31/24", "ip=127.0.0.1/8")
                .replace("metadata_proxy_port=8097", "metadata_proxy_port=0")
                .replace("log_file=/var/log/contrail/contrail-vrouter-agent.log", "log_file=" + logFile)
                + ours();
    }

    /** A container-generated file with this test's node-specific values; proxy-only. */
    private String contrailGenerated(Path logFile) {
        return ContrailConfs.containerBuilt("127.0.0.1/8", "10.1.1.254 10.2.2.254", "bond0 eth2", logFile.toString(), "")
                + "[DEFAULT]\nhttp_server_port = 0\n[METADATA]\nmetadata_proxy_port = 0\n" + ours();
    }

    /** Our own keys (Contrail hard-codes these), in repeated sections as a generated file would add them. */
    private String ours() {
        return "[DEFAULT]\nport_ipc_port = 0\nports_dir = " + dir.resolve("ports") + "\n[LINKLOCAL]\ncache_file = "
                + dir.resolve("cache.json") + "\n[DATAPLANE]\nenabled = false\n";
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sample", "generated"})
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void agentShouldStartOnContrailsFileLogToItsFileAndReopenItOnSighup(String which) throws Exception {
        Path logFile = dir.resolve("log/contrail-vrouter-agent.log");
        Path conf = conf("sample".equals(which) ? contrailSample(logFile) : contrailGenerated(logFile));
        Path console = dir.resolve("console.out");
        Process p = startAgent(conf, console);
        try {
            Bound bound = awaitStarted(p, logFile, 0);
            String text = Files.readString(logFile);
            assertTrue(text.contains("METADATA GOES TO THE BUILT-IN DEFAULT"), text);
            assertTrue(text.contains("[SANDESH] (2 keys) is not used by this agent: ignored"), text);
            for (String line : text.split("\n")) {
                assertTrue(line.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z [A-Z ]{5} \\[.*"), line);
            }
            if ("sample".equals(which)) {
                assertTrue(text.contains("introspect /127.0.0.2:" + bound.introspect()), "http_server_ip honoured: " + text);
            }

            Path rotated = logFile.resolveSibling("contrail-vrouter-agent.log.0");
            Files.move(logFile, rotated); // logrotate: rename, then SIGHUP
            assertEquals(0, new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!(Files.exists(logFile) && Files.readString(logFile).contains("SIGHUP: log file"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(Files.exists(logFile) && Files.readString(logFile).contains("SIGHUP: log file"), "reopened");
            assertTrue(p.isAlive(), "SIGHUP does not stop the agent");
            assertEquals(200, send("GET", "http://127.0.0." + ("sample".equals(which) ? 2 : 1) + ":" + bound.introspect()
                    + "/stats", null).statusCode());

            p.destroy();
            assertTrue(p.waitFor(20, TimeUnit.SECONDS));
            String after = Files.readString(logFile);
            assertTrue(after.contains("vrouter-agent stopped"), after);
            assertFalse(Files.readString(rotated).contains("vrouter-agent stopped"), "nothing more into the rotated file");
            assertEquals("", Files.readString(console).strip(), "everything went to the log file");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void agentWithControlNodeOnlyShouldStartAndWarnLoudlyWhereMetadataGoes() throws Exception {
        Path conf = conf("[CONTROL-NODE]\nservers=10.1.1.11:5269\n"
                + TestAgentConf.text(dir.resolve("ports"), 0, "[DATAPLANE]\nenabled = false\n[LINKLOCAL]\ncache_file = "
                + dir.resolve("cache.json") + "\n"));
        Path log = dir.resolve("agent.log");
        Process p = startAgent(conf, log);
        try {
            Bound bound = awaitStarted(p, log, 0);
            String text = Files.readString(log);
            Matcher warn = Pattern.compile("WARN .*METADATA GOES TO THE BUILT-IN DEFAULT: .*Set \\[LINKLOCAL] config_api_url")
                    .matcher(text);
            assertTrue(warn.find(), text);
            String page = send("GET", "http://127.0.0.1:" + bound.introspect() + "/linklocal", null).body();
            assertTrue(page.contains("127.0.0.1") && page.contains("8775"), "the built-in default is in force: " + page);
        } finally {
            p.destroyForcibly();
        }
    }
}
