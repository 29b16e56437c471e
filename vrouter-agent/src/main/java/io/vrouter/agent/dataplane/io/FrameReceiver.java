package io.vrouter.agent.dataplane.io;

/**
 * Takes the frames a {@link PacketIo#receive} call delivers, on the calling thread, one at a time.
 */
@FunctionalInterface
public interface FrameReceiver {
    /**
     * One received Ethernet frame (no FCS), in the buffer the caller passed to
     * {@link PacketIo#receive}. The bytes are valid only until this call returns: the next frame
     * is written over them. A receiver may rewrite them in place and send them on; one that keeps
     * a frame (a packet held until its flow is set up) copies the {@code length} bytes.
     *
     * @param frame  the caller's buffer, the frame starting at index 0
     * @param length the frame length, {@code <= frame.length}
     */
    void onFrame(byte[] frame, int length);
}
