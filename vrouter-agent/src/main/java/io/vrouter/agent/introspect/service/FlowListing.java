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
        for (int i = Math.max(0, start); i < cap; i++) {
            if (!table.read(i, s) || !FlowMatches.matches(match, s.sip(), s.sport(), s.dip(), s.dport(), s.proto())) {
                continue;
            }
            if (out.size() == page) {
                next = Integer.toString(i);
                break;
            }
            out.add(info(s, now));
        }
        return new KFlowResp(out, next, cap, table.size());
    }

    /** Forward halves of the link-local flows (the guest's side of each NAT pair). */
    List<LinkLocalFlowInfo> linkLocal() {
        List<LinkLocalFlowInfo> out = new ArrayList<>();
        FlowSnapshot s = new FlowSnapshot();
        int now = table.lastAgeTick();
        long nowMs = System.currentTimeMillis();
        int cap = table.capacity();
        for (int i = 0; i < cap; i++) {
            if (table.read(i, s) && isLinkLocalForward(s)) {
                out.add(new LinkLocalFlowInfo(-1, s.index(), FlowMatches.dotted(s.sip()), FlowMatches.dotted(s.dip()),
                        s.proto(), s.sport(), s.dport(), Instant.ofEpochMilli(nowMs - ageMs(s, now)).toString()));
            }
        }
        return out;
    }

    /** Link-local forward flows per service address ({@code "ip:port"}). */
    Map<String, Integer> linkLocalFlowsByService() {
        Map<String, Integer> out = new HashMap<>();
        FlowSnapshot s = new FlowSnapshot();
        int cap = table.capacity();
        for (int i = 0; i < cap; i++) {
            if (table.read(i, s) && isLinkLocalForward(s)) {
                out.merge(FlowMatches.dotted(s.dip()) + ":" + s.dport(), 1, Integer::sum);
            }
        }
        return out;
    }

    private static boolean isLinkLocalForward(FlowSnapshot s) {
        int f = s.flags();
        return (f & FlowFlags.LINK_LOCAL) != 0 && (f & FlowFlags.REVERSE) == 0;
    }

    private static KFlowInfo info(FlowSnapshot s, int nowTick) {
        KFlowInfo k = new KFlowInfo();
        k.setIndex(s.index());
        k.setRflow(s.reverseIndex());
        k.setSip(FlowMatches.dotted(s.sip()));
        k.setSport(s.sport());
        k.setDip(FlowMatches.dotted(s.dip()));
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
