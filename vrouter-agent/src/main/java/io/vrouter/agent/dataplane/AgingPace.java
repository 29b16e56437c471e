package io.vrouter.agent.dataplane;

import io.vrouter.flow.FlowRecord;
import io.vrouter.flow.FlowTableConfig;

/**
 * How many flows the dataplane's aging visits at a flow-time tick: enough for the cursor to walk
 * the active list once per <em>round</em> (an eighth of the shortest timeout the walk enforces:
 * hold, embryonic, drop, the protocols' idle timeouts), plus {@value #CLOSE_ALLOWANCE} for TCP
 * pairs whose close linger ended (the table takes those from its own queue first), never more
 * than the budget. A flow so expires at most an eighth of its timeout late, and aging costs in
 * proportion to the flows and the time passed. At the budget alone (1,024 a tick) a table of
 * 40,000 flows was walked every 40 ms: with a new connection per request, most of the dataplane
 * thread's Java time (JFR).
 *
 * <p>Dataplane thread only.
 */
final class AgingPace {
    /** Rounds per shortest timeout: how late a flow may expire, as a share of its timeout. */
    static final int ROUNDS_PER_TIMEOUT = 8;
    /** Closed TCP pairs that may leave per tick beyond the walk's share (64,000 a second). */
    static final int CLOSE_ALLOWANCE = 64;

    private final int roundTicks;
    private final int budget;
    private int lastTick;
    private boolean started;

    AgingPace(FlowTableConfig table, int budget) {
        long shortest = Math.min(table.holdTimeoutNs(), Math.min(table.embryonicTimeoutNs(), table.dropTimeoutNs()));
        for (int proto = 0; proto < 256; proto++) {
            shortest = Math.min(shortest, table.idleTimeoutNs(proto));
        }
        this.roundTicks = Math.max(1, FlowRecord.tick(shortest) / ROUNDS_PER_TIMEOUT);
        this.budget = budget;
    }

    /**
     * Flows to visit now, with {@code size} flows active: 0 within the tick of the last call (flow
     * times have the tick's resolution: nothing new can have expired), else the walk's share of
     * the ticks passed (a whole round at most) plus the close allowance, capped by the budget.
     */
    int visits(int tick, int size) {
        int elapsed = started ? tick - lastTick : roundTicks;
        if (elapsed == 0) {
            return 0;
        }
        started = true;
        lastTick = tick;
        long ticks = elapsed < 0 || elapsed > roundTicks ? roundTicks : elapsed;
        long walk = ((long) size * ticks + roundTicks - 1) / roundTicks;
        return (int) Math.min(budget, walk + CLOSE_ALLOWANCE);
    }

    /** Ticks per round of the walk. */
    int roundTicks() {
        return roundTicks;
    }
}
