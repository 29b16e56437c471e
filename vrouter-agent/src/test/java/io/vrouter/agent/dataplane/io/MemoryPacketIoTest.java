package io.vrouter.agent.dataplane.io;

/** The {@link PacketIo} contract on the in-memory I/O. */
class MemoryPacketIoTest extends PacketIoContract {
    @Override
    PacketIo open() {
        return new MemoryPacketIo("mem0", 4);
    }

    @Override
    void arrive(PacketIo io, byte[] frame) {
        ((MemoryPacketIo) io).receive(frame);
    }

    @Override
    int overflowingBurst() {
        return 10;
    }
}
