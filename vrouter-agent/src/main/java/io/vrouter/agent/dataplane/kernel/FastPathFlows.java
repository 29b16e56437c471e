package io.vrouter.agent.dataplane.kernel;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.vrouter.flow.FlowFlags;
import io.vrouter.flow.FlowKey;
import io.vrouter.flow.FlowOffload;
import io.vrouter.flow.FlowTable;
import org.agrona.collections.Long2LongHashMap;

/**
 * The flows of the kernel fast path, kept in step with the dataplane's {@link FlowTable}: a TCP
 * pair is installed in the kernel map (both directions) when the agent forwards the guest's SYN
 * (its flow just set up), and removed from it when the table deletes the pair (aging after the close
 * linger or idle timeout, port removal, eviction). The table asks here what the kernel forwarded
 * before it ages a pair ({@link FlowOffload#drain}), which is how idle and embryonic aging and
 * the flow counters stay right for packets the agent never sees.
 *
 * <p>System calls are batched: a pair's two directions go in with one {@code BPF_MAP_UPDATE_BATCH};
 * deletions are queued and leave with one {@code BPF_MAP_DELETE_BATCH} per {@link #flush} (the
 * dataplane's cycle end), when {@value #DELETE_BATCH} keys are queued, or before an install (so a
 * queued delete never removes a newer pair with the same key).
 *
 * <p>Dataplane thread only; no allocation after construction (the key, value and attr blocks
 * are reused; the merged counts are primitive maps).
 */
public final class FastPathFlows implements FlowOffload {
    private static final int TCP = 6;
    /** The merged-count maps' "no entry" (counts are never negative). */
    private static final long NONE = -1;
    /** {@link #install}: the pair is now in the kernel. */
    public static final int INSTALLED = 1;
    /** {@link #install}: not for the fast path (not IPv4 TCP, already installed, stale). */
    public static final int SKIPPED = 0;
    /** {@link #install}: the kernel refused it (map full): it stays on the agent's path. */
    public static final int REFUSED = -1;
    /** Deletions queued before they are flushed: 16 KB of keys; a cycle's aging rarely queues more. */
    static final int DELETE_BATCH = 1024;
    private final KernelFastPath kernel;
    private final FlowTable<?> table;
    private final int vhostNh;
    private final Memory key = new Memory(FastPathPrograms.KEY_SIZE);
    private final Memory value = new Memory(FastPathPrograms.VALUE_SIZE);
    private final Memory attr = Bpf.attr();
    private final Memory batchAttr = Bpf.attr();
    /** A pair being installed: forward key and value, then reverse. */
    private final Memory pairKeys = new Memory(2L * FastPathPrograms.KEY_SIZE);
    private final Memory pairValues = new Memory(2L * FastPathPrograms.VALUE_SIZE);
    private final Pointer reverseKey = pairKeys.share(FastPathPrograms.KEY_SIZE);
    private final Pointer reverseValue = pairValues.share(FastPathPrograms.VALUE_SIZE);
    private final Memory deletes = new Memory((long) DELETE_BATCH * FastPathPrograms.KEY_SIZE);
    private final Pointer[] deleteSlots = new Pointer[DELETE_BATCH];
    private int queued;
    private final FlowKey forward = new FlowKey();
    private final FlowKey reverse = new FlowKey();
    /** The OS ifindex of each interface id (flow key nh) that had a flow installed. */
    private final int[] ifindexByNh;
    /** Per installed flow handle: packets and bytes already merged into the table. */
    private final Long2LongHashMap mergedPackets = new Long2LongHashMap(NONE);
    private final Long2LongHashMap mergedBytes = new Long2LongHashMap(NONE);

    /**
     * @param vhostNh the vhost's interface id in flow keys (its flows are keyed on the vhost
     *                kernel end's ifindex in the kernel)
     */
    public FastPathFlows(KernelFastPath kernel, FlowTable<?> table, int vhostNh) {
        this.kernel = kernel;
        this.table = table;
        this.vhostNh = vhostNh;
        this.ifindexByNh = new int[Math.min(table.config().maxInterfaces() + 1, 1 << 16)];
        for (int i = 0; i < DELETE_BATCH; i++) {
            deleteSlots[i] = deletes.share((long) i * FastPathPrograms.KEY_SIZE);
        }
        table.setOffload(this);
    }

    /**
     * Installs the pair of forward flow {@code fh}, whose SYN the agent is about to send, of the
     * port with interface id {@code nh}, ifindex {@code portIfindex} and MAC {@code portMac}; the
     * frames get {@code agentMac} as source, and {@code vhostKernelMac} as destination towards
     * the host. Only IPv4 TCP pairs not yet installed.
     *
     * @return {@link #INSTALLED}, {@link #SKIPPED} or {@link #REFUSED}
     */
    public int install(long fh, int nh, int portIfindex, long portMac, long agentMac, long vhostKernelMac) {
        long rh = table.reverse(fh);
        if (nh >= ifindexByNh.length || (table.flags(fh) & FlowFlags.OFFLOADED) != 0 || table.key(rh, reverse) == null
                || table.key(fh, forward) == null || reverse.isIpv6() || reverse.proto() != TCP) {
            return SKIPPED;
        }
        flush();
        int vhostIfindex = kernel.vhostIfindex();
        writeKey(pairKeys, portIfindex, forward);
        writeValue(pairValues, table.natSourceIp(fh), table.natDestinationIp(fh), table.natSourcePort(fh),
                table.natDestinationPort(fh), vhostKernelMac, agentMac, vhostIfindex, FastPathPrograms.REDIRECT_INGRESS);
        writeKey(reverseKey, vhostIfindex, reverse);
        writeValue(reverseValue, table.natSourceIp(rh), table.natDestinationIp(rh), table.natSourcePort(rh),
                table.natDestinationPort(rh), portMac, agentMac, portIfindex, 0);
        int done = Bpf.batch(Bpf.MAP_UPDATE_BATCH, batchAttr, kernel.mapFd(), pairKeys, pairValues, 2);
        if (done != 2) {
            if (done == 1) { // the map filled between the two: no half pair stays
                Bpf.batch(Bpf.MAP_DELETE_BATCH, batchAttr, kernel.mapFd(), pairKeys, null, 1);
            }
            return REFUSED;
        }
        ifindexByNh[nh] = portIfindex;
        table.markOffloaded(fh);
        table.markOffloaded(rh);
        return INSTALLED;
    }

    @Override
    public void drain(long handle, long[] into) {
        if (!keyOf(handle, key) || !element(Bpf.MAP_LOOKUP_ELEM, value)) {
            return;
        }
        long packets = value.getLong(FastPathPrograms.VALUE_PACKETS);
        long bytes = value.getLong(FastPathPrograms.VALUE_BYTES);
        if (packets == 0) {
            return;
        }
        into[0] = packets - Math.max(0, mergedPackets.put(handle, packets));
        into[1] = bytes - Math.max(0, mergedBytes.put(handle, bytes));
    }

    @Override
    public void removed(long handle) {
        mergedPackets.remove(handle);
        mergedBytes.remove(handle);
        if (keyOf(handle, deleteSlots[queued]) && ++queued == DELETE_BATCH) {
            flush();
        }
    }

    /** Deletes the queued keys from the kernel map. */
    public void flush() {
        int from = 0;
        while (from < queued) {
            int n = queued - from;
            int done = Bpf.batch(Bpf.MAP_DELETE_BATCH, batchAttr, kernel.mapFd(), deleteSlots[from], null, n);
            from += done == n ? n : done + 1; // the one that failed is already gone (or the map is): skip it
        }
        queued = 0;
    }

    /** The number of deletions queued for the next {@link #flush}. */
    int queued() {
        return queued;
    }

    private boolean keyOf(long handle, Pointer into) {
        if (table.key(handle, forward) == null) {
            return false;
        }
        int nh = forward.nh();
        writeKey(into, nh == vhostNh ? kernel.vhostIfindex() : nh < ifindexByNh.length ? ifindexByNh[nh] : 0, forward);
        return true;
    }

    private static void writeKey(Pointer into, int ifindex, FlowKey k) {
        FastPathPrograms.writeKey(into, ifindex, k.sip(), k.dip(), k.sport(), k.dport());
    }

    private static void writeValue(Pointer v, int sip, int dip, int sport, int dport, long dstMac, long srcMac,
                                   int ifindex, int flags) {
        v.setMemory(0, FastPathPrograms.VALUE_SIZE, (byte) 0);
        v.setInt(0, Integer.reverseBytes(sip));
        v.setInt(4, Integer.reverseBytes(dip));
        v.setShort(8, Short.reverseBytes((short) sport));
        v.setShort(10, Short.reverseBytes((short) dport));
        writeMac(v, 12, dstMac);
        writeMac(v, 18, srcMac);
        v.setInt(24, ifindex);
        v.setInt(28, flags);
    }

    private static void writeMac(Pointer v, int at, long mac) {
        for (int i = 0; i < 6; i++) {
            v.setByte(at + i, (byte) (mac >>> (40 - 8 * i)));
        }
    }

    /** A map element call on {@link #key} (and {@code val}, or none for a delete); false when it fails. */
    private boolean element(int cmd, Memory val) {
        Bpf.elementAttr(attr, kernel.mapFd(), key, val, 0);
        return Bpf.call(cmd, attr) == 0;
    }
}
