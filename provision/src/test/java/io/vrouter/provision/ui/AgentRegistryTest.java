package io.vrouter.provision.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentRegistryTest {
    private static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final MovableClock clock = new MovableClock();
    private final AgentRegistry registry = new AgentRegistry(clock, Duration.ofSeconds(30));

    @Test
    void aNodeBecomesStaleOnlyAfterItsHoldPlusTheGraceWithoutAWatch() {
        registry.record("compute-1", 4, "10.0.0.1", 30);
        AgentRegistry.Agent a = registry.agents().get(0);
        clock.now = clock.now.plusSeconds(60);
        assertFalse(registry.isStale(a), "a parked watch plus the retry allowance");
        clock.now = clock.now.plusSeconds(1);
        assertTrue(registry.isStale(a));
        registry.record("compute-1", 5, "10.0.0.1", 30);
        AgentRegistry.Agent again = registry.agents().get(0);
        assertFalse(registry.isStale(again));
        assertEquals(5, again.revision());
    }

    @Test
    void nodesAreListedByNameAndTheLatestReportWins() {
        registry.record("compute-2", 3, "10.0.0.2", 30);
        registry.record("compute-1", 2, "10.0.0.1", 30);
        registry.record("compute-2", 7, "10.0.0.9", 30);
        List<AgentRegistry.Agent> all = registry.agents();
        assertEquals(List.of("compute-1", "compute-2"), all.stream().map(AgentRegistry.Agent::node).toList());
        assertEquals(7, all.get(1).revision());
        assertEquals("10.0.0.9", all.get(1).address());
    }

    @Test
    void beyondTheLimitTheNodeHeardFromLongestAgoIsForgotten() {
        for (int i = 0; i < AgentRegistry.MAX_NODES; i++) {
            registry.record("n" + i, 1, "", 30);
            clock.now = clock.now.plusMillis(1);
        }
        registry.record("newcomer", 1, "", 30);
        List<AgentRegistry.Agent> all = registry.agents();
        assertEquals(AgentRegistry.MAX_NODES, all.size());
        assertFalse(all.stream().anyMatch(a -> a.node().equals("n0")));
        assertTrue(all.stream().anyMatch(a -> a.node().equals("newcomer")));
    }
}
