package io.vrouter.bench.flow;

import io.vrouter.bench.flow.FlowWorkload.EntryObject;
import io.vrouter.bench.flow.FlowWorkload.KeyRecord;
import io.vrouter.flow.FlowTable;
import java.util.HashMap;
import java.util.Iterator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The aging scan: flows visited per second by incremental aging (1024 visits per call, as a duty
 * cycle would do), nothing expiring, so this is the pure cost of checking. Baseline: a persistent
 * {@link HashMap} value iterator checking each entry's last-seen time the same way.
 */
public class FlowAgingBenchmark extends FlowBenchmarkDefaults {
    static final int VISITS = 1024;
    static final long NOW_NS = 1_000_000_000L;
    static final long IDLE_NS = 180_000_000_000L;

    @State(Scope.Thread)
    public static class Table {
        @Param({"4096", "1048576"})
        public int flows;
        FlowTable<Object> table;

        @Setup(Level.Trial)
        public void setUp() {
            table = new FlowTable<>(FlowWorkload.config(flows));
            FlowWorkload.fill(table, flows);
        }
    }

    @State(Scope.Thread)
    public static class Map {
        @Param({"4096", "1048576"})
        public int flows;
        HashMap<KeyRecord, EntryObject> map;
        Iterator<EntryObject> it;

        @Setup(Level.Trial)
        public void setUp() {
            map = new HashMap<>();
            FlowWorkload.fill(map, flows);
            it = map.values().iterator();
        }
    }

    @Benchmark
    @OperationsPerInvocation(VISITS)
    public int flowTableAgeScan(Table s) {
        return s.table.age(NOW_NS, VISITS);
    }

    @Benchmark
    @OperationsPerInvocation(VISITS)
    public int hashMapAgeScan(Map s) {
        int expired = 0;
        for (int i = 0; i < VISITS; i++) {
            if (!s.it.hasNext()) {
                s.it = s.map.values().iterator();
            }
            EntryObject e = s.it.next();
            long last = Math.max(e.lastSeenNs, e.reverse.lastSeenNs);
            if (NOW_NS - last >= IDLE_NS) {
                expired++;
            }
        }
        return expired;
    }
}
