package io.vrouter.agent.dataplane.io;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The libc calls of an {@code AF_PACKET} socket (packet(7)), through JNA direct mapping: nothing
 * allocated per call. Struct layouts (Linux, little-endian 64-bit ABI):
 * <pre>
 * struct sockaddr_ll (20 bytes)       struct packet_mreq (16 bytes)    struct sock_fprog (16 bytes)
 *  0 u16 sll_family = AF_PACKET         0 i32 mr_ifindex                 0 u16 len (instructions)
 *  2 be16 sll_protocol                  4 u16 mr_type                    8 ptr filter (8 bytes each:
 *  4 i32 sll_ifindex                    6 u16 mr_alen                         u16 code, u8 jt, u8 jf,
 *  8 u16 sll_hatype                     8 u8[8] mr_address                    u32 k)
 * 10 u8 sll_pkttype, 11 u8 sll_halen
 * 12 u8[8] sll_addr                  struct tpacket_stats (8 bytes): u32 tp_packets, u32 tp_drops
 *
 * struct mmsghdr (64 bytes): struct msghdr (56) then u32 msg_len, 4 bytes padding
 *  0 ptr msg_name = NULL, 8 u32 msg_namelen, 16 ptr msg_iov, 24 u64 msg_iovlen = 1,
 * 32 ptr msg_control = NULL, 40 u64 msg_controllen, 48 i32 msg_flags, 56 u32 msg_len
 * struct iovec (16 bytes): 0 ptr iov_base, 8 u64 iov_len
 * </pre>
 */
final class AfPacket {
    static final int AF_PACKET = 17;
    static final int SOCK_RAW = 3;
    static final int SOCK_NONBLOCK = 0x800;
    static final int SOCK_CLOEXEC = 0x80000;
    /** ETH_P_ALL in network byte order, as sll_protocol wants it. */
    static final short ETH_P_ALL_BE = 0x0300;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVBUF = 8;
    static final int SO_ATTACH_FILTER = 26;
    static final int SO_ATTACH_BPF = 50;
    static final int SO_RCVBUFFORCE = 33;
    static final int SOL_PACKET = 263;
    static final int PACKET_ADD_MEMBERSHIP = 1;
    static final int PACKET_MR_PROMISC = 1;
    static final int PACKET_STATISTICS = 6;
    static final int PACKET_IGNORE_OUTGOING = 23;
    static final int MSG_TRUNC = 0x20;
    static final int MSG_DONTWAIT = 0x40;
    static final int EAGAIN = 11;
    static final int EINTR = 4;
    static final int ENETDOWN = 100;
    private static final Throwable UNAVAILABILITY_CAUSE;

    static {
        Throwable cause = null;
        try {
            if (!Platform.isLinux() || !Platform.is64Bit()) {
                throw new UnsupportedOperationException("AF_PACKET needs 64-bit Linux, this is "
                        + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
            }
            Native.register(AfPacket.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        } catch (Throwable t) { // UnsatisfiedLinkError, NoClassDefFoundError ...
            cause = t;
        }
        UNAVAILABILITY_CAUSE = cause;
    }

    private AfPacket() {
    }

    /** Null when packet sockets can be used here; otherwise why not. */
    static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /** A sockaddr_ll for {@code ifindex}, all protocols. */
    static Memory sockaddrLl(int ifindex) {
        Memory m = new Memory(20);
        m.clear();
        m.setShort(0, (short) AF_PACKET);
        m.setShort(2, ETH_P_ALL_BE);
        m.setInt(4, ifindex);
        return m;
    }

    /** A packet_mreq putting {@code ifindex} in promiscuous mode for as long as the socket lives. */
    static Memory promiscuous(int ifindex) {
        Memory m = new Memory(16);
        m.clear();
        m.setInt(0, ifindex);
        m.setShort(4, (short) PACKET_MR_PROMISC);
        return m;
    }

    /** A sock_fprog of {@code program} ({code, jt, jf, k} rows); the instructions live in {@code insns}. */
    static Memory filter(int[][] program, Memory insns) {
        for (int i = 0; i < program.length; i++) {
            long at = 8L * i;
            insns.setShort(at, (short) program[i][0]);
            insns.setByte(at + 2, (byte) program[i][1]);
            insns.setByte(at + 3, (byte) program[i][2]);
            insns.setInt(at + 4, program[i][3]);
        }
        Memory prog = new Memory(16);
        prog.clear();
        prog.setShort(0, (short) program.length);
        prog.setPointer(8, insns);
        return prog;
    }

    static final int MMSGHDR_SIZE = 64;
    static final int MSG_LEN_OFFSET = 56;

    /**
     * {@code count} mmsghdrs (in {@code headers}) each receiving into its own {@code slotBytes}
     * slot of {@code slots}, through the iovecs in {@code iovecs}.
     */
    static void messages(Memory headers, Memory iovecs, Memory slots, int count, int slotBytes) {
        headers.clear();
        for (int i = 0; i < count; i++) {
            iovecs.setPointer(16L * i, slots.share((long) i * slotBytes));
            iovecs.setLong(16L * i + 8, slotBytes);
            headers.setPointer((long) i * MMSGHDR_SIZE + 16, iovecs.share(16L * i));
            headers.setLong((long) i * MMSGHDR_SIZE + 24, 1);
        }
    }

    static native int socket(int domain, int type, int protocol);

    static native int if_nametoindex(String name);

    static native int bind(int fd, Pointer addr, int addrLen);

    static native int setsockopt(int fd, int level, int name, Pointer value, int length);

    static native int getsockopt(int fd, int level, int name, Pointer value, Pointer length);

    static native int recvmmsg(int fd, Pointer msgvec, int vlen, int flags, Pointer timeout);

    static native long send(int fd, Pointer buf, long length, int flags);

    static native int close(int fd);
}
