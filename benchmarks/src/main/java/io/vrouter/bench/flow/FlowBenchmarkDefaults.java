package io.vrouter.bench.flow;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The run defaults every flow benchmark shares (JMH reads these annotations from the superclass):
 * throughput per second, a short warm-up and measurement (a quick pass on a shared 2-core machine;
 * the paired {@link FlowRatio} run is the precise one), one fork with a 3 GB heap so the 1M-flow
 * table and its {@link java.util.HashMap} baseline fit without GC pressure.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public abstract class FlowBenchmarkDefaults {
}
