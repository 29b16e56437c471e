package io.vrouter.agent.dataplane.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Running host tools: no privileges needed. */
@Timeout(30)
class HostCommandTest {
    @Test
    void shouldCaptureOutputAndExitCode() {
        HostCommand.Result r = HostCommand.run("sh", "-c", "echo out; echo err >&2; exit 3");
        assertEquals(3, r.exitCode());
        assertEquals("out\n", r.stdout());
        assertEquals("err\n", r.stderr());
        assertFalse(r.ok());
        HostCommand.HostCommandException e = assertThrows(HostCommand.HostCommandException.class, r::check);
        assertTrue(e.getMessage().contains("exit 3") && e.getMessage().contains("err"), e.getMessage());
    }

    @Test
    void shouldPassArgumentsWithoutAShell() {
        HostCommand.Result r = HostCommand.run("echo", "a; rm -rf /tmp/nothing", "$(id)");
        assertEquals("a; rm -rf /tmp/nothing $(id)\n", r.stdout());
    }

    @Test
    void shouldKillACommandAtItsTimeout() {
        long t0 = System.nanoTime();
        HostCommand.Result r = HostCommand.run(Duration.ofMillis(200), null, "sleep", "30");
        assertEquals(124, r.exitCode());
        assertTrue(r.stderr().contains("killed"), r.stderr());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos());
    }

    @Test
    void shouldReportAMissingToolAs127() {
        HostCommand.Result r = HostCommand.run("no-such-tool-vrouter");
        assertEquals(127, r.exitCode());
        assertTrue(r.stderr().contains("cannot start"), r.stderr());
        assertFalse(HostCommand.available("no-such-tool-vrouter"));
        assertTrue(HostCommand.available("sh", "-c", "true"));
    }

    @Test
    void shouldFeedStdin() {
        assertEquals("hello", HostCommand.run(Duration.ofSeconds(5), "hello", "cat").stdout());
    }

    @Test
    void batchShouldRunEveryLineInOneForkAndNameTheLinesThatFailed() {
        long before = HostCommand.startedOnThisThread();
        HostCommand.BatchResult r = HostCommand.batch("ip",
                java.util.List.of("link show dev lo", "link show dev sk-no-such-if", "link show dev lo"));
        assertEquals(1, HostCommand.startedOnThisThread() - before);
        assertEquals(java.util.Set.of(2), r.failedLines(), r.result().toString());
        assertTrue(r.ok(1) && r.ok(3));
        assertFalse(r.ok(2));
        assertEquals(2, r.result().stdout().lines().filter(l -> l.contains(": lo:")).count(), r.result().stdout());
    }

    @Test
    void batchOfAToolThatCannotStartShouldFailEveryLine() {
        HostCommand.BatchResult r = HostCommand.batch("sk-no-such-tool", java.util.List.of("a", "b"));
        assertEquals(127, r.result().exitCode());
        assertFalse(r.ok(1) || r.ok(2));
    }

    @Test
    void batchSafeNamesShouldExcludeWhatTheBatchParserWouldSplitOrCut() {
        assertTrue(HostCommand.BATCH_SAFE_NAME.matcher("tap1a2b-3c.4@x").matches());
        for (String bad : new String[] {"a b", "a#b", "a'b", "a\"b", "a\\b", "a/b", "", "sixteen-chars-ab"}) {
            assertFalse(HostCommand.BATCH_SAFE_NAME.matcher(bad).matches(), bad);
        }
    }
}
