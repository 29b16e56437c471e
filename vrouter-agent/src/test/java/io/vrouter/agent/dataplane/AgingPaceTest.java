package io.vrouter.agent.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.flow.FlowRecord;
import io.vrouter.flow.FlowTableConfig;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AgingPaceTest {
    private static final FlowTableConfig DEFAULTS = FlowTableConfig.builder().build();

    @Test
    void roundShouldBeAnEighthOfTheShortestTimeoutTheWalkEnforces() {
        assertEquals(FlowRecord.tick(FlowTableConfig.DEFAULT_HOLD_TIMEOUT_NS) / 8, new AgingPace(DEFAULTS, 1024).roundTicks());
        FlowTableConfig udpShort = FlowTableConfig.builder().idleTimeoutNs(17, TimeUnit.MILLISECONDS.toNanos(800)).build();
        assertEquals(FlowRecord.tick(TimeUnit.MILLISECONDS.toNanos(800)) / 8, new AgingPace(udpShort, 1024).roundTicks());
    }

    @Test
    void aTickShouldVisitTheWalksShareNotTheWholeBudget() {
        AgingPace pace = new AgingPace(DEFAULTS, 1024);
        int round = pace.roundTicks();
        pace.visits(1000, 40_000);
        int share = (40_000 + round - 1) / round;
        assertEquals(share + AgingPace.CLOSE_ALLOWANCE, pace.visits(1001, 40_000));
        assertTrue(pace.visits(1002, 40_000) < 1024 / 4, "a fraction of the budget: " + pace.visits(1003, 40_000));
    }

    @Test
    void theTickOfTheLastCallShouldVisitNothing() {
        AgingPace pace = new AgingPace(DEFAULTS, 1024);
        assertTrue(pace.visits(7, 100) > 0);
        assertEquals(0, pace.visits(7, 100));
    }

    @Test
    void ticksOfOneRoundShouldVisitEveryFlowAtLeastOnce() {
        AgingPace pace = new AgingPace(DEFAULTS, 1024);
        int round = pace.roundTicks();
        pace.visits(0, 0);
        long visited = 0;
        for (int t = 1; t <= round; t++) {
            visited += pace.visits(t, 123_457) - AgingPace.CLOSE_ALLOWANCE;
        }
        assertTrue(visited >= 123_457, "visited " + visited);
    }

    @Test
    void aLongSleepOrTheFirstCallShouldVisitOneRoundCappedByTheBudget() {
        AgingPace pace = new AgingPace(DEFAULTS, 1024);
        assertEquals(100 + AgingPace.CLOSE_ALLOWANCE, pace.visits(5, 100), "first call: the whole small table");
        assertEquals(300 + AgingPace.CLOSE_ALLOWANCE, pace.visits(5 + 100 * pace.roundTicks(), 300), "one round, not 100");
        assertEquals(1024, pace.visits(5 + 200 * pace.roundTicks(), 500_000), "the budget caps it");
        assertEquals(1024, pace.visits(-3, 500_000), "a clock that went back: one round, capped");
    }
}
