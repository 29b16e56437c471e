package io.vrouter.agent.dataplane;

/**
 * Counters of one port, for introspect.
 *
 * @param portId         port UUID
 * @param systemName     host-side interface
 * @param interfaceIndex the flow key's interface id
 * @param rxFrames       frames received from the guest
 * @param txFrames       frames sent to the guest
 * @param drops          frames from the guest the dataplane dropped (any reason)
 * @param flows          flows owned by the port (forward and reverse)
 * @param rxBytes        bytes of the frames received
 * @param txBytes        bytes of the frames sent
 * @param rxErrors       frames from the guest its capture socket dropped, full in a burst
 *                       ({@link io.vrouter.agent.dataplane.io.PcapPacketIo}'s sizing)
 * @param txErrors       frames that could not be sent to the guest
 */
public record PortStats(String portId, String systemName, int interfaceIndex, long rxFrames, long txFrames,
                        long drops, int flows, long rxBytes, long txBytes, long rxErrors, long txErrors) {
}
