package io.vrouter.agent.port;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices port files written or deleted behind the agent's back ({@code vrouter-port-control}
 * writes and deletes them itself, before it calls port IPC, and whether or not the agent
 * answers): every {@code intervalMs} it has {@link PortRegistry#rescan} compare the directory
 * with the table. A scan reads only new or changed files, so it costs one directory listing
 * and a stat per port.
 *
 * <p>Thread: one daemon thread, "port-files"; a failed scan is logged and the next one runs.
 */
public final class PortFileWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PortFileWatcher.class);
    /** Short next to a VM's boot, long next to a directory listing. */
    public static final long DEFAULT_INTERVAL_MS = 1000;

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "port-files");
        t.setDaemon(true);
        return t;
    });

    private PortFileWatcher(PortRegistry registry, long intervalMs) {
        thread.scheduleWithFixedDelay(() -> {
            try {
                int added = registry.rescan();
                if (added > 0) {
                    LOG.info("{} port(s) added from new port files", added);
                }
            } catch (RuntimeException e) {
                LOG.error("port file scan failed", e);
            }
        }, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }

    public static PortFileWatcher start(PortRegistry registry, long intervalMs) {
        if (intervalMs <= 0) {
            throw new IllegalArgumentException("intervalMs must be positive, got " + intervalMs);
        }
        return new PortFileWatcher(registry, intervalMs);
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
