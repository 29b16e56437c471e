package io.vrouter.plumbing.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SettingRangeTest {
    @Test
    void aValueWithinTheRangeShouldBeReturnedIncludingBothBounds() {
        assertEquals(1, SettingRange.require("rxBatch", 1, 1, 64));
        assertEquals(64, SettingRange.require("rxBatch", 64, 1, 64));
        assertEquals(3_600_000L, SettingRange.require("timeoutMs", 3_600_000L, 1L, 3_600_000L));
    }

    @Test
    void aValueOutsideShouldBeRefusedNamingTheSettingTheRangeAndTheValue() {
        IllegalArgumentException low = assertThrows(IllegalArgumentException.class,
                () -> SettingRange.require("rxBatch", 0, 1, 65536));
        assertEquals("rxBatch must be in [1, 65536], got 0", low.getMessage());
        IllegalArgumentException high = assertThrows(IllegalArgumentException.class,
                () -> SettingRange.require("port", 70000L, 0L, 65535L));
        assertEquals("port must be in [0, 65535], got 70000", high.getMessage());
    }

    @Test
    void intExtremesShouldNotOverflowTheCheck() {
        assertEquals(Integer.MAX_VALUE, SettingRange.require("ageBudget", Integer.MAX_VALUE, 1, Integer.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> SettingRange.require("ageBudget", Integer.MIN_VALUE, 1, 10));
    }
}
