package io.vrouter.provision.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** One in-process run of {@code provision_linklocal}, with what it printed. */
record CliRun(int status, String out, String err) {

    static CliRun run(String... args) {
        return runWithAttempts(Provisioner.DEFAULT_MAX_ATTEMPTS, args);
    }

    static CliRun runWithAttempts(int maxAttempts, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ProvisionLinklocal.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), maxAttempts);
        return new CliRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A port nothing listens on (bound, then released): a config API that cannot be reached. */
    static String closedPort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return String.valueOf(s.getLocalPort());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** {@code base} followed by {@code more}. */
    static String[] args(List<String> base, String... more) {
        List<String> all = new ArrayList<>(base);
        all.addAll(Arrays.asList(more));
        return all.toArray(String[]::new);
    }

    /** Asserts a failure: this status, exactly one line on stderr, containing {@code text}. */
    CliRun assertFails(int expected, String text) {
        assertEquals(expected, status, () -> "status; stderr=" + err + " stdout=" + out);
        String[] lines = err.strip().split("\\R");
        assertEquals(1, lines.length, () -> "expected one line on stderr, got: " + err);
        if (!lines[0].contains(text)) {
            throw new AssertionError("stderr line lacks '" + text + "': " + lines[0]);
        }
        return this;
    }

    CliRun assertOk() {
        assertEquals(ExitStatus.OK, status, () -> "status; stderr=" + err + " stdout=" + out);
        assertEquals("", err);
        return this;
    }
}
