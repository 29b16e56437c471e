package io.vrouter.agent.dataplane.kernel;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;

/**
 * The bpf(2) system call, through JNA direct mapping of libc's {@code syscall}. Only what the
 * fast path needs: create a hash map, load a program, pin it, and the map element calls. Every
 * {@code union bpf_attr} is a zeroed 128-byte block (the kernel refuses non-zero unused tails).
 * Layouts (Linux uapi, little-endian 64-bit):
 * <pre>
 * BPF_MAP_CREATE   0 u32 map_type, 4 u32 key_size, 8 u32 value_size, 12 u32 max_entries,
 *                  16 u32 map_flags, 28 char map_name[16]
 * BPF_PROG_LOAD    0 u32 prog_type, 4 u32 insn_cnt, 8 u64 insns, 16 u64 license, 24 u32 log_level,
 *                  28 u32 log_size, 32 u64 log_buf, 48 char prog_name[16]
 * BPF_MAP_*_ELEM   0 u32 map_fd, 8 u64 key, 16 u64 value, 24 u64 flags
 * BPF_MAP_*_BATCH  16 u64 keys, 24 u64 values, 32 u32 count (in: asked, out: done), 36 u32 map_fd,
 *                  40 u64 elem_flags, 48 u64 flags
 * BPF_OBJ_PIN      0 u64 pathname, 8 u32 bpf_fd
 * BPF_PROG_TEST_RUN 0 u32 prog_fd, 4 u32 retval, 8 u32 data_size_in, 12 u32 data_size_out,
 *                  16 u64 data_in, 24 u64 data_out, 40 u32 ctx_size_in, 48 u64 ctx_in
 * </pre>
 * Not thread-safe per instance: each caller uses its own attr block.
 */
final class Bpf {
    static final int MAP_CREATE = 0;
    static final int MAP_LOOKUP_ELEM = 1;
    static final int MAP_UPDATE_ELEM = 2;
    static final int MAP_DELETE_ELEM = 3;
    static final int PROG_LOAD = 5;
    static final int OBJ_PIN = 6;
    static final int PROG_TEST_RUN = 10;
    /** Hash maps: the element calls in a loop in one system call, stopping at the first failure. */
    static final int MAP_UPDATE_BATCH = 26;
    static final int MAP_DELETE_BATCH = 27;
    static final int MAP_TYPE_HASH = 1;
    /** Elements allocated on update, not all at creation: the map costs what it holds. */
    static final int MAP_NO_PREALLOC = 1;
    static final int PROG_TYPE_SOCKET_FILTER = 1;
    static final int PROG_TYPE_SCHED_CLS = 3;
    static final int ATTR_SIZE = 128;
    static final int ENOENT = 2;
    private static final int LOG_SIZE = 1 << 20;
    private static final long SYS_BPF;
    private static final Throwable UNAVAILABILITY_CAUSE;

    static {
        Throwable cause = null;
        long nr = -1;
        try {
            if (!Platform.isLinux() || !Platform.is64Bit() || !(Platform.isIntel() || Platform.isARM())) {
                throw new UnsupportedOperationException("the kernel fast path needs 64-bit Linux on x86-64 or arm64");
            }
            nr = Platform.isIntel() ? 321 : 280; // __NR_bpf
            Native.register(Bpf.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        } catch (Throwable t) { // UnsatisfiedLinkError, NoClassDefFoundError ...
            cause = t;
        }
        SYS_BPF = nr;
        UNAVAILABILITY_CAUSE = cause;
    }

    private Bpf() {
    }

    static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /** A failed bpf(2) call: what was asked and errno. */
    static final class BpfException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int errno;

        BpfException(String what, int errno, String detail) {
            super(what + " failed, errno " + errno + (detail.isEmpty() ? "" : ": " + detail));
            this.errno = errno;
        }
    }

    /** Creates a hash map whose elements are allocated as they are added; returns its descriptor. */
    static int createHashMap(String name, int keySize, int valueSize, int maxEntries) {
        Memory attr = attr();
        attr.setInt(0, MAP_TYPE_HASH);
        attr.setInt(4, keySize);
        attr.setInt(8, valueSize);
        attr.setInt(12, maxEntries);
        attr.setInt(16, MAP_NO_PREALLOC);
        setName(attr, 28, name);
        return (int) check(call(MAP_CREATE, attr), "BPF_MAP_CREATE " + name, "");
    }

    /**
     * Loads a program; returns its descriptor.
     *
     * @throws BpfException with the verifier's log when the kernel refuses it
     */
    static int loadProgram(String name, int type, byte[] insns) {
        Memory code = new Memory(insns.length);
        code.write(0, insns, 0, insns.length);
        Memory license = new Memory(4);
        license.setString(0, "GPL", "US-ASCII");
        Memory log = new Memory(LOG_SIZE);
        log.clear(64);
        Memory attr = attr();
        attr.setInt(0, type);
        attr.setInt(4, insns.length / 8);
        attr.setPointer(8, code);
        attr.setPointer(16, license);
        attr.setInt(24, 1);
        attr.setInt(28, LOG_SIZE);
        attr.setPointer(32, log);
        setName(attr, 48, name);
        long fd = call(PROG_LOAD, attr);
        if (fd < 0) {
            int errno = Native.getLastError();
            String verifier = log.getString(0, "US-ASCII");
            int tail = Math.max(0, verifier.length() - 2000);
            throw new BpfException("BPF_PROG_LOAD " + name, errno, verifier.substring(tail).strip());
        }
        return (int) fd;
    }

    /** Pins {@code fd} at {@code path} (on a bpf file system). */
    static void pin(int fd, String path) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        Memory name = new Memory(p.length + 1L);
        name.write(0, p, 0, p.length);
        name.setByte(p.length, (byte) 0);
        Memory attr = attr();
        attr.setPointer(0, name);
        attr.setInt(8, fd);
        check(call(OBJ_PIN, attr), "BPF_OBJ_PIN " + path, "");
    }

    /**
     * Runs program {@code fd} once on {@code frame} in the kernel (BPF_PROG_TEST_RUN: nothing is
     * sent; a redirect is only a verdict) with the context's ifindex {@code ifindex}; the frame
     * as the program left it goes to {@code out}. For the contract tests of the programs.
     *
     * @return the program's return value
     */
    static int testRun(int fd, byte[] frame, int ifindex, byte[] out) {
        Memory in = new Memory(frame.length);
        in.write(0, frame, 0, frame.length);
        Memory result = new Memory(Math.max(out.length, 1));
        Memory ctx = new Memory(SK_BUFF_SIZE);
        ctx.clear();
        ctx.setInt(40, ifindex); // struct __sk_buff.ifindex
        Memory attr = attr();
        attr.setInt(0, fd);
        attr.setInt(8, frame.length);
        attr.setInt(12, out.length);
        attr.setPointer(16, in);
        attr.setPointer(24, result);
        attr.setInt(40, SK_BUFF_SIZE);
        attr.setPointer(48, ctx);
        check(call(PROG_TEST_RUN, attr), "BPF_PROG_TEST_RUN", "");
        result.read(0, out, 0, Math.min(out.length, attr.getInt(12)));
        return attr.getInt(4);
    }

    /** sizeof(struct __sk_buff) up to and including ifindex: the context the test runs pass. */
    private static final int SK_BUFF_SIZE = 44;

    /** Fills {@code attr} (from {@link #attr()}) for an element call on {@code mapFd}. */
    static void elementAttr(Memory attr, int mapFd, Pointer key, Pointer value, long flags) {
        attr.setInt(0, mapFd);
        attr.setPointer(8, key);
        attr.setPointer(16, value);
        attr.setLong(24, flags);
    }

    /**
     * bpf({@code cmd}, batch of {@code count} elements from {@code keys} / {@code values}) on
     * {@code mapFd} ({@code attr} from {@link #attr()}).
     *
     * @return how many elements were done: {@code count}, or fewer when the element at that index
     *         failed (errno in {@link Native#getLastError()}); 0 when the call failed before any
     *         element (bad map, no permission: the kernel then leaves the count as it was asked)
     */
    static int batch(int cmd, Memory attr, int mapFd, Pointer keys, Pointer values, int count) {
        attr.setPointer(16, keys);
        attr.setPointer(24, values);
        attr.setInt(32, count);
        attr.setInt(36, mapFd);
        if (call(cmd, attr) == 0) {
            return count;
        }
        int done = attr.getInt(32);
        return done < count ? done : 0;
    }

    /**
     * Throws unless the kernel has batch element calls on hash map {@code mapFd} (Linux 5.6+):
     * an empty delete batch, which does nothing where it is supported.
     */
    static void requireBatchOps(int mapFd) {
        Memory attr = attr();
        attr.setInt(36, mapFd);
        check(call(MAP_DELETE_BATCH, attr), "BPF_MAP_DELETE_BATCH (batched map calls, Linux 5.6+)", "");
    }

    /** A zeroed attr block. */
    static Memory attr() {
        Memory m = new Memory(ATTR_SIZE);
        m.clear();
        return m;
    }

    /** bpf(cmd, attr): the result, or -1 with errno in {@link Native#getLastError()}. */
    static long call(int cmd, Pointer attr) {
        return syscall(SYS_BPF, cmd, attr, ATTR_SIZE);
    }

    static native long syscall(long number, long cmd, Pointer attr, long size);

    static native int close(int fd);

    private static long check(long rc, String what, String detail) {
        if (rc < 0) {
            throw new BpfException(what, Native.getLastError(), detail);
        }
        return rc;
    }

    private static void setName(Memory attr, int offset, String name) {
        byte[] b = name.getBytes(StandardCharsets.US_ASCII);
        attr.write(offset, b, 0, Math.min(b.length, 15));
    }
}
