package io.vrouter.bench.flow;

import io.vrouter.bench.flow.FlowWorkload.EntryObject;
import io.vrouter.bench.flow.FlowWorkload.KeyRecord;
import io.vrouter.flow.FlowTable;
import java.util.HashMap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Lookup throughput, hit and miss, at 4K and 1M flows, keys in random order (so at 1M nearly
 * every lookup misses the CPU caches, as in a real dataplane), against a {@link HashMap} with a
 * key record built per lookup from the same packet fields (what the dataplane would have to do).
 * Both sides read the same packed key array.
 */
public class FlowLookupBenchmark extends FlowBenchmarkDefaults {

    /** Keys shared by both sides. */
    @State(Scope.Thread)
    public static class Keys {
        @Param({"4096", "1048576"})
        public int flows;
        int[] hits;
        int[] misses;
        int mask;
        int cursor;

        @Setup(Level.Trial)
        public void setUp() {
            hits = FlowWorkload.lookupKeys(flows, false, 1);
            misses = FlowWorkload.lookupKeys(flows, true, 2);
            mask = Integer.highestOneBit(hits.length / FlowWorkload.KEY_INTS) - 1;
        }

        /** Offset of the next key (a power-of-two prefix of the shuffled keys). */
        int next() {
            return (cursor++ & mask) * FlowWorkload.KEY_INTS;
        }
    }

    @State(Scope.Thread)
    public static class Table {
        FlowTable<Object> table;

        @Setup(Level.Trial)
        public void setUp(Keys keys) {
            table = new FlowTable<>(FlowWorkload.config(keys.flows));
            FlowWorkload.fill(table, keys.flows);
        }
    }

    @State(Scope.Thread)
    public static class Map {
        HashMap<KeyRecord, EntryObject> map;

        @Setup(Level.Trial)
        public void setUp(Keys keys) {
            map = new HashMap<>();
            FlowWorkload.fill(map, keys.flows);
        }
    }

    @Benchmark
    public long flowTableHit(Keys k, Table t) {
        int o = k.next();
        int[] a = k.hits;
        return t.table.lookup(a[o], a[o + 1], a[o + 2], a[o + 3], a[o + 4], a[o + 5]);
    }

    @Benchmark
    public long flowTableMiss(Keys k, Table t) {
        int o = k.next();
        int[] a = k.misses;
        return t.table.lookup(a[o], a[o + 1], a[o + 2], a[o + 3], a[o + 4], a[o + 5]);
    }

    @Benchmark
    public EntryObject hashMapHit(Keys k, Map m) {
        int o = k.next();
        int[] a = k.hits;
        return m.map.get(new KeyRecord(a[o], a[o + 1], a[o + 2], a[o + 3], a[o + 4], a[o + 5]));
    }

    @Benchmark
    public EntryObject hashMapMiss(Keys k, Map m) {
        int o = k.next();
        int[] a = k.misses;
        return m.map.get(new KeyRecord(a[o], a[o + 1], a[o + 2], a[o + 3], a[o + 4], a[o + 5]));
    }
}
