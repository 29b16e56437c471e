package io.vrouter.linklocal.registry;

import static io.vrouter.linklocal.registry.Entries.addr;
import static io.vrouter.linklocal.registry.Entries.dns;
import static io.vrouter.linklocal.registry.Entries.ip;
import static io.vrouter.linklocal.registry.Entries.snapshot;
import static io.vrouter.linklocal.registry.Entries.v4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RegistrySnapshotTest {

    private final RegistrySnapshot snap = snapshot(
            ip("metadata", "169.254.169.254", 80, 8775, "10.0.0.6", "10.0.0.5"),
            ip("ntp", "169.254.169.1", 123, 123, "10.0.1.1"),
            ip("ntp-alt-port", "169.254.169.1", 1123, 123, "10.0.1.2"),
            ip("metadata6", "fe80::a9fe:a9fe", 80, 8775, "fd00::5"),
            dns("registry", "169.254.169.2", 5000, "registry.fabric.example", 5000));

    @Test
    void shouldFindIpv4ServiceByAddressAndPort() {
        LinkLocalService s = snap.lookup(v4("169.254.169.254"), 80);
        assertEquals("metadata", s.name());
        assertEquals(8775, s.fabricPort());
        assertSame(snap.byName("ntp-alt-port"), snap.lookup(v4("169.254.169.1"), 1123));
        assertSame(snap.byName("ntp"), snap.lookup(v4("169.254.169.1"), 123));
    }

    @Test
    void shouldMissOnPortMismatchUnknownAddressAndOutOfRangePort() {
        assertNull(snap.lookup(v4("169.254.169.254"), 8080));
        assertNull(snap.lookup(v4("169.254.169.253"), 80));
        assertNull(snap.lookup(v4("169.254.169.254"), 80 + 65536), "must not alias port 80");
        assertNull(snap.lookup(v4("169.254.169.254"), -1));
        assertNull(RegistrySnapshot.EMPTY.lookup(v4("169.254.169.254"), 80));
    }

    @Test
    void shouldFindIpv6ServiceByInetAddressIgnoringScope() throws Exception {
        assertSame(snap.byName("metadata6"), snap.lookup(addr("fe80::a9fe:a9fe"), 80));
        assertSame(snap.byName("metadata6"), snap.lookup(java.net.Inet6Address.getByAddress(null,
                addr("fe80::a9fe:a9fe").getAddress(), 7), 80));
        assertNull(snap.lookup(addr("fe80::a9fe:a9fe"), 81));
        assertNull(snap.lookup(addr("fe80::1"), 80));
        assertNull(snap.lookup(null, 80));
        assertSame(snap.byName("metadata"), snap.lookup(addr("169.254.169.254"), 80));
    }

    @Test
    void shouldSelectIpv4AndIpv6MetadataServices() {
        assertEquals("metadata", snap.metadataService().name());
        assertEquals("metadata6", snap.metadata6Service().name());
        assertNull(snapshot(ip("ntp", "169.254.169.1", 123, 123, "10.0.1.1")).metadataService());
    }

    @Test
    void shouldPreferServiceNamedExactlyMetadataOverOtherMetadataNames() {
        RegistrySnapshot s = snapshot(
                ip("metadata-legacy", "169.254.169.250", 80, 8775, "10.0.0.9"),
                ip("MetaData", "169.254.169.254", 80, 8775, "10.0.0.5"));
        assertEquals("MetaData", s.metadataService().name());
        RegistrySnapshot only = snapshot(
                ip("ntp", "169.254.169.1", 123, 123, "10.0.1.1"),
                ip("nova-metadata", "169.254.169.254", 80, 8775, "10.0.0.5"),
                ip("metadata-b", "169.254.169.253", 80, 8775, "10.0.0.6"));
        assertEquals("nova-metadata", only.metadataService().name(), "first in config order");
        assertNull(only.metadata6Service());
    }

    @Test
    void shouldExposeFabricAddressesInCanonicalOrderWithIpv4Ints() {
        LinkLocalService md = snap.byName("metadata");
        assertEquals(List.of(addr("10.0.0.5"), addr("10.0.0.6")), md.fabricAddresses());
        assertEquals(2, md.fabricIpv4Count());
        assertEquals(v4("10.0.0.5"), md.fabricIpv4(0));
        assertEquals(v4("169.254.169.254"), md.serviceIpv4());
        assertTrue(md.isMetadata());
        assertTrue(md.isResolved());
        assertEquals("metadata 169.254.169.254:80 -> [10.0.0.5,10.0.0.6]:8775", md.toString());
        assertEquals(List.of(new java.net.InetSocketAddress(addr("10.0.0.5"), 8775),
                new java.net.InetSocketAddress(addr("10.0.0.6"), 8775)), md.fabricSocketAddresses());
        assertSame(md.fabricSocketAddresses(), md.fabricSocketAddresses(), "built once");
    }

    @Test
    void shouldLeaveDnsServiceUnresolvedUntilAnAnswerArrives() {
        LinkLocalService reg = snap.byName("registry");
        assertTrue(reg.entry().usesDns());
        assertFalse(reg.isResolved());
        assertEquals(List.of(), reg.fabricAddresses());
        assertEquals(0, reg.fabricIpv4Count());
        assertSame(reg, snap.lookup(v4("169.254.169.2"), 5000), "found, so the caller can refuse it clearly");
    }

    @Test
    void shouldTreatReorderedFabricIpsAsSameForwarding() {
        LinkLocalService a = snapshot(ip("m", "169.254.169.254", 80, 8775, "10.0.0.5", "10.0.0.6")).byName("m");
        LinkLocalService b = snapshot(ip("m", "169.254.169.254", 80, 8775, "10.0.0.6", "10.0.0.5")).byName("m");
        LinkLocalService c = snapshot(ip("m", "169.254.169.254", 80, 8776, "10.0.0.6", "10.0.0.5")).byName("m");
        assertTrue(a.sameForwarding(b));
        assertFalse(a.sameForwarding(c));
    }

    @Test
    void shouldRelyOnInet4AddressHashCodeBeingTheAddress() throws Exception {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
        for (int i = 0; i < 1000; i++) {
            int v = rnd.nextInt();
            byte[] b = {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
            assertEquals(v, java.net.InetAddress.getByAddress(b).hashCode());
        }
    }

    @Test
    void shouldLookUpWithoutAllocating() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(mx instanceof com.sun.management.ThreadMXBean,
                "needs com.sun.management.ThreadMXBean");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) mx;
        long tid = Thread.currentThread().getId();
        int ip = v4("169.254.169.254");
        java.net.InetAddress md6 = addr("fe80::a9fe:a9fe");
        java.net.InetAddress md4 = addr("169.254.169.254");
        int hits = 0;
        for (int round = 0; round < 3; round++) { // the first rounds warm up (class loading, JIT)
            long before = threads.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 100_000; i++) {
                hits += snap.lookup(ip, 80 + (i & 1)) != null ? 1 : 0;
                hits += snap.lookup(md6, 80) != null ? 1 : 0;
                hits += snap.lookup(md4, 80) != null ? 1 : 0;
            }
            long allocated = threads.getThreadAllocatedBytes(tid) - before;
            if (round == 2) {
                assertTrue(allocated < 1024, allocated + " bytes allocated by 300000 lookups");
            }
        }
        assertEquals(3 * 250_000, hits);
    }

    @Test
    void shouldRefuseToBuildSnapshotOfInvalidConfig() {
        io.vrouter.linklocal.config.ConfigValidationException e = org.junit.jupiter.api.Assertions.assertThrows(
                io.vrouter.linklocal.config.ConfigValidationException.class,
                () -> RegistrySnapshot.of(Entries.services(ip("a", "169.254.169.254", 80, 99999, "10.0.0.5")), "t"));
        assertEquals("linklocal_service_entry[0].ip_fabric_service_port", e.errors().get(0).field());
    }
}
