package io.vrouter.agent.dataplane.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.jna.Memory;
import org.junit.jupiter.api.Test;

/** The bpf(2) wrapper's batch call, where no privilege is needed to see it fail. */
class BpfTest {
    @Test
    void aBatchCallThatFailsBeforeAnyElementShouldReportNoneDone() {
        Memory keys = new Memory(2L * FastPathPrograms.KEY_SIZE);
        Memory values = new Memory(2L * FastPathPrograms.VALUE_SIZE);
        keys.clear();
        values.clear();
        // No such map (EBADF; EPERM without the privilege): the kernel leaves the count as asked,
        // which must not read as "both done" (an install would believe a pair it never wrote).
        assertEquals(0, Bpf.batch(Bpf.MAP_UPDATE_BATCH, Bpf.attr(), -1, keys, values, 2));
        assertEquals(0, Bpf.batch(Bpf.MAP_DELETE_BATCH, Bpf.attr(), -1, keys, null, 2));
    }
}
