package io.vrouter.bench.flow;

import java.util.HashMap;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Flow-pair set-up in a full table kept steady: each operation deletes the oldest pair and
 * installs a new one with the agent's calls for a new metadata connection (lookup miss, addHold,
 * installReverse NAT + LINK_LOCAL: derived NAT flags, link-local accounting, HOLD queue taken and
 * released); see {@link FlowWorkload#install}. Baseline: the same on a {@link HashMap} (remove two
 * keys, a get that misses, put two key records with entry objects).
 */
public class FlowSetupBenchmark extends FlowBenchmarkDefaults {

    @State(Scope.Thread)
    public static class Table {
        @Param({"4096", "1048576"})
        public int flows;
        FlowWorkload.TableRing ring;

        @Setup(Level.Trial)
        public void setUp() {
            ring = new FlowWorkload.TableRing(flows);
        }
    }

    @State(Scope.Thread)
    public static class Map {
        @Param({"4096", "1048576"})
        public int flows;
        FlowWorkload.MapRing ring;

        @Setup(Level.Trial)
        public void setUp() {
            ring = new FlowWorkload.MapRing(flows);
        }
    }

    @Benchmark
    public long flowTablePairSetup(Table s) {
        return s.ring.replaceOldest();
    }

    @Benchmark
    public int hashMapPairSetup(Map s) {
        return s.ring.replaceOldest();
    }
}
