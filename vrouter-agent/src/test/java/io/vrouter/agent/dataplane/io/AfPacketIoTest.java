package io.vrouter.agent.dataplane.io;

import static io.vrouter.agent.dataplane.TestFrames.VMAC;
import static io.vrouter.agent.dataplane.TestFrames.ip;
import static io.vrouter.agent.dataplane.TestFrames.ipDst;
import static io.vrouter.agent.dataplane.TestFrames.isIpv4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.dataplane.TestFrames;
import io.vrouter.agent.dataplane.host.HostCommand;
import io.vrouter.agent.dataplane.host.LinkLocalFilter;
import org.junit.jupiter.api.Test;

/**
 * {@link AfPacketIo}, the guest ports' I/O, on real veth pairs: {@link RealInterfaceIoContract},
 * plus the kernel filter of a shared-mode port and an interface that goes down and up.
 */
class AfPacketIoTest extends RealInterfaceIoContract {
    private static final long PEER = 0x02_00_00_00_00_03L;

    @Override
    PacketIo open(String ifName) {
        return AfPacketIo.open(ifName, null);
    }

    private static byte[] tcpTo(String dst) {
        return TestFrames.tcp(PEER, VMAC, ip("10.0.0.3"), ip(dst), 40000, 80, 0x02, new byte[0]);
    }

    @Test
    void aSharedPortsFilterShouldTakeOnlyLinkLocalFramesInTheKernel() throws Exception {
        String[] pair = NodeScaleVeths.create(NETNS.harness(), 1)[0];
        try (PacketIo io = AfPacketIo.open(pair[0], LinkLocalFilter.socketProgram());
             PacketIo peer = AfPacketIo.open(pair[1], null)) {
            byte[] other = tcpTo("10.0.0.4");
            byte[] metadata = tcpTo("169.254.169.254");
            assertTrue(peer.send(other, other.length));
            assertTrue(peer.send(metadata, metadata.length));
            byte[] got = await(io, f -> isIpv4(f), 5000);
            assertNotNull(got, "the link-local frame is captured");
            assertEquals(ip("169.254.169.254"), ipDst(got), "the other frame is never queued");
            assertNull(await(io, f -> isIpv4(f), 300), "nothing else");
        }
    }

    @Test
    void aBurstShouldBeTakenInBatchesInOrderAndNeverBeyondMaxFrames() throws Exception {
        String[] pair = NodeScaleVeths.create(NETNS.harness(), 1)[0];
        try (PacketIo io = AfPacketIo.open(pair[0], null); PacketIo peer = AfPacketIo.open(pair[1], null)) {
            int burst = 3 * AfPacketIo.NativeFrame.BATCH + 3;
            for (int i = 0; i < burst; i++) {
                byte[] f = PacketIoContract.frame(i, 60 + i);
                assertTrue(peer.send(f, f.length));
            }
            java.util.List<Integer> seen = new java.util.ArrayList<>();
            byte[] buffer = new byte[PacketIo.MAX_FRAME_LENGTH];
            FrameReceiver r = (f, len) -> {
                if ((f[12] & 0xFF) == PacketIoContract.ETHERTYPE >> 8) {
                    assertEquals(60 + f[15], len, "each slot's own length");
                    seen.add((int) f[15]);
                }
            };
            assertEquals(AfPacketIo.NativeFrame.BATCH + 2, io.receive(buffer, r, AfPacketIo.NativeFrame.BATCH + 2));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (seen.size() < burst && System.nanoTime() < deadline) {
                io.receive(buffer, r, 64);
            }
            assertEquals(java.util.stream.IntStream.range(0, burst).boxed().toList(), seen);
        }
    }

    @Test
    void anInterfaceThatWentDownAndUpShouldStillBeCaptured() throws Exception {
        String[] pair = NodeScaleVeths.create(NETNS.harness(), 1)[0];
        try (PacketIo io = AfPacketIo.open(pair[0], null); PacketIo peer = AfPacketIo.open(pair[1], null)) {
            HostCommand.runChecked("ip", "link", "set", pair[0], "down");
            assertTrue(io.receive(new byte[PacketIo.MAX_FRAME_LENGTH], (f, len) -> { }, 8) >= 0,
                    "down is not a failure for good");
            HostCommand.runChecked("ip", "link", "set", pair[0], "up");
            byte[] metadata = tcpTo("169.254.169.254");
            long deadline = System.nanoTime() + 5_000_000_000L;
            byte[] got = null;
            while (got == null && System.nanoTime() < deadline) { // the pair's carrier takes a moment
                peer.send(metadata, metadata.length);
                got = await(io, f -> isIpv4(f), 200);
            }
            assertNotNull(got, "captured again once up");
        }
    }
}
