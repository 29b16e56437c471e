package io.vrouter.agent.dataplane;

import io.vrouter.agent.dataplane.host.HostIsolation;
import io.vrouter.agent.dataplane.io.PacketIo;
import io.vrouter.agent.port.VmPort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The port plumbing of {@link UserspaceDataplane}: a port event becomes an open capture handed to
 * the {@link Dataplane} thread and an isolated interface; a removal undoes all three.
 *
 * <h2>Order of a plug, and why</h2>
 * <ol>
 *   <li>On the caller's thread (port IPC, before it answers; the port-file watcher; the replay at
 *       start): the port's capture is opened. That is a few system calls (socket, ring, mmap), no
 *       fork. From then on every frame the guest sends waits in the port's ring, so a guest that
 *       sends its first ARP right after {@code vrouter-port-control} returns is answered once the
 *       port is attached instead of losing that ARP (which costs the guest its 1 s retransmit).
 *       When the interface cannot be opened yet (nova creates the tap around the same time) the
 *       control thread opens it, retrying.</li>
 *   <li>On {@code dataplane-control}: the capture is handed to the dataplane thread, which
 *       answers the port's frames from then on (those already in its ring first).</li>
 *   <li>Then the host isolation ({@code nft}/{@code tc}: a forked tool, the slow step, 40-370 ms
 *       with 1,000 ports) on its own thread, {@code dataplane-isolation}: after the port answers,
 *       and for every port handed off meanwhile at once ({@link HostIsolation#isolateAll}: one
 *       {@code nft} run for a POST of 30 ports). Being on its own thread, a plug arriving while
 *       another port is being isolated is handed to the dataplane at once instead of waiting for
 *       that fork. Until it is in place the host kernel sees the guest's frames as it did before
 *       the port was plugged. A port counts as attached ({@link #attached()}) only once isolated;
 *       when isolation fails the port is detached again (on the control thread) and retried.</li>
 * </ol>
 * An interface that cannot be opened or isolated is retried every
 * {@value UserspaceDataplane#ATTACH_RETRY_MS} ms up to {@value UserspaceDataplane#ATTACH_ATTEMPTS}
 * times, as long as its port is still wanted. Each attach is logged with its timings (from the
 * port event to: capture open, answering, isolated).
 *
 * <p>Removal ({@link #removed}): the dataplane detaches the port (its flows deleted), then its
 * capture is closed (socket, ring, descriptor) and its isolation released. Whatever a closed
 * instance still holds (captures opened for events the control thread never ran) is closed by
 * {@link #close()}.
 *
 * <p>Threads: {@link #added} and {@link #removed} from any thread (they never wait for a fork).
 * Hand-offs, detaches and retries run on the control executor, one task at a time; every call
 * into {@link HostIsolation} (isolate, release) runs on the isolation thread, in the order the
 * control thread queued them, so a port's release never overtakes its isolation.
 */
final class PortAttachments implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PortAttachments.class);
    private static final long COMMAND_TIMEOUT_S = 10;

    /** A capture opened for a port event, waiting for the control thread. */
    private record Opened(VmPort port, PacketIo io, long openedNs) {
    }

    /** A port handed to the dataplane, waiting for its isolation. */
    private record Pending(VmPort port, PacketIo io, int attempt, long eventNs, long openNs, long answeringNs) {
    }

    private final ScheduledExecutorService control;
    /** Runs every {@link HostIsolation} call, in the order queued (see the class comment). */
    private final ExecutorService isolating = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dataplane-isolation");
        t.setDaemon(true);
        return t;
    });
    private final Dataplane dataplane;
    private final HostIsolation isolation;
    private final Function<String, PacketIo> opener;
    /** Ports attached (open, handed to the dataplane, isolated). */
    private final Map<String, VmPort> attached = new ConcurrentHashMap<>();
    /** The latest port event per port id: a task or retry goes on only while its port is still wanted. */
    private final Map<String, VmPort> wanted = new ConcurrentHashMap<>();
    /** Captures opened by {@link #added}, by port id, until the control thread takes them. */
    private final Map<String, Opened> opened = new ConcurrentHashMap<>();
    /**
     * Ports answering, not isolated yet. The isolation thread takes all there are at once: the
     * hand-offs queued together (a POST's ports) and those made while a fork ran go in one batch.
     * Whenever one waits here, an {@link #isolatePending} is queued behind its hand-off (first
     * {@link #queueIsolation} on the control thread, behind the hand-offs already queued there).
     */
    private final Queue<Pending> pending = new ConcurrentLinkedQueue<>();
    /** A {@link #queueIsolation} is queued on the control thread (control thread only). */
    private boolean kickQueued;
    private volatile boolean closed;

    /**
     * @param control   the single control thread (retries are scheduled on it)
     * @param dataplane the dataplane the captures are handed to
     * @param isolation the guest ports' isolation (exclusive: nft/tc drop; shared: link-local diversion)
     * @param opener    opens a port's interface for capture (with the port mode's filter)
     */
    PortAttachments(ScheduledExecutorService control, Dataplane dataplane, HostIsolation isolation,
                    Function<String, PacketIo> opener) {
        this.control = Objects.requireNonNull(control, "control");
        this.dataplane = Objects.requireNonNull(dataplane, "dataplane");
        this.isolation = Objects.requireNonNull(isolation, "isolation");
        this.opener = Objects.requireNonNull(opener, "opener");
    }

    /** A port was plugged: opens its capture here, and queues the rest on the control thread. */
    void added(VmPort port) {
        if (closed) {
            return;
        }
        long eventNs = System.nanoTime();
        wanted.put(port.id(), port);
        try {
            Opened o = new Opened(port, opener.apply(port.systemName()), System.nanoTime());
            synchronized (this) {
                if (closed) {
                    o.io().close();
                    return;
                }
                closeQuietly(opened.put(port.id(), o));
            }
        } catch (RuntimeException e) {
            LOG.debug("port {}: {} not open yet ({}); the control thread retries", port.id(), port.systemName(),
                    e.getMessage());
        }
        run(() -> attach(port, 1, eventNs));
    }

    /** A port was unplugged: queues its detach on the control thread. */
    void removed(VmPort port) {
        if (!closed) {
            wanted.remove(port.id(), port);
            run(() -> detach(port));
        }
    }

    private void run(Runnable task) {
        try {
            control.execute(task);
        } catch (RejectedExecutionException e) {
            // closing: close() closes what was opened for it
        }
    }

    /** Ports attached: their interface open, handed to the dataplane and isolated. */
    Map<String, VmPort> attached() {
        return Map.copyOf(attached);
    }

    private static void closeQuietly(Opened o) {
        if (o != null) {
            o.io().close();
        }
    }

    /** The capture {@link #added} opened for exactly this event, or null. */
    private Opened takeOpened(VmPort port) {
        Opened o = opened.get(port.id());
        return o != null && o.port() == port && opened.remove(port.id(), o) ? o : null;
    }

    private void attach(VmPort port, int attempt, long eventNs) {
        Opened pre = takeOpened(port);
        if (closed || wanted.get(port.id()) != port) {
            closeQuietly(pre);
            return; // removed or replaced since this attempt was queued
        }
        VmPort old = attached.get(port.id());
        if (old != null && !old.systemName().equals(port.systemName())) {
            detach(old);
        }
        PacketIo io = pre == null ? null : pre.io();
        boolean submitted = false;
        try {
            if (io == null) {
                io = opener.apply(port.systemName());
            }
            long openNs = pre == null ? System.nanoTime() : pre.openedNs();
            submitted = true;
            dataplane.addPort(port, io).get(COMMAND_TIMEOUT_S, TimeUnit.SECONDS);
            pending.add(new Pending(port, io, attempt, eventNs, openNs, System.nanoTime()));
            if (!kickQueued) {
                kickQueued = true;
                control.execute(this::queueIsolation); // after the hand-offs already queued
            }
        } catch (ExecutionException e) {
            // The dataplane refused the port (bad MAC, index clash): retrying cannot help.
            LOG.error("port {} ({}) not attached: {}", port.id(), port.systemName(), e.getCause().getMessage());
            io.close();
        } catch (RuntimeException | TimeoutException e) {
            if (submitted) {
                undoHandOff(port, io); // the dataplane did not answer
            } else if (io != null) {
                io.close();
            }
            retry(port, attempt, eventNs, e);
        } catch (InterruptedException e) {
            undoHandOff(port, io);
            Thread.currentThread().interrupt();
        }
    }

    /** Control thread: has the isolation thread take the ports handed off (one that finds none returns). */
    private void queueIsolation() {
        kickQueued = false;
        runIsolating(this::isolatePending);
    }

    private void runIsolating(Runnable task) {
        try {
            isolating.execute(task);
        } catch (RejectedExecutionException e) {
            // closing: the isolation's own close removes what it installed
        }
    }

    /**
     * Isolation thread: isolates every port handed off and not isolated yet, in one batch; a port
     * that fails is taken back and retried by the control thread.
     */
    private void isolatePending() {
        List<Pending> batch = new ArrayList<>();
        for (Pending p; (p = pending.poll()) != null; ) {
            if (!closed && wanted.get(p.port().id()) == p.port()) {
                batch.add(p); // the others: removed or replaced, their detach or replacement closes them
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        Map<String, RuntimeException> failed;
        try {
            failed = isolation.isolateAll(batch.stream().map(p -> p.port().systemName()).toList());
        } catch (RuntimeException e) { // the isolation as a whole is unusable (closed)
            failed = new java.util.HashMap<>();
            for (Pending p : batch) {
                failed.put(p.port().systemName(), e);
            }
        }
        long isolatedNs = System.nanoTime();
        for (Pending p : batch) {
            VmPort port = p.port();
            RuntimeException e = failed.get(port.systemName());
            if (e != null) {
                run(() -> isolationFailed(p, e));
                continue;
            }
            if (wanted.get(port.id()) != port) {
                continue; // removed meanwhile: its release is queued behind this task
            }
            attached.put(port.id(), port); // a removal from now on: its release task removes it again
            LOG.info("port {} ({}) answering {} ms after its event (capture open at {} ms), isolated at {} ms"
                    + " ({} port(s) in one isolation; attempt {})", port.id(), port.systemName(),
                    ms(p.answeringNs() - p.eventNs()), ms(p.openNs() - p.eventNs()), ms(isolatedNs - p.eventNs()),
                    batch.size(), p.attempt());
        }
    }

    /** Control thread: a port whose isolation failed is not left answering without it; retried. */
    private void isolationFailed(Pending p, RuntimeException e) {
        if (wanted.get(p.port().id()) != p.port()) {
            return; // removed or replaced since: its detach or replacement took the capture back
        }
        undoHandOff(p.port(), p.io()); // the interface went?
        retry(p.port(), p.attempt(), p.eventNs(), e);
    }

    private void retry(VmPort port, int attempt, long eventNs, Exception e) {
        if (attempt < UserspaceDataplane.ATTACH_ATTEMPTS) {
            if (attempt == 1) {
                LOG.warn("port {}: cannot attach {} yet ({}); retrying", port.id(), port.systemName(), e.getMessage());
            }
            control.schedule(() -> attach(port, attempt + 1, eventNs), UserspaceDataplane.ATTACH_RETRY_MS,
                    TimeUnit.MILLISECONDS);
        } else {
            LOG.error("port {}: gave up attaching {} after {} attempts: {}", port.id(), port.systemName(), attempt,
                    e.getMessage());
        }
    }

    /** Takes a handed-off (or maybe handed-off: a timeout) capture back from the dataplane and closes it. */
    private void undoHandOff(VmPort port, PacketIo io) {
        PacketIo back = removeFromDataplane(port);
        if (back != null && back != io) {
            back.close();
        }
        io.close();
    }

    private void detach(VmPort port) {
        PacketIo io = removeFromDataplane(port);
        if (io != null) {
            io.close();
        }
        attached.remove(port.id());
        runIsolating(() -> {
            isolation.release(port.systemName());
            attached.remove(port.id(), port); // in case its isolation, queued before, has just put it
        });
    }

    private PacketIo removeFromDataplane(VmPort port) {
        try {
            return dataplane.removePort(port.id()).get(COMMAND_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.error("port {}: detach failed: {}", port.id(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    private static long ms(long ns) {
        return TimeUnit.NANOSECONDS.toMillis(ns);
    }

    /**
     * Waits (bounded) until the isolation thread has run every task queued so far.
     *
     * @return false when the deadline ({@link System#nanoTime()}) passed first
     */
    boolean awaitIsolationIdle(long deadlineNs) throws InterruptedException {
        try {
            isolating.submit(() -> { }).get(Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException | RejectedExecutionException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Stops the isolation thread (a running fork is killed: the isolation's close removes the
     * whole table or every filter it installed anyway) and closes the captures opened
     * for events the control thread never ran. Call after the control thread stopped; the
     * dataplane closes the captures it holds, the isolation's own close what it installed.
     */
    @Override
    public synchronized void close() {
        closed = true;
        isolating.shutdownNow();
        try {
            if (!isolating.awaitTermination(COMMAND_TIMEOUT_S, TimeUnit.SECONDS)) {
                LOG.warn("the isolation thread did not stop within {} s", COMMAND_TIMEOUT_S);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (String id : Map.copyOf(opened).keySet()) {
            closeQuietly(opened.remove(id));
        }
    }
}
