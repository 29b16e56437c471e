package io.vrouter.agent.dataplane.io;

import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-memory {@link PacketIo}: {@link #receive(byte[])} plays a frame arriving from the peer
 * (a copy waits in a bounded queue, as a capture ring would hold it, and the wake-up runs);
 * {@link #send} records a copy of each sent frame for {@link #pollSent}. Lets the whole dataplane
 * be tested without privileges.
 *
 * <p>{@link #failSends(boolean)} makes sends fail, to test the error path.
 */
public final class MemoryPacketIo implements PacketIo {
    /** Frames waiting by default before further ones are dropped, like a full capture ring. */
    public static final int DEFAULT_CAPACITY = 1024;

    private final String name;
    private final BlockingQueue<byte[]> captured;
    private final BlockingQueue<byte[]> sent = new LinkedBlockingQueue<>();
    private final AtomicLong drops = new AtomicLong();
    private volatile Runnable wakeup;
    private volatile boolean closed;
    private volatile boolean failSends;

    public MemoryPacketIo(String name) {
        this(name, DEFAULT_CAPACITY);
    }

    /** An I/O holding at most {@code capacity} captured frames not yet taken. */
    public MemoryPacketIo(String name, int capacity) {
        this.name = name;
        this.captured = new ArrayBlockingQueue<>(capacity);
    }

    @Override
    public String interfaceName() {
        return name;
    }

    @Override
    public int selectableFd() {
        return -1;
    }

    @Override
    public void start(Runnable wakeup) {
        if (this.wakeup != null) {
            throw new IllegalStateException(name + " already started");
        }
        this.wakeup = wakeup;
    }

    /**
     * A copy of {@code frame} arrives from the peer.
     *
     * @return false when the I/O is closed or not started, or its queue is full (counted in
     *         {@link #captureDrops()}); the frame is not delivered
     */
    public boolean receive(byte[] frame) {
        Runnable w = wakeup;
        if (closed || w == null) {
            return false;
        }
        if (!captured.offer(frame.clone())) {
            drops.incrementAndGet();
            return false;
        }
        w.run();
        return true;
    }

    @Override
    public int receive(byte[] buffer, FrameReceiver receiver, int maxFrames) {
        if (closed) {
            return FAILED;
        }
        int n = 0;
        for (; n < maxFrames; n++) {
            byte[] f = captured.poll();
            if (f == null) {
                break;
            }
            int len = Math.min(f.length, buffer.length);
            System.arraycopy(f, 0, buffer, 0, len);
            receiver.onFrame(buffer, len);
        }
        return n;
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
        return drops.get();
    }

    @Override
    public void close() {
        closed = true;
        captured.clear();
    }

    @Override
    public String toString() {
        return "MemoryPacketIo[" + name + "]";
    }
}
