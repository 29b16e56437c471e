package io.vrouter.provision.api;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** config-api run as a separate JVM (as bin/config-api does), for crash tests. */
final class ConfigApiProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("config-api listening on (https?://\\S+)");

    final Process process;
    final String url;
    private final List<String> output;

    private ConfigApiProcess(Process process, String url, List<String> output) {
        this.process = process;
        this.url = url;
        this.output = output;
    }

    /** Starts {@code ConfigApiMain} with {@code args} and waits for its "listening" line. */
    static ConfigApiProcess start(Path logFile, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), ConfigApiMain.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread drain = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    Matcher m = READY.matcher(line);
                    if (m.find()) {
                        ready.complete(m.group(1));
                    }
                }
            } catch (IOException ignored) {
                // The process was killed.
            }
            ready.completeExceptionally(new IllegalStateException("config-api exited before listening: " + output));
        }, "config-api-output");
        drain.setDaemon(true);
        drain.start();
        try {
            return new ConfigApiProcess(p, ready.get(60, TimeUnit.SECONDS), output);
        } catch (Exception e) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("config-api did not start: " + e.getMessage() + "; output: " + output, e);
        }
    }

    List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    /** SIGKILL: no shutdown hook, no flush, nothing. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
