package io.vrouter.bench.flow;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Steady-state pair set-up (+ delete) of two or more builds of the flow table <b>in one JVM</b>:
 * each benchmarks jar is loaded by its own class loader, and their {@code TableRing}s run
 * alternately in chunks timed with the thread's CPU clock, so every build gets the same seconds,
 * the same heap and the same load. A long warm-up first (half as many chunks as are measured),
 * so what is compared is compiled code, not how soon the JIT got to it ({@link FlowRatio}'s short
 * chunks include that). The call through a method handle costs each side the same few ns.
 *
 * <p>Run: {@code java -Xmx3g -cp benchmarks/target/benchmarks.jar io.vrouter.bench.flow.FlowSetupAB
 * flows opsPerChunk chunks jar...} (e.g. {@code 4096 50000 40 before.jar benchmarks.jar}).
 */
public final class FlowSetupAB {
    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private FlowSetupAB() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 4) {
            throw new IllegalArgumentException("usage: flows opsPerChunk chunks jar...");
        }
        int flows = Integer.parseInt(args[0]);
        int ops = Integer.parseInt(args[1]);
        int chunks = Integer.parseInt(args[2]);
        int n = args.length - 3;
        Object[] rings = new Object[n];
        MethodHandle[] step = new MethodHandle[n];
        for (int i = 0; i < n; i++) {
            URL jar = Path.of(args[3 + i]).toUri().toURL();
            ClassLoader loader = new URLClassLoader(new URL[] {jar}, ClassLoader.getPlatformClassLoader());
            Class<?> ring = Class.forName(FlowWorkload.TableRing.class.getName(), true, loader);
            Constructor<?> make = ring.getDeclaredConstructor(int.class);
            make.setAccessible(true);
            rings[i] = make.newInstance(flows);
            Method replace = ring.getDeclaredMethod("replaceOldest");
            replace.setAccessible(true);
            step[i] = MethodHandles.lookup().unreflect(replace).asType(MethodType.methodType(long.class, Object.class));
        }
        double[][] ns = new double[n][chunks];
        long sink = 0;
        for (int c = -chunks / 2; c < chunks; c++) {
            for (int i = 0; i < n; i++) {
                long t0 = CPU.getCurrentThreadCpuTime();
                sink += run(step[i], rings[i], ops);
                long t1 = CPU.getCurrentThreadCpuTime();
                if (c >= 0) {
                    ns[i][c] = (double) (t1 - t0) / ops;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            double[] s = ns[i].clone();
            Arrays.sort(s);
            System.out.printf("%s: pair set-up (+ delete), %d flows: median %.1f ns (p25 %.1f, p75 %.1f)%n",
                    args[3 + i], flows, s[chunks / 2], s[chunks / 4], s[chunks * 3 / 4]);
        }
        if (sink == 42) {
            System.out.println();
        }
    }

    private static long run(MethodHandle step, Object ring, int ops) throws Throwable {
        long acc = 0;
        for (int k = 0; k < ops; k++) {
            acc += (long) step.invokeExact(ring);
        }
        return acc;
    }
}
