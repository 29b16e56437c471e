package io.vrouter.agent.dataplane.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link PacketIo} does, run against each implementation: non-blocking receive into
 * the caller's buffer, at most the frames asked, arrival signalled (selectable fd or wake-up),
 * a full buffer dropping and counting, close idempotent. Frames carry ethertype
 * {@value #ETHERTYPE} (IEEE local experimental) so a real interface's other traffic is ignored.
 */
@Timeout(60)
abstract class PacketIoContract {
    static final int ETHERTYPE = 0x88B5;

    /** An I/O whose peer {@link #arrive} can make frames reach; closed by the test. */
    abstract PacketIo open();

    /** Makes {@code frame} arrive at {@code io} from its peer. */
    abstract void arrive(PacketIo io, byte[] frame);

    /** Frames an {@link #open()}ed I/O is certain to drop when this many arrive untaken. */
    abstract int overflowingBurst();

    static byte[] frame(int seq, int length) {
        byte[] f = new byte[length];
        Arrays.fill(f, 0, 6, (byte) 0xFF);
        f[6] = 0x02; // locally administered source
        f[11] = 1;
        f[12] = (byte) (ETHERTYPE >> 8);
        f[13] = (byte) ETHERTYPE;
        f[14] = (byte) (seq >> 8);
        f[15] = (byte) seq;
        return f;
    }

    private static boolean ours(byte[] f, int len) {
        return len >= 16 && (f[12] & 0xFF) == ETHERTYPE >> 8 && (f[13] & 0xFF) == (ETHERTYPE & 0xFF);
    }

    /** Receives our frames (copies) until {@code count} arrived or 5 s passed, {@code max} per call. */
    static List<byte[]> receive(PacketIo io, int count, int max) throws InterruptedException {
        List<byte[]> got = new ArrayList<>();
        byte[] buffer = new byte[PacketIo.MAX_FRAME_LENGTH];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (got.size() < count && System.nanoTime() < deadline) {
            int n = io.receive(buffer, (f, len) -> {
                if (ours(f, len)) {
                    got.add(Arrays.copyOf(f, len));
                }
            }, max);
            assertTrue(n >= 0 && n <= max, "receive returned " + n + " for at most " + max);
            if (n == 0) {
                Thread.sleep(2);
            }
        }
        return got;
    }

    @Test
    void receiveShouldReturnAtOnceWithNothingWaiting() {
        try (PacketIo io = open()) {
            io.start(() -> { });
            long t0 = System.nanoTime();
            io.receive(new byte[PacketIo.MAX_FRAME_LENGTH], (f, len) -> { }, 64);
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1), "non-blocking");
        }
    }

    @Test
    void shouldDeliverFramesInOrderIntoTheCallersBufferAtMostMaxPerCall() throws Exception {
        try (PacketIo io = open()) {
            io.start(() -> { });
            for (int i = 0; i < 3; i++) {
                arrive(io, frame(i, 60 + i));
            }
            List<byte[]> got = receive(io, 3, 1);
            assertEquals(3, got.size());
            for (int i = 0; i < 3; i++) {
                assertEquals(i, got.get(i)[15]);
                assertEquals(60 + i, got.get(i).length, "the frame's own length, not the buffer's");
            }
        }
    }

    @Test
    void shouldSignalArrivalThroughItsFdOrItsWakeup() throws Exception {
        AtomicInteger wakeups = new AtomicInteger();
        try (PacketIo io = open(); FrameSelector selector = new FrameSelector()) {
            io.start(wakeups::incrementAndGet);
            if (io.selectableFd() >= 0) {
                selector.add(io.selectableFd(), 7);
            }
            arrive(io, frame(1, 60));
            if (io.selectableFd() >= 0) {
                assertEquals(1, selector.select(5000));
                assertEquals(7, selector.readyId(0));
            } else {
                assertEquals(1, wakeups.get());
            }
            assertEquals(1, receive(io, 1, 64).size());
        }
    }

    @Test
    void aBurstBeyondItsBufferShouldBeDroppedAndCountedNotQueuedWithoutBound() throws Exception {
        try (PacketIo io = open()) {
            io.start(() -> { });
            int burst = overflowingBurst();
            for (int i = 0; i < burst; i++) {
                arrive(io, frame(i, 1000));
            }
            List<byte[]> got = receive(io, burst, 64);
            assertTrue(got.size() < burst, "some dropped: " + got.size());
            assertTrue(io.captureDrops() > 0, "drops counted");
        }
    }

    @Test
    void closeShouldBeIdempotentAndEndSendAndReceive() {
        PacketIo io = open();
        io.start(() -> { });
        io.close();
        io.close();
        byte[] f = frame(1, 60);
        assertFalse(io.send(f, f.length));
        assertEquals(PacketIo.FAILED, io.receive(new byte[PacketIo.MAX_FRAME_LENGTH], (b, len) -> { }, 1));
    }
}
