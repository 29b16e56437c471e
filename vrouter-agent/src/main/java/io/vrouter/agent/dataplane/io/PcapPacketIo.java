package io.vrouter.agent.dataplane.io;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.util.concurrent.atomic.AtomicLong;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.PcapStat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PacketIo} on libpcap (pcap4j): one handle per interface, opened in immediate mode with
 * direction IN (frames this handle injects are not captured again) and non-blocking, with no
 * thread of its own: its capture socket ({@link #selectableFd()}) is watched by the dataplane
 * thread's {@link FrameSelector}, which calls {@link #receive} when frames wait.
 *
 * <p>{@link #receive} calls libpcap's {@code pcap_next_ex} directly ({@link PcapNextEx}, with
 * references it reuses; pcap4j's own call, which allocates per frame, when that is unavailable)
 * and copies each frame into the caller's buffer: no allocation per frame.
 *
 * <h2>Memory per port</h2>
 * libpcap captures into a kernel ring mapped into the process (TPACKET_V2: immediate mode rules
 * out V3's blocks, which are handed over only when full or after a timeout). V2 slots have one
 * fixed size: the snap length, capped by libpcap at the MTU + 18 when the interface has no
 * segmentation offload, at 65,553 when it has (a veth or tap: a guest's GSO super-frame arrives
 * whole), plus 68 bytes of header, rounded up to a power-of-two block. With pcap's usual snap
 * length one frame took a 128 KiB block and the old 2 MiB buffer a 4 MiB ring. Here:
 * <table>
 * <caption>Limits</caption>
 * <tr><th>limit</th><th>value</th><th>why</th></tr>
 * <tr><td>snap length</td><td>{@value #DEFAULT_SNAPLEN}</td><td>68 + 65,468 fills a 64 KiB block
 * exactly. Every frame a guest's TCP hands over fits (Linux keeps GSO frames to 64 KiB minus its
 * header reserve: at most ~65,400 bytes); a longer one (an IPv4 datagram over 65,454 bytes) is
 * cut, and the dataplane drops it as truncated</td></tr>
 * <tr><td>guest port ring</td><td>{@value #DEFAULT_BUFFER_BYTES} bytes asked: 3 slots of 64 KiB
 * (192 KiB) with offload, 102 slots of 1,600 bytes (204 KiB) at MTU 1500 without</td><td>the
 * per-port budget of 256 KiB with libpcap's copy buffer (below); a guest's link-local traffic is
 * a few frames per request, and the dataplane thread takes them within microseconds of their
 * arrival</td></tr>
 * <tr><td>libpcap copy buffer</td><td>snap length, {@code malloc}'d per handle</td><td>{@code
 * pcap_next_ex} copies the frame out of the ring into it; resident only as far as the largest
 * frame seen (4 KiB for a guest that sends no super-frames)</td></tr>
 * <tr><td>vhost ring</td><td>{@value #DEFAULT_VHOST_BUFFER_BYTES} bytes (256 slots)</td><td>one
 * interface carries every guest's replies: boot storms</td></tr>
 * </table>
 * A burst beyond the ring (more frames than slots before the dataplane thread reads them) is
 * dropped by the kernel and counted: {@link #captureDrops()}, per port in the dataplane's stats.
 * The guest's TCP retransmits; other guests are not affected (each has its own ring).
 */
public final class PcapPacketIo implements PacketIo {
    /** 65,536 minus the 68 bytes libpcap puts before the frame in a TPACKET_V2 slot. */
    public static final int DEFAULT_SNAPLEN = 65536 - 68;
    public static final int DEFAULT_BUFFER_BYTES = 160 << 10;
    /** The vhost agent end carries every guest's traffic: a bigger buffer for boot storms. */
    public static final int DEFAULT_VHOST_BUFFER_BYTES = 16 << 20;
    /** Only bounds a blocking read, which this I/O never does (it is non-blocking). */
    public static final int DEFAULT_READ_TIMEOUT_MS = 200;

    private static final Logger LOG = LoggerFactory.getLogger(PcapPacketIo.class);

    private final String ifName;
    private final PcapHandle handle;
    /** The pcap_t for {@link PcapNextEx}; null: pcap4j's call is used. */
    private final Pointer pcapT;
    private final int fd;
    private final PointerByReference header = new PointerByReference();
    private final PointerByReference data = new PointerByReference();
    private final AtomicLong sendFailures = new AtomicLong();
    private volatile boolean closed;
    private boolean started;

    private PcapPacketIo(String ifName, PcapHandle handle, Pointer pcapT, int fd) {
        this.ifName = ifName;
        this.handle = handle;
        this.pcapT = pcapT;
        this.fd = fd;
    }

    /** The factory for production: guest ports with the defaults, the vhost with {@value #DEFAULT_VHOST_BUFFER_BYTES} bytes. */
    public static PacketIoFactory factory() {
        return new Factory(DEFAULT_BUFFER_BYTES, DEFAULT_VHOST_BUFFER_BYTES);
    }

    /** A factory opening interfaces with a kernel capture buffer of {@code bufferBytes}. */
    public static PacketIoFactory factory(int bufferBytes) {
        return new Factory(bufferBytes, bufferBytes);
    }

    /** Opens pcap handles with the given kernel buffers; unavailable without libpcap. */
    private record Factory(int bufferBytes, int vhostBufferBytes) implements PacketIoFactory {
        @Override
        public PacketIo open(String interfaceName) {
            return PcapPacketIo.open(interfaceName, bufferBytes);
        }

        @Override
        public PacketIo open(String interfaceName, String captureFilter) {
            return PcapPacketIo.open(interfaceName, bufferBytes, captureFilter);
        }

        @Override
        public PacketIo openVhost(String interfaceName) {
            return PcapPacketIo.open(interfaceName, vhostBufferBytes);
        }

        @Override
        public String unavailabilityCause() {
            if (!PcapSupport.isAvailable()) {
                return "libpcap unavailable: " + PcapSupport.unavailabilityCause();
            }
            return PcapNextEx.isAvailable() ? null : "libpcap's pcap_get_selectable_fd unavailable: "
                    + PcapNextEx.unavailabilityCause();
        }
    }

    /**
     * Opens {@code ifName} for capture (inbound only) and injection.
     *
     * @throws PacketIoException when libpcap is unavailable, the interface does not exist or the
     *                           process lacks CAP_NET_RAW
     */
    public static PcapPacketIo open(String ifName) {
        return open(ifName, DEFAULT_BUFFER_BYTES);
    }

    /** {@link #open(String)} with a kernel capture buffer of {@code bufferBytes} (64 KiB-256 MiB). */
    public static PcapPacketIo open(String ifName, int bufferBytes) {
        return open(ifName, bufferBytes, null);
    }

    /** {@link #open(String, int)} capturing only what {@code filter} (libpcap syntax; null: all) matches. */
    public static PcapPacketIo open(String ifName, int bufferBytes, String filter) {
        if (bufferBytes < (64 << 10) || bufferBytes > (256 << 20)) {
            throw new IllegalArgumentException("pcap buffer must be 64 KiB-256 MiB, got " + bufferBytes);
        }
        PcapSupport.ensureLoaded();
        if (!PcapNextEx.isAvailable()) {
            throw new PacketIoException("cannot open " + ifName + ": libpcap's pcap_get_selectable_fd unavailable: "
                    + PcapNextEx.unavailabilityCause(), PcapNextEx.unavailabilityCause());
        }
        PcapHandle h;
        try {
            h = new PcapHandle.Builder(ifName)
                    .snaplen(DEFAULT_SNAPLEN)
                    .promiscuousMode(PromiscuousMode.PROMISCUOUS)
                    .immediateMode(true)
                    .timeoutMillis(DEFAULT_READ_TIMEOUT_MS)
                    .bufferSize(bufferBytes)
                    .build();
        } catch (PcapNativeException | RuntimeException e) {
            throw new PacketIoException("cannot open " + ifName + " for capture: " + e.getMessage(), e);
        }
        try {
            h.setDirection(PcapHandle.PcapDirection.IN);
            h.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
        } catch (PcapNativeException | NotOpenException | RuntimeException e) {
            h.close();
            throw new PacketIoException("cannot capture inbound only, non-blocking on " + ifName + ": "
                    + e.getMessage(), e);
        }
        if (filter != null) {
            try {
                h.setFilter(filter, BpfProgram.BpfCompileMode.OPTIMIZE);
            } catch (PcapNativeException | NotOpenException | RuntimeException e) {
                h.close();
                throw new PacketIoException("cannot set capture filter on " + ifName + ": " + e.getMessage(), e);
            }
        }
        Pointer pcapT = PcapNextEx.pcapT(h);
        int fd = pcapT == null ? -1 : PcapNextEx.pcap_get_selectable_fd(pcapT);
        if (fd < 0) {
            h.close();
            throw new PacketIoException("cannot open " + ifName + ": libpcap gives no selectable descriptor");
        }
        return new PcapPacketIo(ifName, h, pcapT, fd);
    }

    @Override
    public String interfaceName() {
        return ifName;
    }

    @Override
    public int selectableFd() {
        return fd;
    }

    @Override
    public synchronized void start(Runnable wakeup) {
        if (started) {
            throw new IllegalStateException(ifName + " already started");
        }
        started = true; // the kernel wakes the selector: nothing to keep
    }

    @Override
    public int receive(byte[] buffer, FrameReceiver receiver, int maxFrames) {
        if (closed) {
            return FAILED;
        }
        int n = 0;
        while (n < maxFrames) {
            int rc = PcapNextEx.pcap_next_ex(pcapT, header, data);
            if (rc == PcapNextEx.TIMEOUT) {
                break;
            }
            if (rc != PcapNextEx.OK) {
                if (!closed) {
                    LOG.error("capture on {} failed, it delivers no more frames: {}", ifName,
                            PcapNextEx.pcap_geterr(pcapT));
                }
                return n > 0 ? n : FAILED;
            }
            int len = Math.min(PcapNextEx.caplen(header.getValue()), buffer.length);
            data.getValue().read(0, buffer, 0, len);
            n++;
            deliver(receiver, buffer, len);
        }
        return n;
    }

    private void deliver(FrameReceiver receiver, byte[] buffer, int len) {
        try {
            receiver.onFrame(buffer, len);
        } catch (RuntimeException e) {
            LOG.error("frame receiver for {} threw; frame dropped", ifName, e);
        }
    }

    @Override
    public boolean send(byte[] frame, int length) {
        if (closed) {
            return false;
        }
        try {
            handle.sendPacket(frame, length);
            return true;
        } catch (PcapNativeException | NotOpenException e) {
            if (sendFailures.getAndIncrement() == 0 || LOG.isDebugEnabled()) {
                LOG.warn("send on {} failed ({} bytes): {}", ifName, length, e.getMessage());
            }
            return false;
        }
    }

    /** Sends that failed since open. */
    public long sendFailures() {
        return sendFailures.get();
    }

    /** Frames the kernel dropped because the ring was full (and any the interface dropped). */
    @Override
    public long captureDrops() {
        if (closed) {
            return 0;
        }
        try {
            PcapStat s = handle.getStats();
            return s.getNumPacketsDropped() + s.getNumPacketsDroppedByIf();
        } catch (PcapNativeException | NotOpenException | RuntimeException e) {
            return 0;
        }
    }

    /** Closes the handle (its socket, ring and copy buffer); not while {@link #receive} runs. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        handle.close();
    }

    @Override
    public String toString() {
        return "PcapPacketIo[" + ifName + "]";
    }
}
