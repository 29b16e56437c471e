package io.vrouter.agent.dataplane.io;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
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
 * and copies each frame into the caller's buffer; {@link #send} calls {@code pcap_sendpacket} on a
 * native buffer holding only the frame's bytes: no allocation per frame.
 *
 * <p>The agent uses it for the vhost agent end ({@link HostPacketIoFactory}), which carries every
 * guest's link-local traffic: there a mapped ring, read without a system call per frame, pays
 * for its memory. Guest ports use {@link AfPacketIo} (why: there).
 *
 * <h2>Ring</h2>
 * libpcap captures into a kernel ring mapped into the process (TPACKET_V2: immediate mode rules
 * out V3's blocks, which are handed over only when full or after a timeout). V2 slots have one
 * fixed size: the snap length, capped by libpcap at the MTU + 18 when the interface has no
 * segmentation offload, at 65,553 when it has (a veth or tap), plus 68 bytes of header, rounded
 * up to a power-of-two block.
 * <table>
 * <caption>Limits</caption>
 * <tr><th>limit</th><th>value</th><th>why</th></tr>
 * <tr><td>snap length</td><td>{@value #DEFAULT_SNAPLEN}</td><td>68 + 65,468 fills a 64 KiB block
 * exactly; a longer frame (an IPv4 datagram over 65,454 bytes) is cut, and the dataplane drops
 * it as truncated</td></tr>
 * <tr><td>vhost ring</td><td>{@value #DEFAULT_VHOST_BUFFER_BYTES} bytes (256 slots of 64 KiB)</td><td>one interface carries
 * every guest's replies: boot storms</td></tr>
 * <tr><td>{@link #open(String)}</td><td>{@value #DEFAULT_BUFFER_BYTES} bytes</td><td>tests' peers</td></tr>
 * <tr><td>libpcap copy buffer</td><td>snap length, {@code malloc}'d per handle</td><td>{@code
 * pcap_next_ex} copies the frame out of the ring into it</td></tr>
 * </table>
 * A burst beyond the ring is dropped by the kernel and counted: {@link #captureDrops()}.
 */
public final class PcapPacketIo extends DescriptorPacketIo {
    /** 65,536 minus the 68 bytes libpcap puts before the frame in a TPACKET_V2 slot. */
    public static final int DEFAULT_SNAPLEN = 65536 - 68;
    public static final int DEFAULT_BUFFER_BYTES = 160 << 10;
    /** The vhost agent end carries every guest's traffic: a bigger buffer for boot storms. */
    public static final int DEFAULT_VHOST_BUFFER_BYTES = 16 << 20;
    /** Only bounds a blocking read, which this I/O never does (it is non-blocking). */
    public static final int DEFAULT_READ_TIMEOUT_MS = 200;

    private static final Logger LOG = LoggerFactory.getLogger(PcapPacketIo.class);

    private final PcapHandle handle;
    /** The pcap_t for {@link PcapNextEx}; null: pcap4j's call is used. */
    private final Pointer pcapT;
    private final PointerByReference header = new PointerByReference();
    private final PointerByReference data = new PointerByReference();
    /** Frames are sent from here: only their length is copied. */
    private final Memory tx = new Memory(MAX_FRAME_LENGTH);

    private PcapPacketIo(String ifName, PcapHandle handle, Pointer pcapT, int fd) {
        super(ifName, fd, LOG);
        this.handle = handle;
        this.pcapT = pcapT;
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
        Pointer pcapT = PcapNextEx.pcapT(h);
        int fd = pcapT == null ? -1 : PcapNextEx.pcap_get_selectable_fd(pcapT);
        if (fd < 0) {
            h.close();
            throw new PacketIoException("cannot open " + ifName + ": libpcap gives no selectable descriptor");
        }
        return new PcapPacketIo(ifName, h, pcapT, fd);
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

    @Override
    public boolean send(byte[] frame, int length) {
        if (closed) {
            return false;
        }
        if (length > tx.size()) {
            return false;
        }
        tx.write(0, frame, 0, length);
        if (PcapNextEx.pcap_sendpacket(pcapT, tx, length) == 0) {
            return true;
        }
        return sendFailed(length, PcapNextEx.pcap_geterr(pcapT));
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

    /** The handle: its socket, ring and copy buffer. */
    @Override
    void release() {
        handle.close();
    }
}
