package io.vrouter.agent.dataplane.io;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * For tests that only watch an interface: a thread that takes an I/O's frames as they come (its
 * selector, 10 ms sleeps at most) and hands a copy of each to {@code sink}. Close it before the
 * I/O: an I/O must not be closed while a receive runs.
 */
public final class CapturePump implements AutoCloseable {
    private final Thread thread;
    private volatile boolean closed;

    private CapturePump(PacketIo io, Consumer<byte[]> sink) {
        io.start(() -> { });
        thread = new Thread(() -> run(io, sink), "test-capture-" + io.interfaceName());
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts {@code io} and pumps its frames into {@code sink} (copies) until closed. */
    public static CapturePump start(PacketIo io, Consumer<byte[]> sink) {
        return new CapturePump(io, sink);
    }

    private void run(PacketIo io, Consumer<byte[]> sink) {
        byte[] buffer = new byte[PacketIo.MAX_FRAME_LENGTH];
        try (FrameSelector selector = new FrameSelector()) {
            if (io.selectableFd() >= 0) {
                selector.add(io.selectableFd(), 1);
            }
            while (!closed) {
                selector.select(10);
                if (io.receive(buffer, (f, len) -> sink.accept(Arrays.copyOf(f, len)), 64) == PacketIo.FAILED) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.join(TimeUnit.SECONDS.toMillis(5));
    }
}
