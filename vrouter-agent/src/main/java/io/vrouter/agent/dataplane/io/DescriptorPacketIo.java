package io.vrouter.agent.dataplane.io;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * What the two kernel-backed {@link PacketIo}s share: an interface name, a capture socket the
 * {@link FrameSelector} watches (its readiness wakes the dataplane thread, so {@link #start} keeps
 * nothing), a one-way close, frame delivery that survives a receiver's bug, and counted send
 * failures logged once (then at debug).
 */
abstract class DescriptorPacketIo implements PacketIo {
    final String ifName;
    final int fd;
    private final Logger log;
    private final AtomicLong sendFailures = new AtomicLong();
    volatile boolean closed;

    DescriptorPacketIo(String ifName, int fd, Logger log) {
        this.ifName = ifName;
        this.fd = fd;
        this.log = log;
    }

    @Override
    public final String interfaceName() {
        return ifName;
    }

    @Override
    public final int selectableFd() {
        return fd;
    }

    @Override
    public void start(Runnable wakeup) {
        // the kernel wakes the selector through the socket: nothing to keep
    }

    /** Hands a frame to {@code receiver}; a receiver that throws loses that frame only. */
    final void deliver(FrameReceiver receiver, byte[] buffer, int length) {
        try {
            receiver.onFrame(buffer, length);
        } catch (RuntimeException e) {
            log.error("frame receiver for {} threw; frame dropped", ifName, e);
        }
    }

    /** Counts a failed send of {@code length} bytes; the first is logged, the rest at debug. */
    final boolean sendFailed(int length, Object why) {
        if (sendFailures.getAndIncrement() == 0 || log.isDebugEnabled()) {
            log.warn("send on {} failed ({} bytes): {}", ifName, length, why);
        }
        return false;
    }

    /** Sends that failed since open. */
    public final long sendFailures() {
        return sendFailures.get();
    }

    /** Closes the I/O once; not while {@link #receive} or {@link #send} runs. */
    @Override
    public final void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        release();
    }

    /** Frees the socket and what belongs to it; called once, by {@link #close}. */
    abstract void release();

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + ifName + "]";
    }
}
