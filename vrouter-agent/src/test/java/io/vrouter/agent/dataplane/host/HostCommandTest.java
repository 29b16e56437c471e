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
}
