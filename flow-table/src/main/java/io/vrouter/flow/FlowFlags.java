package io.vrouter.flow;

/**
 * Bits of a flow entry's 16-bit flags field (see {@link FlowRecord}).
 *
 * <p>The NAT bits are never set by the caller: they are derived when a forward/reverse pair is
 * linked with action {@link FlowAction#NAT}, by comparing the flow's key with its partner's key
 * the way vrouter does. For a flow X with partner Y, an un-translated partner would be X's key
 * swapped; each difference is a translation whose new value is read from Y's key:
 *
 * <table>
 *   <caption>NAT flags</caption>
 *   <tr><th>flag</th><th>set when</th><th>X's field becomes</th></tr>
 *   <tr><td>SNAT</td><td>Y.dip != X.sip</td><td>source IP = Y.dip</td></tr>
 *   <tr><td>DNAT</td><td>Y.sip != X.dip</td><td>destination IP = Y.sip</td></tr>
 *   <tr><td>SPAT</td><td>Y.dport != X.sport</td><td>source port = Y.dport</td></tr>
 *   <tr><td>DPAT</td><td>Y.sport != X.dport</td><td>destination port = Y.sport</td></tr>
 * </table>
 */
public final class FlowFlags {
    /** Source address translated. Derived. */
    public static final int SNAT = 1;
    /** Source port translated. Derived. */
    public static final int SPAT = 1 << 1;
    /** Destination address translated. Derived. */
    public static final int DNAT = 1 << 2;
    /** Destination port translated. Derived. */
    public static final int DPAT = 1 << 3;
    /** Mask of the derived NAT bits. */
    public static final int NAT_MASK = SNAT | SPAT | DNAT | DPAT;
    /** A link-local service flow: counted against the link-local limits. Set by the caller. */
    public static final int LINK_LOCAL = 1 << 4;
    /** This entry was installed as the reverse half of a pair. Derived. */
    public static final int REVERSE = 1 << 5;
    /** TCP FIN seen in both directions, or RST: removed after the close linger. Derived. */
    public static final int TCP_CLOSED = 1 << 6;
    /**
     * A fast path outside the table forwards this direction's packets ({@link FlowOffload}):
     * its counters and last-seen are merged from there. Set by {@link FlowTable#markOffloaded}.
     */
    public static final int OFFLOADED = 1 << 7;

    /** The flags a caller may pass when installing a flow; the others are derived. */
    public static final int CALLER_MASK = LINK_LOCAL;

    private FlowFlags() {
    }

    /** Human-readable list, e.g. {@code "SNAT|DNAT|LINK_LOCAL"}; {@code "-"} when none. */
    public static String describe(int flags) {
        StringBuilder sb = new StringBuilder();
        append(sb, flags, SNAT, "SNAT");
        append(sb, flags, SPAT, "SPAT");
        append(sb, flags, DNAT, "DNAT");
        append(sb, flags, DPAT, "DPAT");
        append(sb, flags, LINK_LOCAL, "LINK_LOCAL");
        append(sb, flags, REVERSE, "REVERSE");
        append(sb, flags, TCP_CLOSED, "TCP_CLOSED");
        append(sb, flags, OFFLOADED, "OFFLOADED");
        return sb.length() == 0 ? "-" : sb.toString();
    }

    private static void append(StringBuilder sb, int flags, int bit, String name) {
        if ((flags & bit) != 0) {
            if (sb.length() > 0) {
                sb.append('|');
            }
            sb.append(name);
        }
    }
}
