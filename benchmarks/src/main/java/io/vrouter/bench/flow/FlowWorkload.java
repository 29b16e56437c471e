package io.vrouter.bench.flow;

import io.vrouter.flow.FlowAction;
import io.vrouter.flow.FlowFlags;
import io.vrouter.flow.FlowKey;
import io.vrouter.flow.FlowResult;
import io.vrouter.flow.FlowTable;
import io.vrouter.flow.FlowTableConfig;
import io.vrouter.packet.Bytes;
import io.vrouter.packet.Ipv4;
import io.vrouter.packet.Tcp;
import java.util.HashMap;
import java.util.SplittableRandom;

/**
 * The flows every flow benchmark uses, built identically for {@link FlowTable} and the
 * {@link HashMap} baseline: metadata-service pairs, forward {@code VM:sport -> 169.254.169.254:80}
 * on the VM's interface, reverse {@code vhost:8097 -> 169.254.X.Y:sport} on vhost0, NAT'd,
 * installed with the calls the agent's dataplane makes for a new connection ({@link #install}).
 */
final class FlowWorkload {
    static final int METADATA_IP = Bytes.ip(169, 254, 169, 254);
    static final int VHOST_IP = Bytes.ip(10, 10, 10, 1);
    static final int VM_NET = Bytes.ip(10, 0, 0, 0);
    static final int LINK_LOCAL_NET = Bytes.ip(169, 254, 0, 0);
    /** Ints per packed key in the lookup arrays: nh, proto, sip, dip, sport, dport. */
    static final int KEY_INTS = 6;

    private FlowWorkload() {
    }

    /** Forward key of pair {@code c}. */
    static FlowKey forward(long c, FlowKey into) {
        int i = (int) c;
        return into.set(1 + (i & 1023), Ipv4.PROTO_TCP, VM_NET + i, METADATA_IP, 1024 + ((i >>> 10) & 0x3FFF), 80);
    }

    /** Reverse key of pair {@code c}. */
    static FlowKey reverse(long c, FlowKey into) {
        int i = (int) c;
        return into.set(0, Ipv4.PROTO_TCP, VHOST_IP, LINK_LOCAL_NET + i, 8097, 1024 + ((i >>> 10) & 0x3FFF));
    }

    /** Table config for {@code flows} entries: capacity = flows rounded up to a power of two. */
    static FlowTableConfig config(int flows) {
        int cap = Integer.highestOneBit(Math.max(16, flows - 1)) << 1;
        // Limits off: the benchmark measures the table, not one guest's share of it.
        return FlowTableConfig.builder().capacity(cap).maxVmLinkLocalFlows(cap).maxSystemLinkLocalFlows(cap)
                .maxVmFlowsPercent(100).newFlowsPerSecond(0).hashSeed(0x5EED).build();
    }

    /**
     * Installs pair {@code c} as the agent's dataplane does for a new metadata connection: the
     * first packet's lookup misses and creates a HOLD flow; the agent's answer installs the
     * reverse NAT flow (deriving the NAT flags, charging the link-local limits, releasing the
     * HOLD queue).
     *
     * @return the forward flow's handle
     * @throws IllegalStateException if the table refused the pair
     */
    static long install(FlowTable<?> table, long c, FlowKey f, FlowKey r, long nowNs) {
        long h = table.lookup(forward(c, f));
        if (h == FlowResult.NO_FLOW) {
            h = table.addHold(f, Tcp.SYN, nowNs); // a SYN starts the flow
        }
        long rev = FlowResult.isHandle(h)
                ? table.installReverse(h, reverse(c, r), FlowAction.NAT, FlowFlags.LINK_LOCAL, nowNs) : h;
        if (!FlowResult.isHandle(rev)) {
            throw new IllegalStateException("pair " + c + " refused: " + FlowResult.describe(rev));
        }
        return h;
    }

    /** Fills {@code table} with {@code flows / 2} NAT pairs. */
    static void fill(FlowTable<?> table, int flows) {
        FlowKey f = new FlowKey();
        FlowKey r = new FlowKey();
        for (int c = 0; c < flows / 2; c++) {
            install(table, c, f, r, 0);
        }
    }

    /** The baseline's install: a get that misses (the first packet), then both entries put. */
    static void install(HashMap<KeyRecord, EntryObject> map, KeyRecord forward, KeyRecord reverse) {
        if (map.get(forward) == null) {
            EntryObject fe = new EntryObject(FlowAction.NAT);
            EntryObject re = new EntryObject(FlowAction.NAT);
            fe.reverse = re;
            re.reverse = fe;
            fe.flags = FlowFlags.LINK_LOCAL;
            re.flags = FlowFlags.LINK_LOCAL | FlowFlags.REVERSE;
            map.put(forward, fe);
            map.put(reverse, re);
        }
    }

    /** Fills {@code map} with the same pairs. */
    static void fill(HashMap<KeyRecord, EntryObject> map, int flows) {
        FlowKey f = new FlowKey();
        FlowKey r = new FlowKey();
        for (int c = 0; c < flows / 2; c++) {
            install(map, KeyRecord.of(forward(c, f)), KeyRecord.of(reverse(c, r)));
        }
    }

    /**
     * A full {@link FlowTable} kept steady for the set-up benchmarks: each step deletes the oldest
     * pair and installs a new one ({@link #install}).
     */
    static final class TableRing {
        final FlowTable<Object> table;
        private final long[] ring;
        private final FlowKey f = new FlowKey();
        private final FlowKey r = new FlowKey();
        private long counter;

        TableRing(int flows) {
            table = new FlowTable<>(config(flows));
            ring = new long[flows / 2];
            for (int c = 0; c < ring.length; c++) {
                ring[c] = install(table, c, f, r, 0);
            }
            counter = ring.length;
        }

        /** Deletes the oldest pair and installs the next; returns the new forward handle. */
        long replaceOldest() {
            long c = counter++;
            int p = (int) (c % ring.length);
            table.delete(ring[p]);
            long h = install(table, c, f, r, c);
            ring[p] = h;
            return h;
        }
    }

    /** The same on the {@link HashMap} baseline: remove both keys of the oldest pair, install the next. */
    static final class MapRing {
        final HashMap<KeyRecord, EntryObject> map = new HashMap<>();
        private final KeyRecord[] forwardKeys;
        private final KeyRecord[] reverseKeys;
        private final FlowKey f = new FlowKey();
        private final FlowKey r = new FlowKey();
        private long counter;

        MapRing(int flows) {
            forwardKeys = new KeyRecord[flows / 2];
            reverseKeys = new KeyRecord[flows / 2];
            for (int c = 0; c < forwardKeys.length; c++) {
                put(c, c);
            }
            counter = forwardKeys.length;
        }

        /** Removes the oldest pair and installs the next; returns the map's size. */
        int replaceOldest() {
            long c = counter++;
            int p = (int) (c % forwardKeys.length);
            map.remove(forwardKeys[p]);
            map.remove(reverseKeys[p]);
            put(p, c);
            return map.size();
        }

        private void put(int slot, long c) {
            forwardKeys[slot] = KeyRecord.of(forward(c, f));
            reverseKeys[slot] = KeyRecord.of(reverse(c, r));
            install(map, forwardKeys[slot], reverseKeys[slot]);
        }
    }

    /**
     * Packed keys of every installed flow (both halves) in random order; with {@code miss} each
     * key's source address is altered so no installed flow matches.
     */
    static int[] lookupKeys(int flows, boolean miss, long seed) {
        int n = flows / 2 * 2;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] keys = new int[n * KEY_INTS];
        FlowKey k = new FlowKey();
        for (int i = 0; i < n; i++) {
            int pair = order[i] >>> 1;
            if ((order[i] & 1) == 0) {
                forward(pair, k);
            } else {
                reverse(pair, k);
            }
            int o = i * KEY_INTS;
            keys[o] = k.nh();
            keys[o + 1] = k.proto();
            keys[o + 2] = miss ? k.sip() ^ 0x4000_0000 : k.sip();
            keys[o + 3] = k.dip();
            keys[o + 4] = k.sport();
            keys[o + 5] = k.dport();
        }
        return keys;
    }

    /** The baseline's key: what a straightforward Java flow table would use. */
    record KeyRecord(int nh, int proto, int sip, int dip, int sport, int dport) {
        static KeyRecord of(FlowKey k) {
            return new KeyRecord(k.nh(), k.proto(), k.sip(), k.dip(), k.sport(), k.dport());
        }
    }

    /** The baseline's entry: the same information a {@link FlowTable} entry holds. */
    static final class EntryObject {
        int action;
        int flags;
        int dropReason;
        int tcpState;
        EntryObject reverse;
        long packets;
        long bytes;
        long lastSeenNs;

        EntryObject(int action) {
            this.action = action;
        }
    }
}
