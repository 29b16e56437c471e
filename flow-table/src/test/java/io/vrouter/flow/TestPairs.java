package io.vrouter.flow;

/**
 * Installs a forward + reverse pair the way the agent does: a HOLD flow for the forward key (the
 * first packet), then the agent's answer with {@link FlowTable#installReverse}.
 */
final class TestPairs {
    private TestPairs() {
    }

    /**
     * @return the forward handle; or the refusal of {@code addHold} (nothing installed) or of
     *         {@code installReverse} (the forward flow is left as a DROP flow carrying the reason)
     */
    static long install(FlowTable<?> t, FlowKey forward, FlowKey reverse, int action, int flags, long nowNs) {
        long f = t.addHold(forward, nowNs);
        if (!FlowResult.isHandle(f)) {
            return f;
        }
        long r = t.installReverse(f, reverse, action, flags, nowNs);
        return FlowResult.isHandle(r) ? f : r;
    }
}
