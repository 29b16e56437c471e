package io.vrouter.flow;

import static io.vrouter.flow.FlowRecord.ACTIVE_POS;
import static io.vrouter.flow.FlowRecord.BYTES_LO;
import static io.vrouter.flow.FlowRecord.COUNTERS_HI;
import static io.vrouter.flow.FlowRecord.DIP;
import static io.vrouter.flow.FlowRecord.GEN;
import static io.vrouter.flow.FlowRecord.LAST_SEEN;
import static io.vrouter.flow.FlowRecord.LINK;
import static io.vrouter.flow.FlowRecord.PACKETS_LO;
import static io.vrouter.flow.FlowRecord.PORTS;
import static io.vrouter.flow.FlowRecord.PROTO_NH;
import static io.vrouter.flow.FlowRecord.SEQ;
import static io.vrouter.flow.FlowRecord.SIP;
import static io.vrouter.flow.FlowRecord.STATE;
import static io.vrouter.flow.FlowRecord.STRIDE;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The entries of a {@link FlowTable}: the record array ({@link FlowRecord} layout), the seqlock
 * that lets other threads copy an entry consistently, the intrusive free list (through LINK), the
 * generation that makes handles of reused entries stale, and the dense list of active indexes
 * that aging walks. Knows nothing of hashing, actions or limits.
 *
 * <p>Writer thread only, except {@link #read} and {@link #size()} (any thread).
 */
final class FlowEntries {
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);

    /** No entry (free-list end, no partner). */
    static final int NONE = -1;

    /** The record array; {@link FlowHashIndex} and {@link FlowTable} read it through {@link FlowRecord}. */
    final int[] rec;
    private final int capacity;
    private final int[] active;
    /** Entries in use: written by the writer with opaque stores, read by any thread. */
    private final AtomicInteger size = new AtomicInteger();
    private int freeHead;

    /** Test seam: runs in {@link #read} between the copy and the validation. */
    Runnable readCopyHook;

    FlowEntries(int capacity) {
        this.capacity = capacity;
        rec = new int[capacity * STRIDE];
        active = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            rec[i * STRIDE + LINK] = i + 1 < capacity ? i + 1 : NONE;
        }
        freeHead = 0;
    }

    int capacity() {
        return capacity;
    }

    /** Entries in use. Any thread (may lag the writer slightly). */
    int size() {
        return size.getOpaque();
    }

    /** Entries in use, on the writer thread. */
    int writerSize() {
        return size.getPlain();
    }

    boolean hasFree() {
        return freeHead != NONE;
    }

    /** The entry at {@code position} of the active list; the caller checked the range. */
    int activeAt(int position) {
        return active[position];
    }

    /** Index of the live entry a handle names, or -1. */
    int liveIndex(long handle) {
        int e = (int) handle;
        if (handle < 0 || e >= capacity) {
            return -1;
        }
        int b = e * STRIDE;
        if (rec[b + GEN] != FlowResult.generation(handle) || FlowRecord.action(rec, b) == FlowAction.FREE) {
            return -1;
        }
        return e;
    }

    /** The current handle of entry {@code e}. */
    long handle(int e) {
        return FlowResult.handle(rec[e * STRIDE + GEN], e);
    }

    /** Takes a free entry (the caller checked {@link #hasFree()}), writes it and adds it to the active list. */
    int allocate(int sip, int dip, int ports, int protoNh, int state, int link, int tick) {
        int e = freeHead;
        int b = e * STRIDE;
        freeHead = rec[b + LINK];
        beginWrite(b);
        FlowRecord.writeKey(rec, b, sip, dip, ports, protoNh);
        rec[b + GEN] = FlowRecord.nextGeneration(rec[b + GEN]);
        rec[b + STATE] = state;
        rec[b + LINK] = link;
        rec[b + LAST_SEEN] = tick;
        rec[b + PACKETS_LO] = 0;
        rec[b + BYTES_LO] = 0;
        rec[b + COUNTERS_HI] = 0;
        endWrite(b);
        int n = size.getPlain();
        rec[b + ACTIVE_POS] = n;
        active[n] = e;
        size.setOpaque(n + 1);
        return e;
    }

    /** Removes entry e from the active list and returns it to the free list (the index is the caller's). */
    void free(int e) {
        int b = e * STRIDE;
        int pos = rec[b + ACTIVE_POS];
        int n = size.getPlain();
        int last = active[n - 1];
        active[pos] = last;
        rec[last * STRIDE + ACTIVE_POS] = pos;
        size.setOpaque(n - 1);
        beginWrite(b);
        rec[b + STATE] = FlowAction.FREE;
        rec[b + LINK] = freeHead;
        endWrite(b);
        freeHead = e;
    }

    /** Replaces entry e's STATE word under the seqlock. */
    void setState(int e, int state) {
        int b = e * STRIDE;
        beginWrite(b);
        rec[b + STATE] = state;
        endWrite(b);
    }

    /** Replaces entry e's flags (derived or caller's) under the seqlock. */
    void setFlags(int e, int flags) {
        setState(e, FlowRecord.withFlags(rec[e * STRIDE + STATE], flags));
    }

    /** Replaces entry e's STATE and LINK words together under the seqlock. */
    void setStateAndLink(int e, int state, int link) {
        int b = e * STRIDE;
        beginWrite(b);
        rec[b + STATE] = state;
        rec[b + LINK] = link;
        endWrite(b);
    }

    /** Marks the entry at base {@code b} as being written: the sequence turns odd. */
    void beginWrite(int b) {
        INTS.setOpaque(rec, b + SEQ, rec[b + SEQ] + 1);
        VarHandle.storeStoreFence();
    }

    /** Ends {@link #beginWrite}: the sequence turns even again, with release semantics. */
    void endWrite(int b) {
        INTS.setRelease(rec, b + SEQ, rec[b + SEQ] + 1);
    }

    /**
     * Copies entry {@code index} into {@code out} as one consistent version (seqlock: retries
     * while the writer is changing it). Any thread; never blocks the writer.
     *
     * @return {@code false} if the index is out of range or the entry is free
     */
    boolean read(int index, FlowSnapshot out) {
        if (index < 0 || index >= capacity) {
            return false;
        }
        int b = index * STRIDE;
        for (;;) {
            int s1 = (int) INTS.getAcquire(rec, b + SEQ);
            if ((s1 & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            int sip = rec[b + SIP];
            int dip = rec[b + DIP];
            int ports = rec[b + PORTS];
            int protoNh = rec[b + PROTO_NH];
            int gen = rec[b + GEN];
            int state = rec[b + STATE];
            int link = rec[b + LINK];
            int last = rec[b + LAST_SEEN];
            int pl = rec[b + PACKETS_LO];
            int bl = rec[b + BYTES_LO];
            int hi = rec[b + COUNTERS_HI];
            Runnable hook = readCopyHook;
            if (hook != null) {
                hook.run();
            }
            VarHandle.loadLoadFence();
            int s2 = (int) INTS.getOpaque(rec, b + SEQ);
            if (s1 != s2) {
                continue;
            }
            if (FlowRecord.action(state) == FlowAction.FREE) {
                return false;
            }
            out.index = index;
            out.generation = gen;
            out.fillWords(sip, dip, ports, protoNh);
            out.state = state;
            out.link = link;
            out.lastSeenTick = last;
            out.packetsLo = pl;
            out.bytesLo = bl;
            out.countersHi = hi;
            return true;
        }
    }

    /** Heap bytes of the record array and active list. */
    long memoryBytes() {
        return 4L * (rec.length + active.length);
    }
}
