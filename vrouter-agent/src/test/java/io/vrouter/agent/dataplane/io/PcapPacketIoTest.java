package io.vrouter.agent.dataplane.io;

/** {@link RealInterfaceIoContract} on libpcap (the vhost's I/O). */
class PcapPacketIoTest extends RealInterfaceIoContract {
    @Override
    PacketIo open(String ifName) {
        return PcapPacketIo.open(ifName);
    }
}
