package io.vrouter.agent.dataplane.io;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.lang.reflect.Field;
import org.pcap4j.core.PcapHandle;

/**
 * libpcap's {@code pcap_next_ex} called directly (JNA direct mapping), for the receive hot path,
 * and {@code pcap_get_selectable_fd}, which pcap4j does not offer. pcap4j's
 * {@code getNextRawPacketEx} allocates two {@code PointerByReference} (native {@code Memory},
 * freed by the finalizer, tracked in a synchronized {@code WeakHashMap}), takes the handle's read
 * lock and returns a fresh {@code byte[]} per frame; here each I/O reuses its two references and
 * the frame is copied into the caller's buffer, so a frame costs no allocation.
 *
 * <p>The {@code pcap_t} is read from the pcap4j handle once (its private {@code handle} field).
 * When that or the mapping is unavailable ({@link #isAvailable()} false, e.g. another pcap4j
 * version) {@link PcapPacketIo} keeps using pcap4j's call. Safety: the caller must not let the
 * handle be closed while a call is in progress: only the thread that receives closes it, or
 * another after that thread let go of the I/O (the dataplane detaches a port first).
 *
 * <pre>
 * struct pcap_pkthdr (LP64 Linux):
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                 ts.tv_sec  (native long)                      |
 * +---------------------------------------------------------------+
 * |                 ts.tv_usec (native long)                      |
 * +---------------------------------------------------------------+
 * |                 caplen (u32)                                  |
 * +---------------------------------------------------------------+
 * |                 len    (u32)                                  |
 * +---------------------------------------------------------------+
 * </pre>
 */
final class PcapNextEx {
    /** pcap_next_ex: a frame was read. */
    static final int OK = 1;
    /** pcap_next_ex: no frame waiting (non-blocking mode) or the read timeout expired. */
    static final int TIMEOUT = 0;
    /** pcap_next_ex: {@code pcap_breakloop} was called. */
    static final int BREAK = -2;
    /** Offset of {@code caplen} in {@code struct pcap_pkthdr}: after a struct timeval of two native longs. */
    static final int CAPLEN_OFFSET = 2 * Native.LONG_SIZE;

    private static final Field HANDLE_FIELD;
    private static final Throwable UNAVAILABILITY_CAUSE;

    static {
        Field f = null;
        Throwable cause = null;
        try {
            PcapSupport.ensureLoaded();
            String lib = System.getProperty(PcapSupport.LIB_NAME_PROPERTY, "pcap");
            Native.register(PcapNextEx.class, NativeLibrary.getInstance(lib));
            f = PcapHandle.class.getDeclaredField("handle");
            if (f.getType() != Pointer.class) {
                throw new IllegalStateException("PcapHandle.handle is a " + f.getType());
            }
            f.setAccessible(true);
        } catch (Throwable t) { // UnsatisfiedLinkError, NoSuchFieldException, InaccessibleObjectException ...
            cause = t;
            f = null;
        }
        HANDLE_FIELD = f;
        UNAVAILABILITY_CAUSE = cause;
    }

    private PcapNextEx() {
    }

    static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /** The {@code pcap_t} of an open pcap4j handle, or null when it cannot be read. */
    static Pointer pcapT(PcapHandle handle) {
        if (HANDLE_FIELD == null) {
            return null;
        }
        try {
            return (Pointer) HANDLE_FIELD.get(handle);
        } catch (IllegalAccessException | RuntimeException e) {
            return null;
        }
    }

    /** {@code caplen} of the {@code struct pcap_pkthdr} that {@link #pcap_next_ex} pointed {@code header} at. */
    static int caplen(Pointer header) {
        return header.getInt(CAPLEN_OFFSET);
    }

    /** libpcap: {@code int pcap_next_ex(pcap_t *, struct pcap_pkthdr **, const u_char **)}. */
    static native int pcap_next_ex(Pointer pcapT, PointerByReference header, PointerByReference data);

    /** libpcap: {@code int pcap_get_selectable_fd(pcap_t *)}: the capture socket, -1 when there is none. */
    static native int pcap_get_selectable_fd(Pointer pcapT);

    /**
     * libpcap: {@code int pcap_sendpacket(pcap_t *, const u_char *, int)}, from native memory: pcap4j's
     * mapping takes a Java array, which JNA copies whole (64 KiB for the dataplane's buffer) in and
     * back out on every call, under a lock.
     */
    static native int pcap_sendpacket(Pointer pcapT, Pointer buf, int size);

    /** libpcap: {@code char *pcap_geterr(pcap_t *)}. */
    static native String pcap_geterr(Pointer pcapT);
}
