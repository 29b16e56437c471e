package io.vrouter.agent.dataplane.io;

/**
 * Frame-level I/O on one network interface: capture of frames arriving from the interface's
 * peer (inbound only, so frames this I/O sends are never seen again) and injection of frames
 * towards the peer.
 *
 * <p>Implementations: {@link PcapPacketIo} (libpcap through pcap4j, a capture thread per
 * interface) and {@link MemoryPacketIo} (tests feed frames and read what was sent).
 *
 * <p>Thread model: {@link #start} is called once; the receiver then runs on the I/O's thread
 * (or the feeding test's thread for the in-memory one). {@link #send} is called by one thread at
 * a time (the dataplane thread). {@link #close} may be called from any thread, more than once.
 */
public interface PacketIo extends AutoCloseable {
    /** The interface this I/O is bound to. */
    String interfaceName();

    /** Starts delivering captured frames to {@code receiver}. */
    void start(FrameReceiver receiver);

    /**
     * Sends {@code length} bytes of {@code frame} (from index 0) out of the interface.
     *
     * @return false when the frame could not be sent (interface gone, buffer full, closed); the
     *         caller counts it
     */
    boolean send(byte[] frame, int length);

    /** Frames the capture could not deliver or the kernel reported dropped, where known. */
    long captureDrops();

    /** Stops capture and releases the interface; idempotent. */
    @Override
    void close();
}
