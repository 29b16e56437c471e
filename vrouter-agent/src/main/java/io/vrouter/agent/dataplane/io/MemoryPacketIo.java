package io.vrouter.agent.dataplane.io;

import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory {@link PacketIo}: {@link #receive} plays a frame arriving from the peer (delivered
 * on the caller's thread, as a copy), {@link #send} records a copy of each sent frame for
 * {@link #pollSent}. Lets the whole dataplane be tested without privileges.
 *
 * <p>{@link #failSends(boolean)} makes sends fail, to test the error path.
 */
public final class MemoryPacketIo implements PacketIo {
    private final String name;
    private final BlockingQueue<byte[]> sent = new LinkedBlockingQueue<>();
    private volatile FrameReceiver receiver;
    private volatile boolean closed;
    private volatile boolean failSends;

    public MemoryPacketIo(String name) {
        this.name = name;
    }

    @Override
    public String interfaceName() {
        return name;
    }

    @Override
    public void start(FrameReceiver receiver) {
        if (this.receiver != null) {
            throw new IllegalStateException(name + " already started");
        }
        this.receiver = receiver;
    }

    /**
     * Delivers a copy of {@code frame} as if it arrived from the peer.
     *
     * @return false when the I/O is closed or not started (the frame is not delivered)
     */
    public boolean receive(byte[] frame) {
        FrameReceiver r = receiver;
        if (closed || r == null) {
            return false;
        }
        r.onFrame(Arrays.copyOf(frame, frame.length), frame.length);
        return true;
    }

    @Override
    public boolean send(byte[] frame, int length) {
        if (closed || failSends) {
            return false;
        }
        sent.add(Arrays.copyOf(frame, length));
        return true;
    }

    /** The oldest sent frame not yet taken, or null when none. */
    public byte[] pollSent() {
        return sent.poll();
    }

    /** Waits up to {@code timeoutMs} for a sent frame. */
    public byte[] pollSent(long timeoutMs) throws InterruptedException {
        return sent.poll(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** Sent frames not yet taken. */
    public int sentCount() {
        return sent.size();
    }

    public void failSends(boolean fail) {
        this.failSends = fail;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public long captureDrops() {
        return 0;
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "MemoryPacketIo[" + name + "]";
    }
}
