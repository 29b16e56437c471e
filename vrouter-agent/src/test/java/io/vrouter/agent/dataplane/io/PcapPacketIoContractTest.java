package io.vrouter.agent.dataplane.io;

import io.vrouter.agent.netns.NetnsExtension;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@link PacketIo} contract on libpcap (root only): the I/O on one end of a veth pair, frames
 * made to arrive by injecting them at the other end.
 */
class PcapPacketIoContractTest extends PacketIoContract {
    @RegisterExtension
    static final NetnsExtension NETNS = NetnsExtension.withPcap();

    /** The peer end's I/O by the tested end's name. */
    private final Map<String, PcapPacketIo> peers = new HashMap<>();

    @AfterEach
    void closePeers() {
        peers.values().forEach(PcapPacketIo::close);
    }

    @Override
    PacketIo open() {
        String[] pair = NodeScaleVeths.create(NETNS.harness(), 1)[0];
        peers.put(pair[0], PcapPacketIo.open(pair[1]));
        return PcapPacketIo.open(pair[0]);
    }

    @Override
    void arrive(PacketIo io, byte[] frame) {
        PcapPacketIo peer = peers.get(io.interfaceName());
        if (!peer.send(frame, frame.length)) {
            throw new IllegalStateException("send on " + peer + " failed");
        }
    }

    /** A veth has segmentation offload on: 64 KiB slots, a ring of 3. */
    @Override
    int overflowingBurst() {
        return 40;
    }
}
