package io.vrouter.agent.dataplane.io;

/**
 * Receives the frames a {@link PacketIo} captures. Called on the I/O's own capture thread, one
 * frame at a time; must not block (hand the frame to a queue).
 */
@FunctionalInterface
public interface FrameReceiver {
    /**
     * One received Ethernet frame (no FCS). Ownership of {@code frame} passes to the receiver:
     * the I/O never touches the array again, so it can be queued and rewritten in place.
     *
     * @param frame  the frame bytes, starting at index 0
     * @param length the frame length, {@code <= frame.length}
     */
    void onFrame(byte[] frame, int length);
}
