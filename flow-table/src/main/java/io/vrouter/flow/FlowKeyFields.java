package io.vrouter.flow;

/**
 * The six fields of a flow key, shared by {@link FlowKey} (what a caller builds) and
 * {@link FlowSnapshot} (what a reader copies out of an entry): interface/next-hop id, IP
 * protocol, IPv4 source and destination, source and destination port. Addresses are {@code int}s
 * in network order value (192.0.2.1 is {@code 0xC0000201}).
 */
abstract class FlowKeyFields {
    int nh;
    int proto;
    int sip;
    int dip;
    int sport;
    int dport;

    FlowKeyFields() {
    }

    /** Stores already validated fields. */
    final void fill(int nh, int proto, int sip, int dip, int sport, int dport) {
        this.nh = nh;
        this.proto = proto;
        this.sip = sip;
        this.dip = dip;
        this.sport = sport;
        this.dport = dport;
    }

    /** Interface / next-hop id, 0..{@link FlowRecord#MAX_INTERFACE_ID}. */
    public final int nh() {
        return nh;
    }

    /** IP protocol, 0-255. */
    public final int proto() {
        return proto;
    }

    /** IPv4 source address. */
    public final int sip() {
        return sip;
    }

    /** IPv4 destination address. */
    public final int dip() {
        return dip;
    }

    /** Source port (ICMP echo: the identifier). */
    public final int sport() {
        return sport;
    }

    /** Destination port (ICMP echo: the type). */
    public final int dport() {
        return dport;
    }

    /** {@code nh=1 proto=6 10.0.0.1:1024 -> 169.254.169.254:80}. */
    final String keyString() {
        return "nh=" + nh + " proto=" + proto + " " + FlowKey.ip(sip) + ":" + sport + " -> " + FlowKey.ip(dip) + ":"
                + dport;
    }
}
