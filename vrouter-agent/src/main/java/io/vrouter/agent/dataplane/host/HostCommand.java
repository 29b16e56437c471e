package io.vrouter.agent.dataplane.host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a host tool ({@code ip}, {@code nft}, {@code tc}, {@code sysctl}) with a hard timeout and
 * captures its output. Never goes through a shell: arguments are passed as given, so interface
 * names cannot inject commands. Used on control paths only (port add/remove, start, stop), never
 * per packet.
 *
 * <p>Thread-safe: every call starts its own process.
 */
public final class HostCommand {
    /** How long a host tool may run before it is killed; they normally finish in milliseconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** The output of a finished command. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** Throws {@link HostCommandException} unless the command succeeded. */
        public Result check() {
            if (!ok()) {
                throw new HostCommandException(this);
            }
            return this;
        }

        @Override
        public String toString() {
            return String.join(" ", command) + " -> exit " + exitCode
                    + (stderr.isBlank() ? "" : ": " + stderr.strip());
        }
    }

    /** A command that failed, with its exit code and stderr in the message. */
    public static final class HostCommandException extends RuntimeException {
        private final transient Result result;

        public HostCommandException(Result result) {
            super(result.toString());
            this.result = result;
        }

        public Result result() {
            return result;
        }
    }

    private HostCommand() {
    }

    /** Runs {@code command} with {@link #DEFAULT_TIMEOUT}; does not throw on a non-zero exit. */
    public static Result run(String... command) {
        return run(DEFAULT_TIMEOUT, null, command);
    }

    /** Runs and throws {@link HostCommandException} on a non-zero exit. */
    public static Result runChecked(String... command) {
        return run(command).check();
    }

    /**
     * Runs {@code command}, writing {@code stdin} (may be null) to it. A command still running at
     * {@code timeout} is killed (with its children) and reported with exit code 124, like
     * coreutils' {@code timeout}. A command that cannot be started is reported with exit 127.
     */
    public static Result run(Duration timeout, String stdin, String... command) {
        List<String> cmd = List.of(command);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Result(cmd, 127, "", "cannot start: " + e.getMessage());
        }
        // Drain both streams on their own threads so a chatty tool never blocks on a full pipe.
        StreamDrain out = new StreamDrain(p.getInputStream());
        StreamDrain err = new StreamDrain(p.getErrorStream());
        out.start();
        err.start();
        try {
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
        } catch (IOException e) {
            // The tool exited before reading stdin; its exit code tells the story.
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(2, TimeUnit.SECONDS);
                return new Result(cmd, 124, out.text(), err.text() + " (killed after " + timeout.toMillis() + " ms)");
            }
            return new Result(cmd, p.exitValue(), out.text(), err.text());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(cmd, 130, out.text(), "interrupted");
        }
    }

    /** True when {@code tool} can be started (found on PATH or an absolute path). */
    public static boolean available(String tool, String... probeArgs) {
        List<String> c = new ArrayList<>();
        c.add(tool);
        c.addAll(List.of(probeArgs));
        return run(Duration.ofSeconds(5), null, c.toArray(String[]::new)).exitCode() != 127;
    }

    private static final class StreamDrain extends Thread {
        private final InputStream in;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        StreamDrain(InputStream in) {
            super("host-command-drain");
            setDaemon(true);
            this.in = in;
        }

        @Override
        public void run() {
            try (in) {
                in.transferTo(buf);
            } catch (IOException e) {
                // The process was killed or closed its end; whatever was read is kept.
            }
        }

        String text() {
            try {
                join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return buf.toString(StandardCharsets.UTF_8);
        }
    }
}
