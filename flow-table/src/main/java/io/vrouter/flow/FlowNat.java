package io.vrouter.flow;

import static io.vrouter.flow.FlowRecord.DIP;
import static io.vrouter.flow.FlowRecord.PORTS;
import static io.vrouter.flow.FlowRecord.SIP;
import static io.vrouter.flow.FlowRecord.STATE;
import static io.vrouter.flow.FlowRecord.STRIDE;

/**
 * NAT of a flow pair, the vrouter way (table in {@link FlowFlags}): the flags are derived by
 * comparing a flow's key with its partner's, and the translated values are read from the
 * partner's key. Static functions over the record array; no state.
 */
final class FlowNat {
    private FlowNat() {
    }

    /**
     * NAT flags of flow x given its partner y, from their SIP, DIP and PORTS words: each field
     * where y is not x swapped.
     */
    static int flags(int xsip, int xdip, int xports, int ysip, int ydip, int yports) {
        int flags = 0;
        if (ydip != xsip) {
            flags |= FlowFlags.SNAT;
        }
        if (ysip != xdip) {
            flags |= FlowFlags.DNAT;
        }
        if (FlowRecord.dport(yports) != FlowRecord.sport(xports)) {
            flags |= FlowFlags.SPAT;
        }
        if (FlowRecord.sport(yports) != FlowRecord.dport(xports)) {
            flags |= FlowFlags.DPAT;
        }
        return flags;
    }

    /** Source address after SNAT (the partner's destination), else the flow's own source; 0 for e &lt; 0. */
    static int sourceIp(int[] rec, int e) {
        return field(rec, e, DIP, SIP, FlowFlags.SNAT);
    }

    /** Destination address after DNAT (the partner's source), else the flow's own; 0 for e &lt; 0. */
    static int destinationIp(int[] rec, int e) {
        return field(rec, e, SIP, DIP, FlowFlags.DNAT);
    }

    /**
     * Source port after SPAT (the partner's destination port) or destination port after DPAT (the
     * partner's source port), else the flow's own; 0 for e &lt; 0.
     */
    static int port(int[] rec, int e, boolean source) {
        int ports = field(rec, e, PORTS, PORTS, source ? FlowFlags.SPAT : FlowFlags.DPAT);
        boolean fromPartner = e >= 0 && FlowRecord.hasFlag(rec[e * STRIDE + STATE], source ? FlowFlags.SPAT : FlowFlags.DPAT);
        return source == fromPartner ? FlowRecord.dport(ports) : FlowRecord.sport(ports);
    }

    /** The partner's {@code partnerWord} when flow e has NAT {@code flag} (and a partner), else its own {@code ownWord}. */
    private static int field(int[] rec, int e, int partnerWord, int ownWord, int flag) {
        if (e < 0) {
            return 0;
        }
        int b = e * STRIDE;
        int p = FlowRecord.partner(rec, b);
        if (p >= 0 && FlowRecord.hasFlag(rec[b + STATE], flag)) {
            return rec[p * STRIDE + partnerWord];
        }
        return rec[b + ownWord];
    }
}
