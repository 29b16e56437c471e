package io.vrouter.agent.dataplane.io;

/**
 * Frame-level I/O on one network interface: capture of frames arriving from the interface's
 * peer (inbound only, so frames this I/O sends are never seen again) and injection of frames
 * towards the peer.
 *
 * <p>Implementations: {@link AfPacketIo} (a packet socket: guest ports), {@link PcapPacketIo}
 * (libpcap through pcap4j: the vhost; both non-blocking, their socket
 * watched by a {@link FrameSelector}) and {@link MemoryPacketIo} (tests feed frames and read what
 * was sent). The contract test {@code PacketIoContract} runs against all three.
 *
 * <p>Thread model: no I/O owns a thread. One thread at a time (the dataplane thread) calls
 * {@link #receive} and {@link #send}; it learns when to call {@link #receive} from
 * {@link #selectableFd()} or, for an I/O without one, from the wake-up given to {@link #start}.
 * Captured frames wait in the I/O's own bounded buffer (the kernel ring for pcap) until taken;
 * beyond it they are dropped and counted in {@link #captureDrops()}. {@link #close} may be called
 * from any thread, more than once, but not while a {@link #receive} on the same I/O is running.
 */
public interface PacketIo extends AutoCloseable {
    /**
     * The largest frame an I/O delivers: the largest IPv4 datagram in an 802.1Q-tagged Ethernet
     * frame (a guest's TSO/GSO super-frame can be one). A {@link #receive} buffer this long never
     * cuts a frame.
     */
    int MAX_FRAME_LENGTH = 65535 + 18;

    /** {@link #receive}: the capture failed for good (interface gone); the I/O delivers nothing more. */
    int FAILED = -1;

    /** The interface this I/O is bound to. */
    String interfaceName();

    /**
     * A file descriptor that polls readable (level-triggered) while captured frames wait, for
     * epoll; or -1 when this I/O has none and runs the wake-up given to {@link #start} instead.
     */
    int selectableFd();

    /**
     * Called once, before the first {@link #receive}. An I/O without a {@link #selectableFd()}
     * runs {@code wakeup} (on any thread) after each frame it captures; the others ignore it.
     */
    void start(Runnable wakeup);

    /**
     * Delivers up to {@code maxFrames} frames already captured, without blocking, each copied to
     * the start of {@code buffer} (a frame longer than the buffer is cut to its length).
     *
     * @return frames delivered (0 when none waits), or {@link #FAILED}
     */
    int receive(byte[] buffer, FrameReceiver receiver, int maxFrames);

    /**
     * Sends {@code length} bytes of {@code frame} (from index 0) out of the interface.
     *
     * @return false when the frame could not be sent (interface gone, buffer full, closed); the
     *         caller counts it
     */
    boolean send(byte[] frame, int length);

    /** Frames captured but dropped before {@link #receive} took them (buffer full), where known. */
    long captureDrops();

    /** Stops capture and releases the interface; idempotent. */
    @Override
    void close();
}
