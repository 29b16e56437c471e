package io.vrouter.flow;

/**
 * A mutable, reusable flow key: interface/next-hop id, IP protocol, source and destination
 * address (IPv4, or IPv6 after {@link #set6}), source and destination port (for ICMP echo: the
 * identifier as source port, the type as destination port, as vrouter does). Callers keep one
 * per thread and refill it, so the agent's install path does not allocate; the per-packet path
 * uses the primitive {@link FlowTable#lookup(int, int, int, int, int, int)} and
 * {@link FlowTable#lookup6} instead.
 *
 * <p>IPv4 addresses are {@code int}s in network order value (192.0.2.1 is {@code 0xC0000201});
 * IPv6 addresses two {@code long}s, high and low 64 bits (as {@code io.vrouter.packet.Ipv6} reads them). An IPv6 key carries
 * its addresses here; the table turns them into address ids when it stores the key
 * ({@link FlowRecord}, "IPv6 keys"), so {@link #sip()} and {@link #dip()} are 0 for it.
 * Ranges: protocol 0-255, ports 0-65535, interface id 0..{@link FlowRecord#MAX_INTERFACE_ID}.
 * {@link #set} and {@link #set6} reject values outside them with {@link IllegalArgumentException}.
 */
public final class FlowKey extends FlowKeyFields {
    long sipHi;
    long sipLo;
    long dipHi;
    long dipLo;

    public FlowKey() {
    }

    public FlowKey(int nh, int proto, int sip, int dip, int sport, int dport) {
        set(nh, proto, sip, dip, sport, dport);
    }

    /** Fills this key (IPv4); returns {@code this}. */
    public FlowKey set(int nh, int proto, int sip, int dip, int sport, int dport) {
        check(nh, proto, sport, dport);
        fillWords(sip, dip, FlowRecord.ports(sport, dport), FlowRecord.protoNh(proto, nh));
        sipHi = sipLo = dipHi = dipLo = 0;
        return this;
    }

    /** Fills this key (IPv6); returns {@code this}. */
    public FlowKey set6(int nh, int proto, long srcHi, long srcLo, long dstHi, long dstLo, int sport, int dport) {
        check(nh, proto, sport, dport);
        fillWords(0, 0, FlowRecord.ports(sport, dport), FlowRecord.protoNh6(proto, nh));
        sipHi = srcHi;
        sipLo = srcLo;
        dipHi = dstHi;
        dipLo = dstLo;
        return this;
    }

    private static void check(int nh, int proto, int sport, int dport) {
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
    }

    /** Copies {@code other}; returns {@code this}. */
    public FlowKey set(FlowKey other) {
        fillWords(other.sip, other.dip, other.ports, other.protoNh);
        sipHi = other.sipHi;
        sipLo = other.sipLo;
        dipHi = other.dipHi;
        dipLo = other.dipLo;
        return this;
    }

    /** IPv6 source, high 64 bits (0 for an IPv4 key). */
    public long sip6Hi() {
        return sipHi;
    }

    public long sip6Lo() {
        return sipLo;
    }

    public long dip6Hi() {
        return dipHi;
    }

    public long dip6Lo() {
        return dipLo;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FlowKey k && sameKey(k) && k.sipHi == sipHi && k.sipLo == sipLo && k.dipHi == dipHi
                && k.dipLo == dipLo;
    }

    @Override
    public int hashCode() {
        int h = protoNh;
        h = 31 * h + sip;
        h = 31 * h + dip;
        h = 31 * h + Long.hashCode(sipHi ^ 31 * sipLo);
        h = 31 * h + Long.hashCode(dipHi ^ 31 * dipLo);
        return 31 * h + ports;
    }

    @Override
    public String toString() {
        return keyString();
    }

    @Override
    String keyString() {
        if (isIpv6()) {
            return "nh=" + nh() + " proto=" + proto() + " [" + ip6(sipHi, sipLo) + "]:" + sport() + " -> ["
                    + ip6(dipHi, dipLo) + "]:" + dport();
        }
        return super.keyString();
    }

    /** Text of an IPv6 address given as high and low halves (diagnostics; allocates). */
    public static String ip6(long hi, long lo) {
        byte[] a = java.nio.ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
        try {
            return java.net.InetAddress.getByAddress(a).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e); // 16 bytes is always an address
        }
    }

    /** Dotted-quad text of an address. */
    public static String ip(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
    }
}
