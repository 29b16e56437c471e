package io.vrouter.linklocal.proxy;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The proxy's counters. Writers are the event loops (LongAdder and an HdrHistogram
 * {@link Recorder}: wait-free, no lock on the request path); {@link #snapshot()} may be called
 * from any thread (the agent's introspect) and is serialised internally.
 */
public final class ProxyCounters {
    /** Highest latency the histogram tracks exactly; larger values are clamped to it. */
    static final long MAX_TRACKED_LATENCY_US = TimeUnit.MINUTES.toMicros(10);
    /** Status codes counted one by one: three digits. */
    static final int STATUS_CODES = 1000;
    /** VMs counted one by one; responses to VMs seen after these are counted under {@link #OTHER_VMS}. */
    static final int MAX_VMS_COUNTED = 4096;
    /** The per-VM key of the VMs past {@link #MAX_VMS_COUNTED}. */
    public static final String OTHER_VMS = "(other)";
    /** Boxed status codes, so counting per VM never boxes. */
    private static final Integer[] BOXED = new Integer[STATUS_CODES];

    static {
        for (int i = 0; i < STATUS_CODES; i++) {
            BOXED[i] = i;
        }
    }

    private final LongAdder[] statusClass = new LongAdder[6];
    private final LongAdder requests = new LongAdder();
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder upstreamConnectionsOpened = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder tokensIssued = new LongAdder();
    private final LongAdder[] rejections = new LongAdder[RejectReason.values().length];
    /** Responses by status code, indexed by the code (100-999; anything else at 0). */
    private final LongAdder[] byStatus = new LongAdder[STATUS_CODES];
    /** Responses by VM (instance UUID) and status code. */
    private final ConcurrentHashMap<String, ConcurrentHashMap<Integer, LongAdder>> byVm = new ConcurrentHashMap<>();
    private final Recorder latencyRecorder = new Recorder(MAX_TRACKED_LATENCY_US, 3);
    private final Histogram latencyTotal = new Histogram(MAX_TRACKED_LATENCY_US, 3);
    private Histogram recycled;

    ProxyCounters() {
        for (int i = 0; i < statusClass.length; i++) {
            statusClass[i] = new LongAdder();
        }
        for (int i = 0; i < byStatus.length; i++) {
            byStatus[i] = new LongAdder();
        }
        for (int i = 0; i < rejections.length; i++) {
            rejections[i] = new LongAdder();
        }
    }

    void request() {
        requests.increment();
    }

    void forwarded() {
        forwarded.increment();
    }

    void upstreamConnectionOpened() {
        upstreamConnectionsOpened.increment();
    }

    void retry() {
        retries.increment();
    }

    void tokenIssued() {
        tokensIssued.increment();
    }

    void rejected(RejectReason reason) {
        rejections[reason.ordinal()].increment();
    }

    /**
     * A response was written to a guest: counted by class, by status code and by VM, latency
     * since the request was read. No allocation once the VM and status have been seen.
     *
     * @param vm the VM it answered, or null when the source address belongs to none
     */
    void responded(int status, long latencyNanos, VmIdentity vm) {
        int code = countStatus(status);
        if (vm != null) {
            perVm(vm.instanceId()).computeIfAbsent(BOXED[code], k -> new LongAdder()).increment();
        }
        long us = Math.max(0, Math.min(MAX_TRACKED_LATENCY_US, latencyNanos / 1000));
        latencyRecorder.recordValue(us);
    }

    private ConcurrentHashMap<Integer, LongAdder> perVm(String instanceId) {
        ConcurrentHashMap<Integer, LongAdder> m = byVm.get(instanceId);
        if (m != null) {
            return m;
        }
        // Bounded: VMs come and go over a node's life; those past the bound share one entry.
        String key = byVm.size() < MAX_VMS_COUNTED ? instanceId : OTHER_VMS;
        return byVm.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
    }

    /** @return the index the code is counted at */
    private int countStatus(int status) {
        int cls = status / 100;
        statusClass[cls >= 1 && cls <= 5 ? cls : 0].increment();
        int code = status >= 100 && status < STATUS_CODES ? status : 0;
        byStatus[code].increment();
        return code;
    }

    /** A consistent-enough copy: each counter is read once; the histogram is cumulative. */
    public synchronized ProxyCountersSnapshot snapshot() {
        recycled = latencyRecorder.getIntervalHistogram(recycled);
        latencyTotal.add(recycled);
        Map<RejectReason, Long> rej = new EnumMap<>(RejectReason.class);
        for (RejectReason r : RejectReason.values()) {
            rej.put(r, rejections[r.ordinal()].sum());
        }
        Map<Integer, Long> statuses = new TreeMap<>();
        for (int i = 0; i < byStatus.length; i++) {
            long n = byStatus[i].sum();
            if (n > 0) {
                statuses.put(i, n);
            }
        }
        Map<String, Map<Integer, Long>> vms = new TreeMap<>();
        byVm.forEach((vm, counts) -> {
            Map<Integer, Long> m = new TreeMap<>();
            counts.forEach((code, n) -> m.put(code, n.sum()));
            vms.put(vm, Collections.unmodifiableMap(m));
        });
        return new ProxyCountersSnapshot(
                requests.sum(), forwarded.sum(),
                statusClass[2].sum(), statusClass[3].sum(), statusClass[4].sum(), statusClass[5].sum(),
                upstreamConnectionsOpened.sum(), retries.sum(), Map.copyOf(rej),
                Collections.unmodifiableMap(statuses), Collections.unmodifiableMap(vms), latencyTotal.copy(),
                tokensIssued.sum());
    }
}
