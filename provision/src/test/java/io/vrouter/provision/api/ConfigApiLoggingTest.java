package io.vrouter.provision.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** config-api as a process: every log line dated, its stop logged (issue 13 item 5). */
class ConfigApiLoggingTest {
    private static final Pattern DATED = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z [A-Z ]{5} \\[.*");
    /** The one undated line: the machine-readable announcement on stdout that scripts wait for. */
    private static final Pattern ANNOUNCEMENT = Pattern.compile("config-api listening on \\S+ \\(store .*\\)");

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void everyLogLineShouldCarryADateAndTheStopShouldBeLogged() throws Exception {
        Path log = dir.resolve("config-api.out");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                ConfigApiMain.class.getName(), "--listen-port", "0", "--store", "file:" + dir.resolve("data"), "--no-auth")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(log).contains("\nconfig-api listening on") && System.nanoTime() < deadline) {
                assertTrue(p.isAlive(), Files.readString(log));
                Thread.sleep(50);
            }
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "stops on SIGTERM");
            assertEquals(143, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
        List<String> out = Files.readAllLines(log).stream()
                .filter(l -> !(l.contains("|-") && l.contains("ch.qos.logback")) && !l.isEmpty())
                .toList(); // logback's own status report: only on this test classpath (two logback-test.xml on it)
        assertTrue(out.stream().anyMatch(l -> DATED.matcher(l).matches() && l.endsWith("config-api stopping")), out.toString());
        assertTrue(out.stream().anyMatch(l -> DATED.matcher(l).matches() && l.endsWith("config-api stopped")), out.toString());
        for (String line : out) {
            assertTrue(DATED.matcher(line).matches() || ANNOUNCEMENT.matcher(line).matches(), "undated line: " + line);
        }
        assertFalse(out.stream().anyMatch(l -> l.contains("DEBUG")), "libraries' debug chatter stays out: " + out);
    }
}
