package io.vrouter.linklocal.proxy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The last requests of each VM through the metadata proxy, and per-VM counters: what an operator
 * looks at first when a VM "got no metadata" (Contrail keeps the same trace per VM).
 *
 * <table>
 *   <caption>Limits</caption>
 *   <tr><th>what</th><th>bound</th><th>beyond it</th></tr>
 *   <tr><td>requests kept per VM</td><td>{@code capacity} (power of two, default {@value #DEFAULT_CAPACITY})</td>
 *       <td>the oldest is overwritten (counted as {@link VmView#overwritten()})</td></tr>
 *   <tr><td>VMs (source addresses) traced</td><td>{@code maxVms} (default {@value #DEFAULT_MAX_VMS})</td>
 *       <td>requests of further sources are counted in {@link #untracedRequests()} only</td></tr>
 * </table>
 *
 * <p>Threads: {@link #record} is called by the proxy's event loops after each response is
 * written; it takes no lock (a sequence number from an {@code AtomicLong}, one slot write into an
 * {@code AtomicReferenceArray}, counter increments); only a VM's first request inserts into a
 * concurrent map. Readers (introspect) on any thread get copies; an entry overwritten while being
 * read is skipped (each entry carries its sequence number), never shown torn.
 */
public final class MetadataTrace {
    public static final int DEFAULT_CAPACITY = 32;
    public static final int DEFAULT_MAX_VMS = 4096;
    private static final int STATUS_SLOTS = 600;

    /**
     * One request as answered.
     *
     * @param seq          the VM's request number, from 0
     * @param timeMs       when it was read (ms since the epoch)
     * @param method       HTTP method ({@code -} when the proxy answered before one was read)
     * @param path         request target as the guest sent it, at most 200 characters
     *                     (guest-controlled: escape wherever shown)
     * @param status       status sent to the guest
     * @param upstream     nova address that answered, or null when not forwarded
     * @param latencyUs    request read to response written
     * @param rejectReason why the proxy answered itself, or null
     */
    public record Entry(long seq, long timeMs, String method, String path, int status, String upstream,
                        long latencyUs, RejectReason rejectReason) {
    }

    /**
     * One VM's trace and counters, copied.
     *
     * @param source            the connection's source address (the VM interface's metadata IP)
     * @param instanceId        the VM's instance UUID when the proxy identified it, else null
     * @param requests          requests answered since the proxy started
     * @param responsesByStatus responses by status code
     * @param rejectsByReason   answers the proxy gave itself, by reason (non-zero only)
     * @param lastRequestMs     time of the last request
     * @param recent            the last requests, oldest first
     * @param overwritten       requests no longer in {@code recent}
     * @param capacity          entries kept per VM
     */
    public record VmView(InetAddress source, String instanceId, long requests, Map<Integer, Long> responsesByStatus,
                         Map<RejectReason, Long> rejectsByReason, long lastRequestMs, List<Entry> recent,
                         long overwritten, int capacity) {
    }

    private final int capacity;
    private final int maxVms;
    private final ConcurrentHashMap<InetAddress, VmTrace> vms = new ConcurrentHashMap<>();
    private final LongAdder untraced = new LongAdder();

    public MetadataTrace() {
        this(DEFAULT_CAPACITY, DEFAULT_MAX_VMS);
    }

    /**
     * @param capacity entries per VM, a power of two, 1-4096
     * @param maxVms   sources traced at most, at least 1
     */
    public MetadataTrace(int capacity, int maxVms) {
        if (capacity < 1 || capacity > 4096 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("trace capacity must be a power of two in 1-4096, got " + capacity);
        }
        if (maxVms < 1) {
            throw new IllegalArgumentException("maxVms must be at least 1, got " + maxVms);
        }
        this.capacity = capacity;
        this.maxVms = maxVms;
    }

    /** Records one answered request of {@code source}; see the class comment. Never blocks. */
    void record(InetAddress source, String instanceId, long timeMs, String method, String path, int status,
                String upstream, long latencyUs, RejectReason reason) {
        if (source == null) {
            return;
        }
        VmTrace t = vms.get(source);
        if (t == null) {
            if (vms.size() >= maxVms) {
                untraced.increment();
                return;
            }
            t = vms.computeIfAbsent(source, s -> new VmTrace(capacity));
        }
        t.record(instanceId, timeMs, method, path, status, upstream, latencyUs, reason);
    }

    /** Forgets a source (its VM interface was removed); its next request starts a new trace. */
    public void forget(InetAddress source) {
        vms.remove(source);
    }

    /** Requests not traced because {@code maxVms} sources were already traced. */
    public long untracedRequests() {
        return untraced.sum();
    }

    public int capacity() {
        return capacity;
    }

    /** One source's trace, or null when it made no request. */
    public VmView vm(InetAddress source) {
        VmTrace t = source == null ? null : vms.get(source);
        return t == null ? null : t.view(source);
    }

    /** Every traced source, in no particular order. */
    public List<VmView> vms() {
        List<VmView> out = new ArrayList<>(vms.size());
        vms.forEach((source, t) -> out.add(t.view(source)));
        return out;
    }

    /** One VM's ring and counters. */
    private static final class VmTrace {
        final AtomicReferenceArray<Entry> ring;
        final int mask;
        final AtomicLong next = new AtomicLong();
        final AtomicLongArray byStatus = new AtomicLongArray(STATUS_SLOTS);
        final AtomicLongArray byReason = new AtomicLongArray(RejectReason.values().length);
        volatile String instanceId;
        volatile long lastMs;

        VmTrace(int capacity) {
            ring = new AtomicReferenceArray<>(capacity);
            mask = capacity - 1;
        }

        void record(String id, long timeMs, String method, String path, int status, String upstream, long latencyUs,
                    RejectReason reason) {
            long seq = next.getAndIncrement();
            ring.set((int) (seq & mask), new Entry(seq, timeMs, method, path, status, upstream, latencyUs, reason));
            if (status >= 0 && status < STATUS_SLOTS) {
                byStatus.incrementAndGet(status);
            }
            if (reason != null) {
                byReason.incrementAndGet(reason.ordinal());
            }
            if (id != null) {
                instanceId = id;
            }
            lastMs = timeMs;
        }

        VmView view(InetAddress source) {
            long end = next.get();
            long start = Math.max(0, end - ring.length());
            List<Entry> recent = new ArrayList<>((int) (end - start));
            for (long s = start; s < end; s++) {
                Entry e = ring.get((int) (s & mask));
                if (e != null && e.seq() == s) {
                    recent.add(e); // else: being written, or already overwritten by a newer one
                }
            }
            Map<Integer, Long> statuses = new TreeMap<>();
            for (int i = 0; i < STATUS_SLOTS; i++) {
                long n = byStatus.get(i);
                if (n != 0) {
                    statuses.put(i, n);
                }
            }
            Map<RejectReason, Long> reasons = new EnumMap<>(RejectReason.class);
            for (RejectReason r : RejectReason.values()) {
                long n = byReason.get(r.ordinal());
                if (n != 0) {
                    reasons.put(r, n);
                }
            }
            return new VmView(source, instanceId, end, statuses, reasons, lastMs, List.copyOf(recent),
                    start, ring.length());
        }
    }
}
