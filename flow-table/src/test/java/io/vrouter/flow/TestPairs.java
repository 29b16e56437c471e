package io.vrouter.flow;

/**
 * Installs a forward + reverse pair the way the agent does: a HOLD flow for the forward key (the
 * first packet), then the agent's answer with {@link FlowTable#installReverse}.
 */
final class TestPairs {
    /** Wire TCP flags of a SYN: the one TCP packet that creates a flow. */
    static final int SYN = 0x02;

    private TestPairs() {
    }

    /**
     * A builder with the guest-protection defaults off (no per-VM share, no new-flow rate, drop
     * and embryonic flows aged like any other): for tests of the table's mechanics, which create
     * many flows on one interface at one instant. The protections have their own tests.
     */
    static FlowTableConfig.Builder unguarded() {
        return FlowTableConfig.builder().maxVmFlowsPercent(100).newFlowsPerSecond(0)
                .embryonicTimeoutNs(FlowTableConfig.MAX_TIMEOUT_NS).dropTimeoutNs(FlowTableConfig.MAX_TIMEOUT_NS);
    }

    /** A table whose released packets are logged in {@code released} as "packet:ACTION", in release order. */
    static FlowTable<String> recording(FlowTableConfig.Builder b, java.util.List<String> released) {
        return new FlowTable<>(b.build(), (p, h, a) -> released.add(p + ":" + FlowAction.name(a)));
    }

    /**
     * @return the forward handle; or the refusal of {@code addHold} (nothing installed) or of
     *         {@code installReverse} (the forward flow is left as a DROP flow carrying the reason)
     */
    static long install(FlowTable<?> t, FlowKey forward, FlowKey reverse, int action, int flags, long nowNs) {
        long f = t.addHold(forward, TestPairs.SYN, nowNs);
        if (!FlowResult.isHandle(f)) {
            return f;
        }
        long r = t.installReverse(f, reverse, action, flags, nowNs);
        return FlowResult.isHandle(r) ? f : r;
    }
}
