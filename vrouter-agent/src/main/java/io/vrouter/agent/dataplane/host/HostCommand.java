package io.vrouter.agent.dataplane.host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /** Tools started per thread: how a caller (and its tests) sees that a batch forked once. */
    private static final ThreadLocal<long[]> STARTED = ThreadLocal.withInitial(() -> new long[1]);

    private HostCommand() {
    }

    /** How many tools the calling thread has started so far (a fork each). */
    public static long startedOnThisThread() {
        return STARTED.get()[0];
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
        STARTED.get()[0]++;
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

    /**
     * What {@link #batch} did: the tool's result and the 1-based script lines it reported as
     * failed ({@code Command failed -:N}).
     */
    public record BatchResult(Result result, Set<Integer> failedLines) {
        /**
         * Whether script line {@code line} succeeded: the run succeeded, or it failed only on
         * lines it named and not this one (a tool that did not start or was killed: no line did).
         */
        public boolean ok(int line) {
            return result.ok() || (result.exitCode() == 1 && !failedLines.isEmpty() && !failedLines.contains(line));
        }
    }

    private static final Pattern FAILED_LINE = Pattern.compile("^Command failed -:(\\d+)$",
            Pattern.MULTILINE);

    /**
     * Runs {@code lines} as one iproute2 batch ({@code tool -force -batch -}: {@code ip}, {@code tc}):
     * one fork for many commands; {@code -force} goes on after a failing line and names each.
     * The lines are the tool's arguments as text: callers pass only names they validated
     * ({@link #BATCH_SAFE_NAME}), since the batch parser splits on blanks and cuts at '#'.
     */
    public static BatchResult batch(String tool, List<String> lines) {
        Result r = run(DEFAULT_TIMEOUT, String.join("\n", lines) + "\n", tool, "-force", "-batch", "-");
        Set<Integer> failed = new TreeSet<>();
        Matcher m = FAILED_LINE.matcher(r.stderr());
        while (m.find()) {
            failed.add(Integer.parseInt(m.group(1)));
        }
        return new BatchResult(r, failed);
    }

    /**
     * Interfaces for a {@link #batch}: those whose names can go into a line, and the others (one by
     * one). Both lists are mutable: a caller adds to {@code alone} what its batch could not do.
     */
    public record BatchSplit(List<String> batched, List<String> alone) {
        /** {@code ifNames} not yet {@code done}, each once, in their order. */
        public static BatchSplit of(Collection<String> ifNames, Predicate<String> done) {
            List<String> batched = new ArrayList<>();
            List<String> alone = new ArrayList<>();
            for (String ifName : new LinkedHashSet<>(ifNames)) {
                if (!done.test(ifName)) {
                    (BATCH_SAFE_NAME.matcher(ifName).matches() ? batched : alone).add(ifName);
                }
            }
            return new BatchSplit(batched, alone);
        }
    }

    /** Interface names that can go into a {@link #batch} line as they are (IFNAMSIZ, no blank, quote, '#'). */
    public static final Pattern BATCH_SAFE_NAME = Pattern.compile("[^\\s/\"'\\\\#]{1,15}");

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
