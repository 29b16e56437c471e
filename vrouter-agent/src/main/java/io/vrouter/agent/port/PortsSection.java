package io.vrouter.agent.port;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * {@code /stats/ports}: the port table's counters.
 *
 * @param ports         ports in the table
 * @param indexCapacity how many ports the index allocator can hold
 * @param added         port-IPC adds accepted (replays included)
 * @param removed       ports removed
 * @param rejected      port-IPC requests refused
 * @param storeFailures port files that could not be written or deleted
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PortsSection(int ports, int indexCapacity, long added, long removed, long rejected, long storeFailures) {
}
