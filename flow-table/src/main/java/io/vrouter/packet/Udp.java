package io.vrouter.packet;

/**
 * UDP header layout (RFC 768). Offsets are from the start of the UDP header.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |  0
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Length             |           Checksum            |  4
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Checksum 0 means "not computed"; a computed 0 is sent as 0xFFFF. The checksum covers the
 * pseudo-header (source, destination, zero, protocol, UDP length).
 * </pre>
 */
public final class Udp {
    public static final int SRC_PORT = 0;
    public static final int DST_PORT = 2;
    public static final int LENGTH = 4;
    public static final int CHECKSUM = 6;
    public static final int HEADER_LENGTH = 8;
    /** Checksum value meaning "no checksum" (RFC 768). */
    public static final int NO_CHECKSUM = 0;

    private Udp() {
    }
}
