package io.vrouter.agent.dataplane.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import io.vrouter.agent.dataplane.TestFrames;
import io.vrouter.agent.dataplane.host.LinkLocalFilter;
import io.vrouter.agent.netns.NetnsExtension;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fast path's programs run by the kernel on crafted frames (BPF_PROG_TEST_RUN: root, no
 * namespace, nothing sent): which frames they take, the NAT they write (checksums checked from
 * scratch), the counters, and what the capture socket keeps. One flow in each direction.
 */
class FastPathProgramsTest {
    @RegisterExtension
    static final NetnsExtension NETNS = NetnsExtension.namespaces();
    private static final int TC_ACT_UNSPEC = -1;
    private static final int TC_ACT_REDIRECT = 7;
    private static final int LO = 1;
    private static final int GUEST = 0x0a000003;
    private static final int SERVICE = 0xa9fea9fe;
    private static final int METADATA_IP = 0xa9fe0007;
    private static final int PROXY = 0xc612a9fe;
    private static final long GUEST_MAC = 0x02_00_00_00_00_07L;
    private static final long AGENT_MAC = 0x00_00_5e_00_01_00L;
    private static final long VHOST_MAC = 0x02_00_00_00_00_99L;
    private static final byte[] REQUEST = "GET /latest/meta-data/instance-id HTTP/1.1\r\n\r\n".getBytes();

    private static int map;
    private static int tc;
    private static int sharedSocket;
    private static int exclusiveSocket;

    @BeforeAll
    static void load() {
        map = Bpf.createHashMap("vr_test", FastPathPrograms.KEY_SIZE, FastPathPrograms.VALUE_SIZE, 16);
        tc = Bpf.loadProgram("vr_test_tc", Bpf.PROG_TYPE_SCHED_CLS, FastPathPrograms.tc(map));
        sharedSocket = Bpf.loadProgram("vr_test_ll", Bpf.PROG_TYPE_SOCKET_FILTER,
                FastPathPrograms.socket(map, LinkLocalFilter.socketProgram()));
        exclusiveSocket = Bpf.loadProgram("vr_test_all", Bpf.PROG_TYPE_SOCKET_FILTER, FastPathPrograms.socket(map, null));
        // guest 10.0.0.3:40000 -> 169.254.169.254:80 on "tap" lo becomes 169.254.0.7:40000 -> proxy:8097
        put(LO, GUEST, SERVICE, 40000, 80, METADATA_IP, PROXY, 40000, 8097, VHOST_MAC, AGENT_MAC, 9, 1);
        // the reply, keyed on "vhost" lo with the proxy's addresses, back to the guest's
        put(LO, PROXY, METADATA_IP, 8097, 40000, SERVICE, GUEST, 80, 40000, GUEST_MAC, AGENT_MAC, 8, 0);
    }

    @AfterAll
    static void close() {
        for (int fd : new int[] {exclusiveSocket, sharedSocket, tc, map}) {
            if (fd > 0) {
                Bpf.close(fd);
            }
        }
    }

    private static void put(int ifindex, int sip, int dip, int sport, int dport, int nsip, int ndip, int nsport,
                            int ndport, long dmac, long smac, int outIfindex, int flags) {
        Memory key = new Memory(16);
        FastPathPrograms.writeKey(key, ifindex, sip, dip, sport, dport);
        Memory v = new Memory(FastPathPrograms.VALUE_SIZE);
        v.clear();
        v.setInt(0, Integer.reverseBytes(nsip));
        v.setInt(4, Integer.reverseBytes(ndip));
        v.setShort(8, Short.reverseBytes((short) nsport));
        v.setShort(10, Short.reverseBytes((short) ndport));
        for (int i = 0; i < 6; i++) {
            v.setByte(12 + i, (byte) (dmac >>> (40 - 8 * i)));
            v.setByte(18 + i, (byte) (smac >>> (40 - 8 * i)));
        }
        v.setInt(24, outIfindex);
        v.setInt(28, flags);
        Memory attr = Bpf.attr();
        Bpf.elementAttr(attr, map, key, v, 0);
        assertEquals(0, Bpf.call(Bpf.MAP_UPDATE_ELEM, attr));
    }

    private static long packets(int ifindex, int sip, int dip, int sport, int dport) {
        Memory key = new Memory(16);
        FastPathPrograms.writeKey(key, ifindex, sip, dip, sport, dport);
        Memory v = new Memory(FastPathPrograms.VALUE_SIZE);
        Memory attr = Bpf.attr();
        Bpf.elementAttr(attr, map, key, v, 0);
        assertEquals(0, Bpf.call(Bpf.MAP_LOOKUP_ELEM, attr));
        return v.getLong(FastPathPrograms.VALUE_PACKETS);
    }

    private static byte[] fromGuest(int flags, int sport) {
        return TestFrames.tcp(GUEST_MAC, AGENT_MAC, GUEST, SERVICE, sport, 80, flags, flags == 0x18 ? REQUEST : new byte[0]);
    }

    private static int tc(byte[] frame, byte[] out) {
        return Bpf.testRun(tc, frame, LO, out);
    }

    /** The socket program's verdict: how a packet socket sees the frame (from its Ethernet header). */
    private static int capture(int prog, byte[] frame) {
        byte[] in = new byte[14 + frame.length]; // the test run pulls an Ethernet header first
        in[12] = 0x08;
        System.arraycopy(frame, 0, in, 14, frame.length);
        return Bpf.testRun(prog, in, LO, new byte[in.length]);
    }

    @Test
    void anEstablishedSegmentShouldBeNatdWithRightChecksumsCountedAndRedirected() {
        byte[] in = fromGuest(0x18, 40000);
        byte[] out = new byte[in.length];
        long before = packets(LO, GUEST, SERVICE, 40000, 80);
        assertEquals(TC_ACT_REDIRECT, tc(in, out));
        ByteBuffer b = ByteBuffer.wrap(out);
        assertEquals(VHOST_MAC, ((long) b.getInt(0) << 16 | (b.getShort(4) & 0xffff)) & 0xffff_ffff_ffffL);
        assertEquals(AGENT_MAC, ((long) b.getInt(6) << 16 | (b.getShort(10) & 0xffff)) & 0xffff_ffff_ffffL);
        assertEquals(METADATA_IP, TestFrames.ipSrc(out));
        assertEquals(PROXY, TestFrames.ipDst(out));
        assertEquals(40000, TestFrames.srcPort(out));
        assertEquals(8097, TestFrames.dstPort(out));
        assertTrue(TestFrames.checksumsValid(out), "IPv4 and TCP checksums after the incremental update");
        assertArrayEquals(REQUEST, TestFrames.payload(out));
        assertEquals(before + 1, packets(LO, GUEST, SERVICE, 40000, 80));
    }

    @Test
    void theSynAckTowardsTheGuestAndAGuestsFinShouldBeTakenButNotAGuestsSynOrAnRst() {
        byte[] synAck = TestFrames.tcp(VHOST_MAC, AGENT_MAC, PROXY, METADATA_IP, 8097, 40000, 0x12, new byte[0]);
        byte[] out = new byte[synAck.length];
        assertEquals(TC_ACT_REDIRECT, tc(synAck, out));
        assertEquals(SERVICE, TestFrames.ipSrc(out));
        assertEquals(GUEST, TestFrames.ipDst(out));
        assertEquals(80, TestFrames.srcPort(out));
        assertTrue(TestFrames.checksumsValid(out));
        assertEquals(TC_ACT_REDIRECT, tc(fromGuest(0x11, 40000), new byte[64]), "FIN in stream order");
        byte[] syn = fromGuest(0x02, 40000);
        byte[] untouched = new byte[syn.length];
        assertEquals(TC_ACT_UNSPEC, tc(syn, untouched), "the guest's SYN is the agent's");
        assertArrayEquals(syn, untouched);
        assertEquals(TC_ACT_UNSPEC, tc(fromGuest(0x14, 40000), new byte[64]), "RST");
    }

    @Test
    void framesTheFastPathDoesNotKnowOrTakeShouldBeLeftToTheNextFilter() {
        assertEquals(TC_ACT_UNSPEC, tc(fromGuest(0x10, 40001), new byte[64]), "no flow");
        byte[] arp = TestFrames.arp(1, GUEST_MAC, -1L, GUEST_MAC, GUEST, 0, SERVICE);
        assertEquals(TC_ACT_UNSPEC, tc(arp, new byte[arp.length]), "ARP");
        byte[] fragment = fromGuest(0x10, 40000);
        fragment[20] = 0x20; // MF
        assertEquals(TC_ACT_UNSPEC, tc(fragment, new byte[64]), "a fragment");
        byte[] options = fromGuest(0x10, 40000);
        options[14] = 0x46;
        assertEquals(TC_ACT_UNSPEC, tc(options, new byte[64]), "IPv4 options");
        byte[] tagged = new byte[options.length + 4];
        byte[] plain = fromGuest(0x10, 40000);
        System.arraycopy(plain, 0, tagged, 0, 12);
        tagged[12] = (byte) 0x81;
        System.arraycopy(plain, 12, tagged, 16, plain.length - 12);
        assertEquals(TC_ACT_UNSPEC, tc(Arrays.copyOf(tagged, plain.length + 4), new byte[96]), "VLAN tagged");
        byte[] udp = TestFrames.udp(GUEST_MAC, AGENT_MAC, GUEST, SERVICE, 40000, 80, new byte[4]);
        assertEquals(TC_ACT_UNSPEC, tc(udp, new byte[udp.length]), "UDP");
    }

    @Test
    void theCaptureSocketShouldNotGetWhatTheKernelForwardsExceptAFinCopy() {
        assertEquals(0, capture(sharedSocket, fromGuest(0x18, 40000)), "forwarded by the kernel");
        assertEquals(-1, capture(sharedSocket, fromGuest(0x11, 40000)), "a FIN: the agent's copy");
        assertEquals(-1, capture(sharedSocket, fromGuest(0x02, 40000)), "the SYN: the agent's");
        assertEquals(-1, capture(sharedSocket, fromGuest(0x10, 40001)), "link-local, no flow: the agent's");
        byte[] other = TestFrames.tcp(GUEST_MAC, AGENT_MAC, GUEST, 0x0a000009, 40000, 80, 0x10, new byte[0]);
        assertEquals(0, capture(sharedSocket, other), "shared mode: not link-local, the bridge's");
        assertEquals(-1, capture(exclusiveSocket, other), "exclusive mode: every other frame the agent's");
        assertEquals(0, capture(exclusiveSocket, fromGuest(0x10, 40000)));
    }
}
