package io.vrouter.drop;

/**
 * Why a packet was dropped. Stored with drop flows and counted per reason, so "why was this
 * dropped" is always answerable (introspect, logs). Codes are stable: they are stored in flow
 * entries and shown to operators; add new reasons at the end of their group, never renumber.
 */
public enum DropReason {
    // --- packet parsing (1-31) ---
    TRUNCATED(1, "frame shorter than its headers claim"),
    OVERSIZED(2, "frame longer than the maximum frame size"),
    UNSUPPORTED_ETHERTYPE(3, "ethertype is not IPv4, IPv6 or ARP"),
    BAD_IP_VERSION(4, "IP version does not match the ethertype"),
    BAD_IP_HEADER_LENGTH(5, "IPv4 header length below 20 or beyond the packet"),
    BAD_IP_TOTAL_LENGTH(6, "IPv4 total length or IPv6 payload length inconsistent with the frame"),
    BAD_L4_HEADER(7, "TCP/UDP/ICMP header malformed"),
    UNSUPPORTED_PROTOCOL(8, "IP protocol not handled by link-local flows"),
    FRAGMENT(9, "non-first IP fragment cannot be matched to a flow"),
    BAD_ARP(10, "malformed ARP"),
    BAD_CHECKSUM(11, "IPv4 header checksum is wrong"),
    BAD_IPV6_EXTENSION(12, "IPv6 extension header malformed, misplaced or more than 8"),
    BAD_NDP(13, "malformed IPv6 neighbour discovery message"),
    NDP_HOP_LIMIT(14, "neighbour discovery message with a hop limit other than 255 (RFC 4861)"),

    // --- flow table (32-63) ---
    FLOW_TABLE_FULL(32, "no free flow entry"),
    HOLD_LIMIT(33, "too many flows waiting for the agent (HOLD)"),
    HOLD_QUEUE_FULL(34, "per-flow HOLD queue full"),
    VM_FLOW_LIMIT(35, "interface exceeded its flow limit"),
    LINKLOCAL_FLOW_LIMIT(36, "link-local flow limit reached"),
    DROP_FLOW(37, "flow action is DROP"),
    FLOW_EVICTED(38, "flow deleted while packets were held"),
    TCP_NOT_SYN(39, "TCP packet without a flow is not a connection start (a SYN without ACK, FIN or RST)"),
    NEW_FLOW_RATE_LIMIT(40, "interface exceeded its new-flow rate"),
    IPV6_ADDRESS_TABLE_FULL(41, "no free entry for another IPv6 address in the flow table"),

    // --- agent policy (64-95) ---
    NO_SERVICE(64, "destination is not a link-local service"),
    SPOOFED_SOURCE(65, "source MAC or IP is not the port's"),
    UNKNOWN_INTERFACE(66, "packet from an interface with no port"),
    POLICY(67, "traffic other than link-local services is not forwarded"),
    NO_METADATA_IP(68, "port has no link-local metadata address"),
    SERVICE_UNAVAILABLE(69, "service has no reachable fabric address");

    private static final DropReason[] BY_CODE = new DropReason[128];

    static {
        for (DropReason r : values()) {
            BY_CODE[r.code] = r;
        }
    }

    private final int code;
    private final String description;

    DropReason(int code, String description) {
        this.code = code;
        this.description = description;
    }

    /** Stable numeric code, 1-127 (0 means "not dropped"). */
    public int code() {
        return code;
    }

    public String description() {
        return description;
    }

    /** The reason for a code, or {@code null} for 0 or an unknown code. */
    public static DropReason ofCode(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
