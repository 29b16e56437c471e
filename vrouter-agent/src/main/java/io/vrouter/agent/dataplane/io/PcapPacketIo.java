package io.vrouter.agent.dataplane.io;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.io.EOFException;
import java.util.concurrent.TimeoutException;
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
 * direction IN (frames this handle injects are not captured again), and a daemon capture thread
 * {@code pcap-rx-<if>} that hands every frame to the receiver.
 *
 * <p>The capture thread calls libpcap's {@code pcap_next_ex} directly ({@link PcapNextEx}, with
 * references it reuses; pcap4j's own call, which allocates native memory per frame, when that is
 * unavailable) and copies each frame into a fresh {@code byte[]} that is passed on as-is
 * (ownership moves to the receiver). The handle is closed only after the capture thread stopped.
 *
 * <table>
 * <caption>Limits</caption>
 * <tr><th>limit</th><th>default</th><th>why</th></tr>
 * <tr><td>snap length</td><td>{@value #DEFAULT_SNAPLEN}</td><td>a whole frame of any size; a
 * frame cut short is recognised by the dataplane as truncated</td></tr>
 * <tr><td>kernel buffer</td><td>{@value #DEFAULT_BUFFER_BYTES} bytes per guest port,
 * {@value #DEFAULT_VHOST_BUFFER_BYTES} on the vhost</td><td>absorbs bursts (50 guests booting)
 * while the dataplane thread catches up</td></tr>
 * <tr><td>read timeout</td><td>{@value #DEFAULT_READ_TIMEOUT_MS} ms</td><td>bounds how long
 * {@link #close} waits for the capture thread</td></tr>
 * </table>
 */
public final class PcapPacketIo implements PacketIo {
    /** The largest IPv4 datagram (a guest's TSO/GSO super-frame can be one) in a tagged Ethernet frame. */
    public static final int DEFAULT_SNAPLEN = 65535 + 18;
    public static final int DEFAULT_BUFFER_BYTES = 2 << 20;
    /** The vhost agent end carries every guest's traffic: a bigger buffer for boot storms. */
    public static final int DEFAULT_VHOST_BUFFER_BYTES = 16 << 20;
    public static final int DEFAULT_READ_TIMEOUT_MS = 200;

    private static final Logger LOG = LoggerFactory.getLogger(PcapPacketIo.class);

    private final String ifName;
    private final PcapHandle handle;
    private final AtomicLong sendFailures = new AtomicLong();
    private volatile boolean closed;
    private volatile Thread thread;

    private PcapPacketIo(String ifName, PcapHandle handle) {
        this.ifName = ifName;
        this.handle = handle;
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
            return PcapSupport.isAvailable() ? null : "libpcap unavailable: " + PcapSupport.unavailabilityCause();
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
        } catch (PcapNativeException | NotOpenException | RuntimeException e) {
            h.close();
            throw new PacketIoException("cannot capture inbound only on " + ifName + ": " + e.getMessage(), e);
        }
        if (filter != null) {
            try {
                h.setFilter(filter, BpfProgram.BpfCompileMode.OPTIMIZE);
            } catch (PcapNativeException | NotOpenException | RuntimeException e) {
                h.close();
                throw new PacketIoException("cannot set capture filter on " + ifName + ": " + e.getMessage(), e);
            }
        }
        return new PcapPacketIo(ifName, h);
    }

    @Override
    public String interfaceName() {
        return ifName;
    }

    @Override
    public synchronized void start(FrameReceiver receiver) {
        if (thread != null) {
            throw new IllegalStateException(ifName + " already started");
        }
        Thread t = new Thread(() -> captureLoop(receiver), "pcap-rx-" + ifName);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    private void captureLoop(FrameReceiver receiver) {
        Pointer pcapT = PcapNextEx.isAvailable() ? PcapNextEx.pcapT(handle) : null;
        if (pcapT != null) {
            directCaptureLoop(receiver, pcapT);
        } else {
            if (!PcapNextEx.isAvailable()) {
                LOG.debug("capture on {} through pcap4j: {}", ifName, PcapNextEx.unavailabilityCause());
            }
            pcap4jCaptureLoop(receiver);
        }
    }

    /** The capture loop on {@link PcapNextEx}: no allocation per frame but the frame's array. */
    private void directCaptureLoop(FrameReceiver receiver, Pointer pcapT) {
        PointerByReference header = new PointerByReference();
        PointerByReference data = new PointerByReference();
        while (!closed) {
            int rc = PcapNextEx.pcap_next_ex(pcapT, header, data);
            if (rc == PcapNextEx.TIMEOUT) {
                continue;
            }
            if (rc != PcapNextEx.OK) {
                if (rc != PcapNextEx.BREAK && !closed) {
                    LOG.error("capture on {} failed, stopping its capture: {}", ifName, PcapNextEx.pcap_geterr(pcapT));
                }
                break;
            }
            int caplen = PcapNextEx.caplen(header.getValue());
            byte[] frame = data.getValue().getByteArray(0, caplen);
            deliver(receiver, frame);
        }
    }

    private void pcap4jCaptureLoop(FrameReceiver receiver) {
        while (!closed) {
            byte[] frame;
            try {
                frame = handle.getNextRawPacketEx();
            } catch (TimeoutException e) {
                continue;
            } catch (EOFException e) {
                break; // breakLoop() from close()
            } catch (NotOpenException e) {
                break;
            } catch (PcapNativeException e) {
                if (!closed) {
                    LOG.error("capture on {} failed, stopping its capture: {}", ifName, e.getMessage());
                }
                break;
            }
            deliver(receiver, frame);
        }
    }

    private void deliver(FrameReceiver receiver, byte[] frame) {
        try {
            receiver.onFrame(frame, frame.length);
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

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            handle.breakLoop();
        } catch (NotOpenException | RuntimeException e) {
            // already closed
        }
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(DEFAULT_READ_TIMEOUT_MS * 5L);
                if (t.isAlive()) {
                    t.join(DEFAULT_READ_TIMEOUT_MS * 20L);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                // The capture thread may be inside pcap_next_ex on this pcap_t: freeing it now
                // could crash the process. Leak the handle instead (never seen: the read timeout
                // and pcap_breakloop end the call).
                LOG.warn("capture thread of {} did not stop; its pcap handle is left open", ifName);
                return;
            }
        }
        handle.close();
    }

    @Override
    public String toString() {
        return "PcapPacketIo[" + ifName + "]";
    }
}
