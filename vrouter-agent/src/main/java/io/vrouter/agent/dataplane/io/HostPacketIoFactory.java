package io.vrouter.agent.dataplane.io;

/**
 * The agent's packet I/O on a real host: guest ports on {@link AfPacketIo} (a packet socket each,
 * no ring: no memory while idle, bursts queued in the socket), all sharing one native frame
 * buffer (they are used by the dataplane thread only); the vhost agent end on
 * {@link PcapPacketIo} with a {@value PcapPacketIo#DEFAULT_VHOST_BUFFER_BYTES}-byte ring (every
 * guest's traffic crosses it: no system call per frame on the busiest interface).
 */
public final class HostPacketIoFactory implements PacketIoFactory {
    private final AfPacketIo.NativeFrame frame = new AfPacketIo.NativeFrame();

    @Override
    public PacketIo open(String interfaceName) {
        return open(interfaceName, null);
    }

    @Override
    public PacketIo open(String interfaceName, CaptureFilter captureFilter) {
        return AfPacketIo.open(interfaceName, captureFilter, frame, AfPacketIo.DEFAULT_RCVBUF_BYTES);
    }

    @Override
    public PacketIo openVhost(String interfaceName) {
        return PcapPacketIo.open(interfaceName, PcapPacketIo.DEFAULT_VHOST_BUFFER_BYTES);
    }

    @Override
    public String unavailabilityCause() {
        if (AfPacket.unavailabilityCause() != null) {
            return "packet sockets unavailable: " + AfPacket.unavailabilityCause();
        }
        if (!PcapSupport.isAvailable()) {
            return "libpcap unavailable: " + PcapSupport.unavailabilityCause();
        }
        return PcapNextEx.isAvailable() ? null : "libpcap's pcap_get_selectable_fd unavailable: "
                + PcapNextEx.unavailabilityCause();
    }
}
