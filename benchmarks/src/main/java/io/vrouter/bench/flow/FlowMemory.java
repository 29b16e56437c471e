package io.vrouter.bench.flow;

import io.vrouter.bench.flow.FlowWorkload.EntryObject;
import io.vrouter.bench.flow.FlowWorkload.KeyRecord;
import io.vrouter.flow.FlowRecord;
import io.vrouter.flow.FlowTable;
import java.util.HashMap;

/**
 * Bytes per flow entry, measured as the retained-heap delta (after full GCs) of a filled
 * {@link FlowTable} and of the {@link HashMap} baseline holding the same flows, next to the figure
 * computed from the record layout. Run: {@code java -cp benchmarks/target/benchmarks.jar
 * io.vrouter.bench.flow.FlowMemory [flows]}.
 */
public final class FlowMemory {
    private FlowMemory() {
    }

    public static void main(String[] args) {
        int flows = args.length > 0 ? Integer.parseInt(args[0]) : 1 << 20;
        long base = used();
        FlowTable<Object> table = new FlowTable<>(FlowWorkload.config(flows));
        FlowWorkload.fill(table, flows);
        long tableBytes = used() - base;
        int capacity = table.capacity();
        System.out.printf("flows=%d capacity=%d%n", flows, capacity);
        System.out.printf("FlowTable layout: %d B/entry (record %d + hash index 8 + active list 4)%n",
                FlowRecord.BYTES_PER_ENTRY, FlowRecord.RECORD_BYTES);
        System.out.printf("FlowTable arrays: %d B total = %.1f B/entry (incl. fixed per-interface and hold arrays)%n",
                table.memoryBytes(), (double) table.memoryBytes() / capacity);
        System.out.printf("FlowTable measured heap delta: %d B = %.1f B/entry%n", tableBytes,
                (double) tableBytes / capacity);
        keep(table);
        table = null;

        base = used();
        HashMap<KeyRecord, EntryObject> map = new HashMap<>();
        FlowWorkload.fill(map, flows);
        long mapBytes = used() - base;
        System.out.printf("HashMap baseline measured heap delta: %d B = %.1f B/entry%n", mapBytes,
                (double) mapBytes / flows);
        keep(map);
    }

    private static volatile Object sink;

    private static void keep(Object o) {
        sink = o;
        sink = null;
    }

    private static long used() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
