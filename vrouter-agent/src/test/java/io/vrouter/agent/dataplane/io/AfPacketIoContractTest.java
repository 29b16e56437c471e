package io.vrouter.agent.dataplane.io;

import io.vrouter.agent.netns.NetnsExtension;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@link PacketIo} contract on a packet socket (root only): the I/O on one end of a veth
 * pair with a small receive queue, frames made to arrive by sending them at the other end.
 */
class AfPacketIoContractTest extends PacketIoContract {
    @RegisterExtension
    static final NetnsExtension NETNS = NetnsExtension.withPcap();

    private final Map<String, PacketIo> peers = new HashMap<>();

    @AfterEach
    void closePeers() {
        peers.values().forEach(PacketIo::close);
    }

    @Override
    PacketIo open() {
        String[] pair = NodeScaleVeths.create(NETNS.harness(), 1)[0];
        peers.put(pair[0], AfPacketIo.open(pair[1], null));
        return AfPacketIo.open(pair[0], null, new AfPacketIo.NativeFrame(), 4096);
    }

    @Override
    void arrive(PacketIo io, byte[] frame) {
        if (!peers.get(io.interfaceName()).send(frame, frame.length)) {
            throw new IllegalStateException("send to " + io + " failed");
        }
    }

    /** A 4 KiB receive queue (8 KiB as the kernel doubles it) holds a few 1,000-byte frames. */
    @Override
    int overflowingBurst() {
        return 40;
    }
}
