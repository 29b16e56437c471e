package io.vrouter.bench.flow;

import io.vrouter.bench.flow.FlowWorkload.EntryObject;
import io.vrouter.bench.flow.FlowWorkload.KeyRecord;
import io.vrouter.flow.FlowAction;
import io.vrouter.flow.FlowFlags;
import io.vrouter.flow.FlowKey;
import io.vrouter.flow.FlowResult;
import io.vrouter.flow.FlowTable;
import java.util.HashMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Flow-pair set-up in a full table kept steady: each operation deletes the oldest pair and
 * installs a new forward + reverse NAT pair (derived NAT flags, link-local accounting), as the
 * agent does for every new metadata connection. Baseline: the same on a {@link HashMap} (remove
 * two keys, put two key records with entry objects).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class FlowSetupBenchmark {

    @State(Scope.Thread)
    public static class Table {
        @Param({"4096", "1048576"})
        public int flows;
        FlowTable<Object> table;
        long[] ring;
        int pos;
        long counter;
        final FlowKey f = new FlowKey();
        final FlowKey r = new FlowKey();

        @Setup(Level.Trial)
        public void setUp() {
            table = new FlowTable<>(FlowWorkload.config(flows));
            ring = new long[flows / 2];
            for (int c = 0; c < ring.length; c++) {
                ring[c] = table.addPair(FlowWorkload.forward(c, f), FlowWorkload.reverse(c, r), FlowAction.NAT,
                        FlowFlags.LINK_LOCAL, 0);
            }
            counter = ring.length;
        }
    }

    @State(Scope.Thread)
    public static class Map {
        @Param({"4096", "1048576"})
        public int flows;
        HashMap<KeyRecord, EntryObject> map;
        KeyRecord[] ringForward;
        KeyRecord[] ringReverse;
        int pos;
        long counter;
        final FlowKey f = new FlowKey();
        final FlowKey r = new FlowKey();

        @Setup(Level.Trial)
        public void setUp() {
            map = new HashMap<>();
            ringForward = new KeyRecord[flows / 2];
            ringReverse = new KeyRecord[flows / 2];
            for (int c = 0; c < ringForward.length; c++) {
                put(c, c);
            }
            counter = ringForward.length;
        }

        void put(int slot, long c) {
            KeyRecord fk = KeyRecord.of(FlowWorkload.forward(c, f));
            KeyRecord rk = KeyRecord.of(FlowWorkload.reverse(c, r));
            EntryObject fe = new EntryObject(FlowAction.NAT);
            EntryObject re = new EntryObject(FlowAction.NAT);
            fe.reverse = re;
            re.reverse = fe;
            fe.flags = FlowFlags.LINK_LOCAL;
            re.flags = FlowFlags.LINK_LOCAL | FlowFlags.REVERSE;
            map.put(fk, fe);
            map.put(rk, re);
            ringForward[slot] = fk;
            ringReverse[slot] = rk;
        }
    }

    @Benchmark
    public long flowTablePairSetup(Table s) {
        int p = s.pos;
        s.pos = p + 1 == s.ring.length ? 0 : p + 1;
        s.table.delete(s.ring[p]);
        long c = s.counter++;
        long h = s.table.addPair(FlowWorkload.forward(c, s.f), FlowWorkload.reverse(c, s.r), FlowAction.NAT,
                FlowFlags.LINK_LOCAL, c);
        if (!FlowResult.isHandle(h)) {
            throw new IllegalStateException(FlowResult.describe(h));
        }
        s.ring[p] = h;
        return h;
    }

    @Benchmark
    public int hashMapPairSetup(Map s) {
        int p = s.pos;
        s.pos = p + 1 == s.ringForward.length ? 0 : p + 1;
        s.map.remove(s.ringForward[p]);
        s.map.remove(s.ringReverse[p]);
        s.put(p, s.counter++);
        return s.map.size();
    }
}
