package io.vrouter.agent.dataplane.io;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * One epoll instance over the capture sockets of many {@link PacketIo}s, plus an eventfd that
 * other threads write to wake the selecting thread: lets one thread (the dataplane thread) wait
 * for frames on every port, sleep when none arrives, and be woken for a command at once. No
 * thread per port; the kernel tells which sockets have frames, so a cycle reads only those.
 *
 * <p>Each socket is registered level-triggered for {@code EPOLLIN} with a caller's int id (the
 * dataplane uses the interface index): a socket whose frames were not all taken is reported
 * again by the next {@link #select}. Errors and hang-ups are reported as readable, so the
 * caller's next receive sees them. libc is called through JNA direct mapping; nothing is
 * allocated per call.
 *
 * <pre>
 * struct epoll_event (x86-64: packed, 12 bytes; other 64-bit ABIs: 16 bytes, data at 8):
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                 events (u32): EPOLLIN, EPOLLERR, EPOLLHUP      |
 * +---------------------------------------------------------------+
 * |                 data (u64): the id (low 32 bits); -1 = wake-up |
 * |                                                               |
 * +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Threads: {@link #add}, {@link #remove}, {@link #select} and {@link #close} on one thread (the
 * selecting one, or any thread before it starts and after it stopped); {@link #wake} on any.
 */
public final class FrameSelector implements AutoCloseable {
    /** Readiness events taken per {@link #select}; more ready sockets are reported by the next one. */
    public static final int MAX_EVENTS = 256;

    private static final int EPOLLIN = 0x001;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;
    private static final int EINTR = 4;
    private static final int WAKE_ID = -1;
    private static final int EVENT_SIZE = Platform.isIntel() && Platform.is64Bit() ? 12 : 16;
    private static final int DATA_OFFSET = EVENT_SIZE == 12 ? 4 : 8;
    private static final Throwable UNAVAILABILITY_CAUSE;

    static {
        Throwable cause = null;
        try {
            if (!Platform.isLinux()) {
                throw new UnsupportedOperationException("epoll needs Linux, this is " + System.getProperty("os.name"));
            }
            Native.register(FrameSelector.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        } catch (Throwable t) { // UnsatisfiedLinkError, NoClassDefFoundError ...
            cause = t;
        }
        UNAVAILABILITY_CAUSE = cause;
    }

    private final int epfd;
    private final int wakeFd;
    private final Memory ctlEvent = new Memory(EVENT_SIZE);
    private final Memory events = new Memory((long) EVENT_SIZE * MAX_EVENTS);
    private final Memory counter = new Memory(8);
    private final Memory one = new Memory(8);
    private final int[] ready = new int[MAX_EVENTS];
    /** Ids of the last {@link #select} not yet taken by {@link #takeReady}. */
    private int pending;
    /** What {@link #takeReady} hands over next: the caller's select, nothing, or a new poll. */
    private Take take = Take.POLL;
    private boolean woken;
    private volatile boolean closed;

    /** @throws PacketIoException when epoll or eventfd cannot be had (not Linux, fd limit) */
    public FrameSelector() {
        if (UNAVAILABILITY_CAUSE != null) {
            throw new PacketIoException("epoll unavailable: " + UNAVAILABILITY_CAUSE, UNAVAILABILITY_CAUSE);
        }
        epfd = epoll_create1(EPOLL_CLOEXEC);
        if (epfd < 0) {
            throw new PacketIoException("epoll_create1 failed: errno " + Native.getLastError());
        }
        wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (wakeFd < 0) {
            int errno = Native.getLastError();
            close(epfd);
            throw new PacketIoException("eventfd failed: errno " + errno);
        }
        one.setLong(0, 1);
        ctl(EPOLL_CTL_ADD, wakeFd, WAKE_ID);
    }

    /** Null when selectors can be made here; otherwise why not. */
    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /**
     * Watches {@code fd} for frames, reported as {@code id} (not -1).
     *
     * @throws PacketIoException when the kernel refuses (bad or already watched fd)
     */
    public void add(int fd, int id) {
        if (id == WAKE_ID) {
            throw new IllegalArgumentException("id -1 is reserved");
        }
        ctl(EPOLL_CTL_ADD, fd, id);
    }

    /** Stops watching {@code fd}; false when it was not watched (or is closed already). */
    public boolean remove(int fd) {
        return !closed && epoll_ctl(epfd, EPOLL_CTL_DEL, fd, ctlEvent) == 0;
    }

    private void ctl(int op, int fd, int id) {
        ctlEvent.setInt(0, EPOLLIN);
        ctlEvent.setLong(DATA_OFFSET, id & 0xFFFF_FFFFL);
        if (epoll_ctl(epfd, op, fd, ctlEvent) != 0) {
            throw new PacketIoException("epoll_ctl(" + (op == EPOLL_CTL_ADD ? "ADD" : "DEL") + ", fd " + fd
                    + ") failed: errno " + Native.getLastError());
        }
    }

    /**
     * Waits up to {@code timeoutMs} (0: not at all) for a watched socket to have frames or for
     * {@link #wake}, whichever comes first. A pending wake-up is consumed.
     *
     * @return how many ids are ready, readable with {@link #readyId}; 0 after a timeout or a
     *         wake-up alone
     */
    public int select(int timeoutMs) {
        take = Take.SELECTED;
        return poll(timeoutMs);
    }

    private int poll(int timeoutMs) {
        int n = epoll_wait(epfd, events, MAX_EVENTS, timeoutMs);
        if (n < 0) {
            woken = false;
            int errno = Native.getLastError();
            if (errno == EINTR || closed) {
                return 0;
            }
            throw new PacketIoException("epoll_wait failed: errno " + errno);
        }
        int count = 0;
        woken = false;
        for (int i = 0; i < n; i++) {
            int id = (int) events.getLong((long) i * EVENT_SIZE + DATA_OFFSET);
            if (id == WAKE_ID) {
                read(wakeFd, counter, 8); // resets the eventfd
                woken = true;
            } else {
                ready[count++] = id;
            }
        }
        pending = count;
        return count;
    }

    /**
     * The ids ready now, for a thread that sleeps in {@link #select} whenever a cycle finds
     * nothing: what its last {@code select} found, if not taken yet; then, once, none (the frames
     * that came since are the next sleep's: level-triggered, it returns at once for them, so the
     * thread that woke for frames asks the kernel once per wake-up, not twice); after that, those
     * of a new non-blocking poll (a thread that does not sleep, such as a test driving cycles
     * itself, always polls). Ids may name a socket removed since; a receive on the rest finds
     * nothing or frames, never blocks.
     *
     * @return how many ids are ready, readable with {@link #readyId}
     */
    public int takeReady() {
        int n;
        switch (take) {
            case SELECTED -> {
                n = pending;
                take = Take.NONE;
            }
            case NONE -> {
                n = 0;
                take = Take.POLL;
            }
            default -> n = poll(0);
        }
        pending = 0;
        return n;
    }

    /** Whether the last {@link #select} consumed a {@link #wake}. */
    public boolean woken() {
        return woken;
    }

    /** The {@code i}th id of the last {@link #select}. */
    public int readyId(int i) {
        return ready[i];
    }

    /** Makes the current or next {@link #select} return at once. Any thread; never blocks. */
    public void wake() {
        if (!closed) {
            write(wakeFd, one, 8);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        close(wakeFd);
        close(epfd);
    }

    private static native int epoll_create1(int flags);

    private static native int epoll_ctl(int epfd, int op, int fd, Pointer event);

    private static native int epoll_wait(int epfd, Pointer events, int maxEvents, int timeoutMs);

    private static native int eventfd(int initval, int flags);

    private static native long read(int fd, Pointer buf, long count);

    private static native long write(int fd, Pointer buf, long count);

    private static native int close(int fd);

    private enum Take { SELECTED, NONE, POLL }
}
