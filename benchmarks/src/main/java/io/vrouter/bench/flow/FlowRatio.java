package io.vrouter.bench.flow;

import io.vrouter.bench.flow.FlowWorkload.EntryObject;
import io.vrouter.bench.flow.FlowWorkload.KeyRecord;
import io.vrouter.flow.FlowTable;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;

/**
 * Paired, interleaved measurement of FlowTable against the HashMap baseline, in <b>thread CPU
 * time</b>. On a machine shared with many busy processes, JMH's wall-clock scores of two
 * benchmarks run a minute apart can differ several-fold for reasons that have nothing to do with
 * the code (how much CPU we were given). Here both sides run alternately in short chunks within
 * the same seconds, each chunk timed with the thread's CPU clock, and the median chunk per side
 * is reported, so the ratio reflects the code. Complements (does not replace) the JMH run.
 *
 * <p>Run: {@code java -Xmx3g -cp benchmarks/target/benchmarks.jar io.vrouter.bench.flow.FlowRatio [flows...]}
 */
public final class FlowRatio {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();
    private static final int ROUNDS = 25;
    private static final int WARMUP_ROUNDS = 15;
    private static long sink;

    /** The baseline's persistent aging position. */
    private static final class Cursor {
        Iterator<EntryObject> values;
    }

    /** A workload run {@code ops} times. */
    interface Op {
        void run(int ops);
    }

    private FlowRatio() {
    }

    public static void main(String[] args) {
        int[] sizes = args.length == 0 ? new int[] {4096, 1 << 20} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        System.out.println("| flows | workload | FlowTable ns/op (CPU) | HashMap ns/op (CPU) | speed-up |");
        System.out.println("|---|---|---|---|---|");
        for (int flows : sizes) {
            run(flows);
        }
        if (sink == 42) {
            System.out.println();
        }
    }

    private static void run(int flows) {
        FlowTable<Object> table = new FlowTable<>(FlowWorkload.config(flows));
        FlowWorkload.fill(table, flows);
        HashMap<KeyRecord, EntryObject> map = new HashMap<>();
        FlowWorkload.fill(map, flows);
        int[] hits = FlowWorkload.lookupKeys(flows, false, 1);
        int[] misses = FlowWorkload.lookupKeys(flows, true, 2);
        int keyMask = Integer.highestOneBit(hits.length / FlowWorkload.KEY_INTS) - 1;
        int chunk = 20_000;

        int[] cursor = {0};
        pair(flows, "lookup hit", chunk,
                ops -> sink += tableLookups(table, hits, keyMask, cursor, ops),
                ops -> sink += mapLookups(map, hits, keyMask, cursor, ops));
        pair(flows, "lookup miss", chunk,
                ops -> sink += tableLookups(table, misses, keyMask, cursor, ops),
                ops -> sink += mapLookups(map, misses, keyMask, cursor, ops));
        // Pair set-up in a full table kept steady (delete the oldest pair, install a new one).
        FlowWorkload.TableRing tableRing = new FlowWorkload.TableRing(flows);
        FlowWorkload.MapRing mapRing = new FlowWorkload.MapRing(flows);
        pair(flows, "pair set-up (+ delete)", chunk / 4,
                ops -> {
                    for (int i = 0; i < ops; i++) {
                        sink += tableRing.replaceOldest();
                    }
                },
                ops -> {
                    for (int i = 0; i < ops; i++) {
                        sink += mapRing.replaceOldest();
                    }
                });

        Cursor it = new Cursor();
        it.values = map.values().iterator();
        pair(flows, "aging scan (per flow visited)", chunk * 4,
                ops -> {
                    for (int i = 0; i < ops; i += 1024) {
                        sink += table.age(1_000_000_000L, 1024);
                    }
                },
                ops -> {
                    for (int i = 0; i < ops; i++) {
                        if (!it.values.hasNext()) {
                            it.values = map.values().iterator();
                        }
                        EntryObject e = it.values.next();
                        if (1_000_000_000L - Math.max(e.lastSeenNs, e.reverse.lastSeenNs) >= 180_000_000_000L) {
                            sink++;
                        }
                    }
                });
    }

    private static long tableLookups(FlowTable<Object> t, int[] keys, int mask, int[] cursor, int ops) {
        long acc = 0;
        int c = cursor[0];
        for (int i = 0; i < ops; i++) {
            int o = (c++ & mask) * FlowWorkload.KEY_INTS;
            acc += t.lookup(keys[o], keys[o + 1], keys[o + 2], keys[o + 3], keys[o + 4], keys[o + 5]);
        }
        cursor[0] = c;
        return acc;
    }

    private static long mapLookups(HashMap<KeyRecord, EntryObject> m, int[] keys, int mask, int[] cursor, int ops) {
        long acc = 0;
        int c = cursor[0];
        for (int i = 0; i < ops; i++) {
            int o = (c++ & mask) * FlowWorkload.KEY_INTS;
            EntryObject e = m.get(new KeyRecord(keys[o], keys[o + 1], keys[o + 2], keys[o + 3], keys[o + 4], keys[o + 5]));
            // Like the FlowTable side (which only sums handles): use the result, do not read the
            // entry object, or the baseline pays one more cache miss than the table.
            acc += e == null ? 1 : 2;
        }
        cursor[0] = c;
        return acc;
    }

    private static void pair(int flows, String name, int ops, Op table, Op map) {
        double[] t = new double[ROUNDS];
        double[] m = new double[ROUNDS];
        for (int round = -WARMUP_ROUNDS; round < ROUNDS; round++) {
            long t0 = CPU.getCurrentThreadCpuTime();
            table.run(ops);
            long t1 = CPU.getCurrentThreadCpuTime();
            map.run(ops);
            long t2 = CPU.getCurrentThreadCpuTime();
            if (round >= 0) {
                t[round] = (double) (t1 - t0) / ops;
                m[round] = (double) (t2 - t1) / ops;
            }
        }
        double tm = median(t);
        double mm = median(m);
        System.out.printf("| %d | %s | %.1f | %.1f | %.2fx |%n", flows, name, tm, mm, mm / tm);
    }

    private static double median(double[] a) {
        double[] c = a.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
