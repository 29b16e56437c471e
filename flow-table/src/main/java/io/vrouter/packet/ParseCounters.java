package io.vrouter.packet;

import io.vrouter.drop.DropReason;

/**
 * Per-thread tally of parse results: every frame is counted exactly once, either as parsed or
 * under one drop reason, so {@code parsed() + dropped() == total()} always holds.
 *
 * <p>Single writer: the dataplane thread that parses. The fields are plain, so another thread
 * reading them for monitoring may see slightly stale values.
 */
public final class ParseCounters {
    private static final int CODES = 128;

    private final long[] byCode = new long[CODES];
    private long parsed;
    private long unknown;

    /** Counts one parse result (0 or a {@link DropReason} code); returns it for chaining. */
    public int record(int result) {
        if (result == 0) {
            parsed++;
        } else if (result > 0 && result < CODES && DropReason.ofCode(result) != null) {
            byCode[result]++;
        } else {
            unknown++;
        }
        return result;
    }

    public long parsed() {
        return parsed;
    }

    public long dropped(DropReason reason) {
        return byCode[reason.code()];
    }

    /** Results that were neither 0 nor a known drop code (always 0 with {@link PacketParser}). */
    public long unknown() {
        return unknown;
    }

    /** All frames counted as dropped, over every reason. */
    public long dropped() {
        long sum = 0;
        for (long c : byCode) {
            sum += c;
        }
        return sum;
    }

    public long total() {
        return parsed + dropped() + unknown;
    }

    public void clear() {
        java.util.Arrays.fill(byCode, 0);
        parsed = 0;
        unknown = 0;
    }
}
