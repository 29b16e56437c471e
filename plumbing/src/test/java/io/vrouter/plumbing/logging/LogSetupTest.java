package io.vrouter.plumbing.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

@Timeout(60)
class LogSetupTest {
    private static final Logger LOG = LoggerFactory.getLogger("io.vrouter.test.LogSetupTest");
    private static final Pattern LINE = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z (ERROR|WARN |INFO |DEBUG|TRACE) \\[[^]]+] \\S+ - .*");

    @TempDir
    Path dir;

    @AfterEach
    void backToStderr() throws IOException {
        LogSetup.configure(LogSettings.stderr(Severity.SYS_INFO));
    }

    @Test
    void shouldWriteDatedLinesAtOrAboveTheSeverityToTheFile() throws Exception {
        Path file = dir.resolve("a/agent.log"); // a missing directory is made
        LogSetup setup = LogSetup.configure(new LogSettings(file, Severity.SYS_WARN, 3, 1 << 20));
        assertTrue(setup.writesToFile());
        LOG.info("info line");
        LOG.warn("warn line");
        LOG.error("error line");
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size(), lines.toString());
        for (String l : lines) {
            assertTrue(LINE.matcher(l).matches(), l);
        }
        assertTrue(lines.get(0).contains("WARN ") && lines.get(0).endsWith("warn line"), lines.get(0));
        assertTrue(lines.get(1).endsWith("error line"), lines.get(1));
    }

    @Test
    void noticeShouldLogInfoAndDebugShouldLogDebug() throws Exception {
        Path file = dir.resolve("levels.log");
        LogSetup.configure(new LogSettings(file, Severity.SYS_NOTICE, 1, 1 << 20));
        LOG.debug("hidden");
        LOG.info("shown");
        assertEquals(1, Files.readAllLines(file).size());
        Path debug = dir.resolve("debug.log");
        LogSetup.configure(new LogSettings(debug, Severity.SYS_DEBUG, 1, 1 << 20));
        LOG.debug("shown at debug");
        LoggerFactory.getLogger("io.netty.Whatever").info("library chatter");
        List<String> lines = Files.readAllLines(debug);
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("DEBUG"), lines.get(0));
    }

    @Test
    void shouldRollTheFileAtItsSizeAndKeepOnlyTheConfiguredCount() throws Exception {
        Path file = dir.resolve("roll.log");
        LogSetup.configure(new LogSettings(file, Severity.SYS_INFO, 2, 2048));
        String filler = "x".repeat(100);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int lines = 0;
        // Bounded: at most 30 s and 100k lines; the size is checked once a second, so this takes ~3 s.
        while (!(Files.exists(sibling(file, 2)) && Files.size(sibling(file, 2)) > 0 && lines > 50)
                && System.nanoTime() < deadline && lines < 100_000) {
            LOG.info("line {} {}", lines++, filler);
            if (lines % 20 == 0) {
                Thread.sleep(10);
            }
        }
        for (int i = 0; i < 50; i++) { // one more rollover window: .3 must never appear
            LOG.info("line {} {}", lines++, filler);
            Thread.sleep(30);
        }
        assertTrue(Files.exists(sibling(file, 1)) && Files.exists(sibling(file, 2)), "rolled twice");
        assertFalse(Files.exists(sibling(file, 3)), "log_files_count = 2 keeps two rolled files");
        String newest = Files.readString(file);
        assertTrue(newest.contains("line " + (lines - 1) + " "), "the live file has the last line");
        for (Path p : List.of(file, sibling(file, 1), sibling(file, 2))) {
            for (String l : Files.readAllLines(p)) {
                assertTrue(LINE.matcher(l).matches(), l);
            }
        }
    }

    @Test
    void reopenShouldStartANewFileAfterTheOldOneWasRenamed() throws Exception {
        Path file = dir.resolve("rotate.log");
        LogSetup setup = LogSetup.configure(new LogSettings(file, Severity.SYS_INFO, 2, 1 << 20));
        LOG.info("before rotation");
        Path rotated = dir.resolve("rotate.log.0");
        Files.move(file, rotated); // what logrotate does first
        LOG.info("still into the renamed file");
        setup.reopen(); // what its postrotate SIGHUP triggers
        LOG.info("after rotation");
        String old = Files.readString(rotated);
        String now = Files.readString(file);
        assertTrue(old.contains("before rotation") && old.contains("still into the renamed file"), old);
        assertFalse(old.contains("after rotation"), old);
        assertTrue(now.contains("after rotation") && !now.contains("before rotation"), now);
    }

    @Test
    void anUnwritableFileShouldFailClearlyAndFallBackToStderr() throws Exception {
        Path notADir = Files.writeString(dir.resolve("plain"), "x");
        IOException e = assertThrows(IOException.class,
                () -> LogSetup.configure(new LogSettings(notADir.resolve("agent.log"), Severity.SYS_INFO, 1, 4096)));
        assertTrue(e.getMessage().contains("cannot write log file " + notADir.resolve("agent.log")), e.getMessage());
    }

    @Test
    void settingsShouldRefuseValuesLogbackCannotHonour() {
        assertThrows(IllegalArgumentException.class, () -> new LogSettings(Path.of("rel.log"), Severity.SYS_INFO, 1, 4096));
        assertThrows(IllegalArgumentException.class, () -> new LogSettings(null, Severity.SYS_INFO, 0, 4096));
        assertThrows(IllegalArgumentException.class, () -> new LogSettings(null, Severity.SYS_INFO, 21, 4096));
        assertThrows(IllegalArgumentException.class, () -> new LogSettings(null, Severity.SYS_INFO, 1, 10));
    }

    @Test
    void contrailSeverityNamesShouldMapToLogbackLevels() {
        assertEquals(Severity.SYS_NOTICE, Severity.parse("sys_notice"));
        assertEquals(ch.qos.logback.classic.Level.INFO, Severity.SYS_NOTICE.level());
        assertEquals(ch.qos.logback.classic.Level.ERROR, Severity.SYS_EMERG.level());
        assertEquals(ch.qos.logback.classic.Level.WARN, Severity.SYS_WARN.level());
        assertEquals(ch.qos.logback.classic.Level.DEBUG, Severity.SYS_DEBUG.level());
        assertNull(Severity.parse("NOTICE"));
        assertNull(Severity.parse("SYS_WARNING"));
    }

    private static Path sibling(Path file, int i) {
        return file.resolveSibling(file.getFileName() + "." + i);
    }
}
