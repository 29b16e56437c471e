package io.vrouter.flow;

/**
 * What the dataplane does with a packet that matches a flow. Plain {@code int} codes (not an enum)
 * so the per-packet path compares primitives; codes fit the 4-bit action field of
 * {@link FlowRecord}.
 */
public final class FlowAction {
    /** Internal: the entry is unused. Never returned for a valid handle. */
    public static final int FREE = 0;
    /** Drop every packet; the entry's drop reason says why. */
    public static final int DROP = 1;
    /** Waiting for the agent: packets are queued (bounded) until an action is set. */
    public static final int HOLD = 2;
    /** Forward unchanged. */
    public static final int FORWARD = 3;
    /** Forward with address/port translation read from the reverse flow's key. */
    public static final int NAT = 4;

    private static final String[] NAMES = {"FREE", "DROP", "HOLD", "FORWARD", "NAT"};

    private FlowAction() {
    }

    /** Whether {@code action} is one the agent may set on a flow (DROP, FORWARD or NAT). */
    public static boolean isFinal(int action) {
        return action == DROP || action == FORWARD || action == NAT;
    }

    /** Name of an action code, or {@code "UNKNOWN(n)"}. */
    public static String name(int action) {
        return action >= 0 && action < NAMES.length ? NAMES[action] : "UNKNOWN(" + action + ")";
    }
}
