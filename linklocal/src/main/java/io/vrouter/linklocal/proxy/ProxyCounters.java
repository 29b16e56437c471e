package io.vrouter.linklocal.proxy;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;
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

    private final LongAdder[] statusClass = new LongAdder[6];
    private final LongAdder requests = new LongAdder();
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder upstreamConnectionsOpened = new LongAdder();
    private final LongAdder retries = new LongAdder();
    /** Responses by exact status code (100-599); one array, wait-free increments. */
    private final AtomicLongArray byStatus = new AtomicLongArray(600);
    private final LongAdder[] rejections = new LongAdder[RejectReason.values().length];
    private final Recorder latencyRecorder = new Recorder(MAX_TRACKED_LATENCY_US, 3);
    private final Histogram latencyTotal = new Histogram(MAX_TRACKED_LATENCY_US, 3);
    private Histogram recycled;

    ProxyCounters() {
        for (int i = 0; i < statusClass.length; i++) {
            statusClass[i] = new LongAdder();
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

    void rejected(RejectReason reason) {
        rejections[reason.ordinal()].increment();
    }

    /** A response was written to a guest: counted by class, latency since the request was read. */
    void responded(int status, long latencyNanos) {
        countStatus(status);
        long us = Math.max(0, Math.min(MAX_TRACKED_LATENCY_US, latencyNanos / 1000));
        latencyRecorder.recordValue(us);
    }

    /** A response the codec layer wrote itself (413 from the aggregator): no latency sample. */
    void respondedByCodec(int status) {
        countStatus(status);
    }

    private void countStatus(int status) {
        int cls = status / 100;
        statusClass[cls >= 1 && cls <= 5 ? cls : 0].increment();
        if (status >= 100 && status < 600) {
            byStatus.incrementAndGet(status);
        }
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
        for (int i = 100; i < 600; i++) {
            long n = byStatus.get(i);
            if (n != 0) {
                statuses.put(i, n);
            }
        }
        return new ProxyCountersSnapshot(
                requests.sum(), forwarded.sum(),
                statusClass[2].sum(), statusClass[3].sum(), statusClass[4].sum(), statusClass[5].sum(),
                upstreamConnectionsOpened.sum(), retries.sum(), Map.copyOf(rej),
                latencyTotal.copy(), Map.copyOf(statuses));
    }
}
