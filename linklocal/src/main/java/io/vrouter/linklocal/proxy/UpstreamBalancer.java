package io.vrouter.linklocal.proxy;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Orders the fabric addresses for one request: round robin over the addresses that are up,
 * then those marked down (still tried, last, so a wrongly-marked address costs a retry, not
 * an outage). An address is marked down for {@code downNanos} when a connect to it fails.
 * Shared by all event loops; lock-free.
 */
final class UpstreamBalancer {
    private final MetadataUpstreams upstreams;
    private final long downNanos;
    private final AtomicInteger next = new AtomicInteger();
    private final ConcurrentHashMap<InetSocketAddress, Long> downUntil = new ConcurrentHashMap<>();

    UpstreamBalancer(MetadataUpstreams upstreams, long downNanos) {
        this.upstreams = upstreams;
        this.downNanos = downNanos;
    }

    /** The addresses to try, in order; empty when no metadata service is configured. */
    List<InetSocketAddress> order(long nowNanos) {
        List<InetSocketAddress> all = upstreams.current();
        int n = all == null ? 0 : all.size();
        if (n == 0) {
            return List.of();
        }
        if (n == 1) {
            return all;
        }
        int start = Math.floorMod(next.getAndIncrement(), n);
        List<InetSocketAddress> up = new ArrayList<>(n);
        List<InetSocketAddress> down = null;
        for (int i = 0; i < n; i++) {
            InetSocketAddress a = all.get((start + i) % n);
            if (isDown(a, nowNanos)) {
                if (down == null) {
                    down = new ArrayList<>(2);
                }
                down.add(a);
            } else {
                up.add(a);
            }
        }
        if (down != null) {
            up.addAll(down);
        }
        return up;
    }

    boolean isDown(InetSocketAddress a, long nowNanos) {
        Long until = downUntil.get(a);
        if (until == null) {
            return false;
        }
        if (nowNanos - until >= 0) {
            downUntil.remove(a, until);
            return false;
        }
        return true;
    }

    void markDown(InetSocketAddress a, long nowNanos) {
        if (downNanos > 0) {
            downUntil.put(a, nowNanos + downNanos);
        }
    }

    void markUp(InetSocketAddress a) {
        if (!downUntil.isEmpty()) {
            downUntil.remove(a);
        }
    }
}
