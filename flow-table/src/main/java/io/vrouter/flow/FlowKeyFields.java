package io.vrouter.flow;

/**
 * The key of a flow, shared by {@link FlowKey} (what a caller builds) and {@link FlowSnapshot}
 * (what a reader copies out of an entry), held as the four key words of {@link FlowRecord} (SIP,
 * DIP, PORTS, PROTO_NH) so it goes into and out of the record array without repacking. The
 * accessors name the six fields: interface / next-hop id (0..{@link FlowRecord#MAX_INTERFACE_ID}),
 * IP protocol (0-255), IPv4 source and destination (network order value: 192.0.2.1 is
 * {@code 0xC0000201}), source and destination port (0-65535; for ICMP echo the identifier and
 * the type). For an IPv6 flow ({@link #isIpv6()}) the table's words {@link #sip()} and
 * {@link #dip()} are address ids (see {@link FlowRecord}, "IPv6 keys").
 */
abstract class FlowKeyFields {
    int sip;
    int dip;
    int ports;
    int protoNh;

    FlowKeyFields() {
    }

    /** Stores the four key words of an entry (already in range). */
    final void fillWords(int sip, int dip, int ports, int protoNh) {
        this.sip = sip;
        this.dip = dip;
        this.ports = ports;
        this.protoNh = protoNh;
    }

    public final int nh() {
        return FlowRecord.nh(protoNh);
    }

    public final int proto() {
        return FlowRecord.proto(protoNh);
    }

    public final int sip() {
        return sip;
    }

    public final int dip() {
        return dip;
    }

    /** Whether this is an IPv6 flow's key. */
    public final boolean isIpv6() {
        return FlowRecord.isIpv6(protoNh);
    }

    public final int sport() {
        return FlowRecord.sport(ports);
    }

    public final int dport() {
        return FlowRecord.dport(ports);
    }

    /** Whether both hold the same key. */
    final boolean sameKey(FlowKeyFields o) {
        return o.sip == sip && o.dip == dip && o.ports == ports && o.protoNh == protoNh;
    }

    /** {@code nh=1 proto=6 10.0.0.1:1024 -> 169.254.169.254:80}; IPv6 ids as {@code v6#3}. */
    String keyString() {
        if (isIpv6()) {
            return "nh=" + nh() + " proto=" + proto() + " v6#" + sip + " port " + sport() + " -> v6#" + dip + " port "
                    + dport();
        }
        return "nh=" + nh() + " proto=" + proto() + " " + FlowKey.ip(sip) + ":" + sport() + " -> " + FlowKey.ip(dip)
                + ":" + dport();
    }
}
