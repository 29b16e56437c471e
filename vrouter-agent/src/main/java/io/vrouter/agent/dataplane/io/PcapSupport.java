package io.vrouter.agent.dataplane.io;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.pcap4j.core.Pcaps;

/**
 * Whether libpcap can be used here, in the shape of Netty's {@code Epoll.isAvailable()}:
 * {@link #isAvailable()} and {@link #unavailabilityCause()}.
 *
 * <p>pcap4j loads a library named {@code libpcap.so}, which Debian only ships in the {@code -dev}
 * package; the runtime package {@code libpcap0.8} has {@code libpcap.so.0.8}. Before pcap4j's
 * native mappings are first touched, {@link #ensureLoaded()} points the system property
 * {@value #LIB_NAME_PROPERTY} at the first real libpcap found in the usual library directories,
 * unless the property is already set.
 */
public final class PcapSupport {
    /** pcap4j's system property naming the libpcap to load. */
    public static final String LIB_NAME_PROPERTY = "org.pcap4j.core.pcapLibName";

    private static final List<String> LIB_DIRS = List.of(
            "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
            "/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib", "/usr/local/lib");

    private static final Throwable UNAVAILABILITY_CAUSE;
    private static final String VERSION;

    static {
        Throwable cause = null;
        String version = null;
        try {
            if (System.getProperty(LIB_NAME_PROPERTY) == null) {
                Path lib = findLibpcap();
                if (lib == null) {
                    throw new IllegalStateException("libpcap not found in " + LIB_DIRS
                            + " (Debian: apt-get install libpcap0.8)");
                }
                System.setProperty(LIB_NAME_PROPERTY, lib.toString());
            }
            version = Pcaps.libVersion();
        } catch (Throwable t) { // UnsatisfiedLinkError, NoClassDefFoundError, ...
            cause = t;
        }
        UNAVAILABILITY_CAUSE = cause;
        VERSION = version;
    }

    private PcapSupport() {
    }

    /** True when libpcap is loaded and usable (privileges are checked when an interface opens). */
    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    /** Why libpcap is unusable, or {@code null} when it is usable. */
    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /** libpcap's version string, e.g. {@code libpcap version 1.10.3}; null when unavailable. */
    public static String version() {
        return VERSION;
    }

    /** Throws {@link PacketIoException} with the cause unless libpcap is usable. */
    public static void ensureLoaded() {
        if (UNAVAILABILITY_CAUSE != null) {
            throw new PacketIoException("libpcap unavailable: " + UNAVAILABILITY_CAUSE, UNAVAILABILITY_CAUSE);
        }
    }

    /** The first {@code libpcap.so*} in the usual directories (shortest name first), or null. */
    static Path findLibpcap() {
        for (String dir : LIB_DIRS) {
            Path d = Path.of(dir);
            if (!Files.isDirectory(d)) {
                continue;
            }
            List<Path> found = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(d, "libpcap.so*")) {
                ds.forEach(found::add);
            } catch (IOException e) {
                continue;
            }
            found.sort((a, b) -> a.getFileName().toString().length() - b.getFileName().toString().length());
            for (Path p : found) {
                if (Files.isReadable(p)) {
                    return p;
                }
            }
        }
        return null;
    }
}
