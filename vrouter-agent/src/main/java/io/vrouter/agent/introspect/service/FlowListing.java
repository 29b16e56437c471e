package io.vrouter.agent.introspect.service;

import io.vrouter.drop.DropReason;
import io.vrouter.flow.FlowAction;
import io.vrouter.flow.FlowFlags;
import io.vrouter.flow.FlowRecord;
import io.vrouter.flow.FlowSnapshot;
import io.vrouter.flow.FlowTable;
import io.vrouter.introspect.FlowMatches;
import io.vrouter.introspect.api.FlowMatch;
import io.vrouter.introspect.api.KFlowInfo;
import io.vrouter.introspect.api.KFlowResp;
import io.vrouter.introspect.api.LinkLocalFlowInfo;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Flows as introspect shows them, read from the flow table by the introspect threads (Thrift
 * workers, the HTTP event loop) through the table's seqlock reads: each entry is copied as one
 * consistent version, the dataplane thread is never blocked or asked for anything, and nothing is
 * allocated on its side. A listing is not one atomic picture of the whole table (flows come and go
 * while it is read), as with vrouter's own {@code flow -l}, which reads the shared table too.
 *
 * <p>A page scans from a start index and stops after {@code limit} matches; its
 * {@code flow_handle} is the index to continue from ("" at the end of the table).
 *
 * <p>IPv6 flows (metadata6) hold address ids in their key words: the addresses are looked up in
 * the table's IPv6 address table and the entry read again; a flow replaced meanwhile (its ids
 * possibly reused) is left out of the page. An IPv4 {@code --match} address never matches them.
 */
final class FlowListing {
    /** Flows per page when the caller asks for 0. */
    static final int DEFAULT_PAGE = 1000;
    /** Most flows in one page (a Thrift frame or an XML page stays a few MB at most). */
    static final int MAX_PAGE = 10_000;
    private static final double NANOS_PER_TICK = 1L << FlowRecord.TICK_SHIFT;

    private final FlowTable<?> table;

    FlowListing(FlowTable<?> table) {
        this.table = table;
    }

    /** Flows from index {@code start} matching {@code match}, at most {@code limit} (0: the default page). */
    KFlowResp list(FlowMatch match, int start, int limit) {
        int page = limit == 0 ? DEFAULT_PAGE : limit;
        List<KFlowInfo> out = new ArrayList<>(Math.min(page, 64));
        FlowSnapshot s = new FlowSnapshot();
        int now = table.lastAgeTick();
        int cap = table.capacity();
        String next = "";
        FlowSnapshot again = new FlowSnapshot();
        for (int i = Math.max(0, start); i < cap; i++) {
            if (!table.read(i, s) || !matches(match, s)) {
                continue;
            }
            if (out.size() == page) {
                next = Integer.toString(i);
                break;
            }
            KFlowInfo k = info(s, now);
            if (!s.isIpv6() || stillSame(i, s, again)) {
                out.add(k);
            }
        }
        return new KFlowResp(out, next, cap, table.size());
    }

    /** Forward halves of the link-local flows (the guest's side of each NAT pair). */
    List<LinkLocalFlowInfo> linkLocal() {
        List<LinkLocalFlowInfo> out = new ArrayList<>();
        FlowSnapshot s = new FlowSnapshot();
        FlowSnapshot again = new FlowSnapshot();
        int now = table.lastAgeTick();
        long nowMs = System.currentTimeMillis();
        int cap = table.capacity();
        for (int i = 0; i < cap; i++) {
            if (table.read(i, s) && isLinkLocalForward(s)) {
                LinkLocalFlowInfo info = new LinkLocalFlowInfo(-1, s.index(), address(s, s.sip()), address(s, s.dip()),
                        s.proto(), s.sport(), s.dport(), Instant.ofEpochMilli(nowMs - ageMs(s, now)).toString());
                if (!s.isIpv6() || stillSame(i, s, again)) {
                    out.add(info);
                }
            }
        }
        return out;
    }

    /** Link-local forward flows per service address ({@code "ip:port"}). */
    Map<String, Integer> linkLocalFlowsByService() {
        Map<String, Integer> out = new HashMap<>();
        FlowSnapshot s = new FlowSnapshot();
        FlowSnapshot again = new FlowSnapshot();
        int cap = table.capacity();
        for (int i = 0; i < cap; i++) {
            if (table.read(i, s) && isLinkLocalForward(s)) {
                String service = s.isIpv6() ? "[" + address(s, s.dip()) + "]:" + s.dport()
                        : FlowMatches.dotted(s.dip()) + ":" + s.dport();
                if (!s.isIpv6() || stillSame(i, s, again)) {
                    out.merge(service, 1, Integer::sum);
                }
            }
        }
        return out;
    }

    private static boolean matches(FlowMatch match, FlowSnapshot s) {
        if (s.isIpv6()) {
            // The filter's address is IPv4 (vrouter's --match): only protocol and port apply here.
            return match == null || ((match.getIp() == null || match.getIp().isEmpty())
                    && FlowMatches.matches(match, 0, s.sport(), 0, s.dport(), s.proto()));
        }
        return FlowMatches.matches(match, s.sip(), s.sport(), s.dip(), s.dport(), s.proto());
    }

    /** A key word as an address: dotted IPv4, or the IPv6 address its id stands for. */
    private String address(FlowSnapshot s, int word) {
        if (!s.isIpv6()) {
            return FlowMatches.dotted(word);
        }
        byte[] b = ByteBuffer.allocate(16).putLong(table.ipv6High(word)).putLong(table.ipv6Low(word)).array();
        try {
            return InetAddress.getByAddress(b).getHostAddress();
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** Whether entry {@code i} is still the version {@code s} was read from (its IPv6 ids still mean the same). */
    private boolean stillSame(int i, FlowSnapshot s, FlowSnapshot again) {
        return table.read(i, again) && again.generation() == s.generation();
    }

    private static boolean isLinkLocalForward(FlowSnapshot s) {
        int f = s.flags();
        return (f & FlowFlags.LINK_LOCAL) != 0 && (f & FlowFlags.REVERSE) == 0;
    }

    private KFlowInfo info(FlowSnapshot s, int nowTick) {
        KFlowInfo k = new KFlowInfo();
        k.setIndex(s.index());
        k.setRflow(s.reverseIndex());
        k.setSip(address(s, s.sip()));
        k.setSport(s.sport());
        k.setDip(address(s, s.dip()));
        k.setDport(s.dport());
        k.setProto(s.proto());
        k.setAction(FlowAction.name(s.action()));
        k.setFlags(s.flags() == 0 ? "" : FlowFlags.describe(s.flags()));
        k.setBytes(s.bytes());
        k.setPkts(s.packets());
        k.setNhid(s.nh());
        DropReason reason = s.dropReason();
        if (reason != null) {
            k.setDrop_reason(reason.name());
        }
        k.setGen_id(s.generation());
        k.setAge_ms(ageMs(s, nowTick));
        return k;
    }

    /** Milliseconds since the flow last saw a packet, by the table's last aging tick (wrapping). */
    private static long ageMs(FlowSnapshot s, int nowTick) {
        int ticks = nowTick - s.lastSeenTick();
        return ticks <= 0 ? 0 : (long) (ticks * NANOS_PER_TICK / 1_000_000);
    }
}
