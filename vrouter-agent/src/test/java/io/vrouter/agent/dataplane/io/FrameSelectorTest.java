package io.vrouter.agent.dataplane.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.netns.NetnsExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link FrameSelector} over a real capture socket (root only). */
@Timeout(30)
class FrameSelectorTest {
    @RegisterExtension
    static final NetnsExtension NETNS = NetnsExtension.withPcap();

    @Test
    void takeReadyShouldHandOverWhatTheSleepFoundOnceSkipOnePollThenAskTheKernelAgain() {
        String[] pair = NodeScaleVeths.create(NETNS.harness(), 1)[0];
        try (FrameSelector selector = new FrameSelector();
             PacketIo io = AfPacketIo.open(pair[0], null); PacketIo peer = AfPacketIo.open(pair[1], null)) {
            selector.add(io.selectableFd(), 5);
            assertEquals(0, selector.takeReady(), "nothing waits");
            byte[] f = PacketIoContract.frame(1, 60);
            assertTrue(peer.send(f, f.length));
            assertEquals(1, selector.select(5000), "the sleep ends for the frame");
            assertEquals(1, selector.takeReady());
            assertEquals(5, selector.readyId(0));
            assertEquals(0, selector.takeReady(), "right after a sleep's frames: left to the next sleep");
            assertEquals(1, selector.select(0), "level-triggered: the next sleep returns at once");
            assertEquals(1, selector.takeReady());
            assertEquals(0, selector.takeReady());
            assertEquals(1, selector.takeReady(), "a thread that does not sleep: a new poll finds it");
            assertTrue(io.receive(new byte[PacketIo.MAX_FRAME_LENGTH], (b, len) -> { }, 8) >= 1);
            assertEquals(0, selector.takeReady(), "drained");
            selector.wake();
            assertEquals(0, selector.select(1000), "a wake-up is no frame");
            assertTrue(selector.woken());
            assertEquals(0, selector.takeReady(), "the sleep's result: no frame");
            assertEquals(0, selector.takeReady());
            assertEquals(0, selector.takeReady(), "a new poll");
            assertFalse(selector.woken(), "the new poll consumed no wake-up");
        }
    }
}
