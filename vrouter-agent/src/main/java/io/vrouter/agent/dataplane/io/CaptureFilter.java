package io.vrouter.agent.dataplane.io;

/**
 * What a port's capture socket keeps, decided in the kernel: a classic BPF program
 * ({@code SO_ATTACH_FILTER}, {code, jt, jf, k} rows) or a loaded eBPF socket-filter program
 * ({@code SO_ATTACH_BPF}, its descriptor; the kernel fast path's, which also leaves out the frames
 * the kernel forwards itself). A non-zero verdict keeps the frame.
 *
 * @param classic   classic rows, or null
 * @param programFd an eBPF program's descriptor, or -1
 */
public record CaptureFilter(int[][] classic, int programFd) {
    public CaptureFilter {
        if ((classic == null) == (programFd < 0)) {
            throw new IllegalArgumentException("a capture filter is either classic rows or an eBPF program");
        }
    }

    public static CaptureFilter classic(int[][] rows) {
        return new CaptureFilter(rows, -1);
    }

    public static CaptureFilter program(int fd) {
        return new CaptureFilter(null, fd);
    }
}
