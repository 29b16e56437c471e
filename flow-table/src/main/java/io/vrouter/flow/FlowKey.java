package io.vrouter.flow;

/**
 * A mutable, reusable flow key: interface/next-hop id, IP protocol, IPv4 source and destination,
 * source and destination port (for ICMP echo: the identifier as source port, the type as
 * destination port, as vrouter does). Callers keep one per thread and refill it, so the agent's
 * install path does not allocate; the per-packet path uses the primitive
 * {@link FlowTable#lookup(int, int, int, int, int, int)} instead.
 *
 * <p>Addresses are {@code int}s in network order value (192.0.2.1 is {@code 0xC0000201}).
 * Ranges: protocol 0-255, ports 0-65535, interface id 0..{@link FlowRecord#MAX_INTERFACE_ID}.
 * {@link #set} rejects values outside them with {@link IllegalArgumentException}.
 *
 * <p>IPv6: a key would carry two 128-bit addresses; see {@link FlowRecord} for how the layout
 * generalises. This class would gain {@code sip6/dip6} long pairs and a family field.
 */
public final class FlowKey extends FlowKeyFields {
    public FlowKey() {
    }

    public FlowKey(int nh, int proto, int sip, int dip, int sport, int dport) {
        set(nh, proto, sip, dip, sport, dport);
    }

    /** Fills this key; returns {@code this}. */
    public FlowKey set(int nh, int proto, int sip, int dip, int sport, int dport) {
        if (nh < 0 || nh > FlowRecord.MAX_INTERFACE_ID) {
            throw new IllegalArgumentException("interface id " + nh + " outside 0.." + FlowRecord.MAX_INTERFACE_ID);
        }
        if (proto < 0 || proto > 255) {
            throw new IllegalArgumentException("IP protocol " + proto + " outside 0..255");
        }
        if (sport < 0 || sport > 0xFFFF) {
            throw new IllegalArgumentException("source port " + sport + " outside 0..65535");
        }
        if (dport < 0 || dport > 0xFFFF) {
            throw new IllegalArgumentException("destination port " + dport + " outside 0..65535");
        }
        fillWords(sip, dip, FlowRecord.ports(sport, dport), FlowRecord.protoNh(proto, nh));
        return this;
    }

    /** Copies {@code other}; returns {@code this}. */
    public FlowKey set(FlowKey other) {
        fillWords(other.sip, other.dip, other.ports, other.protoNh);
        return this;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlowKey k && sameKey(k);
    }

    @Override
    public int hashCode() {
        int h = protoNh;
        h = 31 * h + sip;
        h = 31 * h + dip;
        return 31 * h + ports;
    }

    @Override
    public String toString() {
        return keyString();
    }

    /** Dotted-quad text of an address. */
    public static String ip(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
    }
}
