package io.vrouter.linklocal.proxy;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class UpstreamBalancerTest {
    private static final InetSocketAddress A = new InetSocketAddress("192.0.2.1", 8775);
    private static final InetSocketAddress B = new InetSocketAddress("192.0.2.2", 8775);
    private static final InetSocketAddress C = new InetSocketAddress("192.0.2.3", 8775);

    @Test
    void shouldRotateTheFirstAddressRoundRobin() {
        UpstreamBalancer b = new UpstreamBalancer(MetadataUpstreams.fixed(List.of(A, B, C)), 1000);
        assertEquals(List.of(A, B, C), b.order(0));
        assertEquals(List.of(B, C, A), b.order(0));
        assertEquals(List.of(C, A, B), b.order(0));
        assertEquals(List.of(A, B, C), b.order(0));
    }

    @Test
    void shouldTryDownAddressesLastUntilTheirDownTimeEnds() {
        UpstreamBalancer b = new UpstreamBalancer(MetadataUpstreams.fixed(List.of(A, B)), 1000);
        b.markDown(A, 0);
        assertEquals(List.of(B, A), b.order(10));
        assertEquals(List.of(B, A), b.order(999));
        List<InetSocketAddress> after = b.order(1000);
        assertTrue(after.equals(List.of(A, B)) || after.equals(List.of(B, A)));
        assertFalse(b.isDown(A, 1000));
    }

    @Test
    void shouldClearDownMarkOnSuccess() {
        UpstreamBalancer b = new UpstreamBalancer(MetadataUpstreams.fixed(List.of(A, B)), 1000);
        b.markDown(A, 0);
        b.markUp(A);
        assertFalse(b.isDown(A, 1));
    }

    @Test
    void shouldFollowTheCurrentConfiguration() {
        AtomicReference<List<InetSocketAddress>> current = new AtomicReference<>(List.of());
        UpstreamBalancer b = new UpstreamBalancer(current::get, 1000);
        assertTrue(b.order(0).isEmpty());
        current.set(List.of(C));
        assertEquals(List.of(C), b.order(0));
    }
}
