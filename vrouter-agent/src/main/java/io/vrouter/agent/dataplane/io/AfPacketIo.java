package io.vrouter.agent.dataplane.io;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PacketIo} of a guest port on a plain {@code AF_PACKET} socket bound to the interface
 * (packet(7)), without a ring: frames wait in the socket's receive queue, which holds kernel
 * memory only while frames wait in it.
 *
 * <h2>Why not a libpcap ring for guest ports</h2>
 * libpcap's immediate mode uses TPACKET_V2, whose slots all have the snap length, and a guest port
 * must take a guest's 64 KiB TSO/GSO super-frame whole: every slot is 64 KiB. Within a per-port
 * budget of 256 KiB that is 3 slots, and 3 frames are what one guest with a few TCP connections
 * sends within one wake-up of the dataplane thread: the 4th was dropped, and the guest waited for
 * its TCP retransmission (200 ms, a lost SYN 1 s). Measured (`benchmarks/dataplane/run.sh`): ~700
 * capture drops in 8 s and 120 requests/s with a new connection per request. A socket's receive
 * queue is bounded in bytes actually queued (the skb's true size, so ~100 small frames or a few
 * super-frames in {@value #DEFAULT_RCVBUF_BYTES} bytes, doubled by the kernel), and costs nothing
 * while the port is idle; one {@code recvmmsg} per batch of frames is the price.
 *
 * <h2>Set-up</h2>
 * The socket is made with protocol 0 (it receives nothing yet), gets its filter (a shared-mode
 * port: only link-local frames, in the kernel), {@code PACKET_IGNORE_OUTGOING} (inbound only: a
 * frame it sends is not captured again; Linux 4.20), promiscuous membership (frames are addressed
 * to the agent's MAC, not the interface's) and its receive buffer, and only then is bound to the
 * interface and ETH_P_ALL: no frame of another interface or before the filter is ever queued.
 *
 * <p>Frames are received, up to {@value NativeFrame#BATCH} per system call ({@code recvmmsg}), into
 * native slots of {@link PacketIo#MAX_FRAME_LENGTH} bytes that every I/O of one
 * {@link NativeFrame} shares, and sent from its one send buffer: they are used by one thread (the
 * dataplane thread), and a port costs no buffer of its own. A frame longer than a slot
 * (impossible on Ethernet) is dropped and counted as a capture drop.
 */
public final class AfPacketIo extends DescriptorPacketIo {
    /** Receive queue asked per guest port (the kernel doubles it and charges each frame's true size). */
    public static final int DEFAULT_RCVBUF_BYTES = 512 << 10;

    private static final Logger LOG = LoggerFactory.getLogger(AfPacketIo.class);

    private final NativeFrame frame;
    private final Memory stats = new Memory(8);
    private final Memory statsLength = new Memory(4);
    private final AtomicLong drops = new AtomicLong();

    private AfPacketIo(String ifName, int fd, NativeFrame frame) {
        super(ifName, fd, LOG);
        this.frame = frame;
    }

    /**
     * The native buffers the I/Os of one thread share: {@value #BATCH} receive slots, taken by one
     * {@code recvmmsg} (no further call to learn the queue is empty), and one to send from, as a
     * frame may be sent while received ones still wait in their slots. Pages are resident only as
     * far as frames reached into them.
     */
    public static final class NativeFrame {
        /** Frames one system call receives at most. */
        public static final int BATCH = 8;
        final Memory slots = new Memory((long) BATCH * MAX_FRAME_LENGTH);
        final Memory headers = new Memory((long) BATCH * AfPacket.MMSGHDR_SIZE);
        final Memory iovecs = new Memory(16L * BATCH);
        final Memory tx = new Memory(MAX_FRAME_LENGTH);

        public NativeFrame() {
            AfPacket.messages(headers, iovecs, slots, BATCH, MAX_FRAME_LENGTH);
        }
    }

    /**
     * Opens {@code ifName} with its own frame buffer.
     *
     * @param filter a classic BPF socket filter ({code, jt, jf, k} rows; a non-zero return keeps
     *               the frame), or null for every frame
     * @throws PacketIoException when the interface does not exist, the process lacks CAP_NET_RAW,
     *                           or the kernel refuses an option
     */
    public static AfPacketIo open(String ifName, int[][] filter) {
        return open(ifName, filter == null ? null : CaptureFilter.classic(filter), new NativeFrame(), DEFAULT_RCVBUF_BYTES);
    }

    /** {@link #open(String, int[][])} with any {@link CaptureFilter} (null: every frame), sharing {@code frame} with the other I/Os of its thread. */
    public static AfPacketIo open(String ifName, CaptureFilter filter, NativeFrame frame, int rcvbufBytes) {
        if (AfPacket.unavailabilityCause() != null) {
            throw new PacketIoException("cannot open " + ifName + ": " + AfPacket.unavailabilityCause(),
                    AfPacket.unavailabilityCause());
        }
        int ifindex = AfPacket.if_nametoindex(ifName);
        if (ifindex == 0) {
            throw new PacketIoException("cannot open " + ifName + ": no such interface");
        }
        int fd = AfPacket.socket(AfPacket.AF_PACKET, AfPacket.SOCK_RAW | AfPacket.SOCK_NONBLOCK | AfPacket.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new PacketIoException("cannot open " + ifName + ": packet socket refused, errno "
                    + Native.getLastError() + " (CAP_NET_RAW needed)");
        }
        try {
            if (filter != null && filter.classic() != null) {
                Memory insns = new Memory(8L * filter.classic().length);
                option(fd, ifName, AfPacket.SOL_SOCKET, AfPacket.SO_ATTACH_FILTER, AfPacket.filter(filter.classic(), insns), 16,
                        "capture filter");
            } else if (filter != null) {
                option(fd, ifName, AfPacket.SOL_SOCKET, AfPacket.SO_ATTACH_BPF, intValue(filter.programFd()), 4,
                        "eBPF capture filter");
            }
            option(fd, ifName, AfPacket.SOL_PACKET, AfPacket.PACKET_IGNORE_OUTGOING, intValue(1), 4,
                    "inbound only (PACKET_IGNORE_OUTGOING, Linux 4.20)");
            option(fd, ifName, AfPacket.SOL_PACKET, AfPacket.PACKET_ADD_MEMBERSHIP, AfPacket.promiscuous(ifindex), 16,
                    "promiscuous mode");
            if (AfPacket.setsockopt(fd, AfPacket.SOL_SOCKET, AfPacket.SO_RCVBUFFORCE, intValue(rcvbufBytes), 4) != 0) {
                option(fd, ifName, AfPacket.SOL_SOCKET, AfPacket.SO_RCVBUF, intValue(rcvbufBytes), 4, "receive buffer");
            }
            if (AfPacket.bind(fd, AfPacket.sockaddrLl(ifindex), 20) != 0) {
                throw new PacketIoException("cannot open " + ifName + ": bind failed, errno " + Native.getLastError());
            }
        } catch (RuntimeException e) {
            AfPacket.close(fd);
            throw e;
        }
        return new AfPacketIo(ifName, fd, frame);
    }

    private static Memory intValue(int v) {
        Memory m = new Memory(4);
        m.setInt(0, v);
        return m;
    }

    private static void option(int fd, String ifName, int level, int name, Memory value, int length, String what) {
        if (AfPacket.setsockopt(fd, level, name, value, length) != 0) {
            throw new PacketIoException("cannot open " + ifName + ": " + what + " refused, errno " + Native.getLastError());
        }
    }

    @Override
    public int receive(byte[] buffer, FrameReceiver receiver, int maxFrames) {
        if (closed) {
            return FAILED;
        }
        int n = 0;
        while (n < maxFrames) {
            int want = Math.min(NativeFrame.BATCH, maxFrames - n);
            int got = AfPacket.recvmmsg(fd, frame.headers, want, AfPacket.MSG_DONTWAIT | AfPacket.MSG_TRUNC, null);
            if (got < 0) {
                int errno = Native.getLastError();
                if (errno == AfPacket.EAGAIN || errno == AfPacket.EINTR) {
                    break;
                }
                if (errno == AfPacket.ENETDOWN) { // reported once; capture resumes when it is up again
                    LOG.warn("{} went down: no frames until it is up", ifName);
                    break;
                }
                if (!closed) {
                    LOG.error("capture on {} failed, it delivers no more frames: errno {}", ifName, errno);
                }
                return n > 0 ? n : FAILED;
            }
            for (int i = 0; i < got; i++) {
                n += deliver(i, buffer, receiver);
            }
            if (got < want) {
                break; // the queue is empty: no call to hear so
            }
        }
        return n;
    }

    /** Hands slot {@code i}'s frame to {@code receiver}: 1, or 0 for one too long to take. */
    private int deliver(int i, byte[] buffer, FrameReceiver receiver) {
        long len = frame.headers.getInt((long) i * AfPacket.MMSGHDR_SIZE + AfPacket.MSG_LEN_OFFSET) & 0xFFFF_FFFFL;
        if (len > MAX_FRAME_LENGTH) {
            drops.incrementAndGet(); // cut by the slot: never delivered half
            return 0;
        }
        int length = (int) Math.min(len, buffer.length);
        frame.slots.read((long) i * MAX_FRAME_LENGTH, buffer, 0, length);
        deliver(receiver, buffer, length);
        return 1;
    }

    @Override
    public boolean send(byte[] f, int length) {
        if (closed || length > MAX_FRAME_LENGTH) {
            return false;
        }
        frame.tx.write(0, f, 0, length);
        if (AfPacket.send(fd, frame.tx, length, 0) == length) {
            return true;
        }
        return sendFailed(length, "errno " + Native.getLastError());
    }

    /** Frames the kernel dropped because the receive queue was full, and frames too long to take. */
    @Override
    public synchronized long captureDrops() {
        if (!closed) {
            statsLength.setInt(0, 8);
            if (AfPacket.getsockopt(fd, AfPacket.SOL_PACKET, AfPacket.PACKET_STATISTICS, stats, statsLength) == 0) {
                drops.addAndGet(stats.getInt(4) & 0xFFFF_FFFFL); // the kernel resets them on each read
            }
        }
        return drops.get();
    }

    @Override
    void release() {
        AfPacket.close(fd);
    }
}
