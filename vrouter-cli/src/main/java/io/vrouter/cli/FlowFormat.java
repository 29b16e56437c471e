package io.vrouter.cli;

import io.vrouter.introspect.api.FlowMatch;
import io.vrouter.introspect.api.KFlowInfo;
import java.io.PrintWriter;
import java.util.Set;

/**
 * Flows as vrouter's {@code flow -l} prints them (tf-vrouter utils/flow.c): table size and entries,
 * the legend, the filter, a header ruled by dashes, then per flow two lines of key (index and
 * reverse index in 9 + 12 columns, source then destination at column 25, protocol) and one
 * parenthesised line of state:
 * <pre>
 *      1042&lt;=&gt;2087         10.0.0.3:40000                                      6 (3)
 *                          169.254.169.254:80
 * (Gen: 1, K(nh):3, Action:N(SDL), Flags:, Stats:5/420, Age:12ms)
 * </pre>
 * The number in brackets after the protocol is the interface (K(nh)) where vrouter shows the VRF:
 * this agent keys flows by interface, not by VRF. NAT letters are vrouter's: S SNAT, Ps SPAT,
 * D DNAT, Pd DPAT, L link-local.
 */
final class FlowFormat {
    private static final String RULE = "-----------------------------------------------------------------"
            + "------------------";

    private FlowFormat() {
    }

    static void header(PrintWriter out, int size, int entries, FlowMatch match) {
        out.println("Flow table(size " + size + ", entries " + entries + ")");
        out.println();
        out.println("Action:F=Forward, D=Drop N=NAT(S=SNAT, D=DNAT, Ps=SPAT, Pd=DPAT, L=Link Local Port)");
        out.println(" Other:K(nh)=Key_Nexthop (the interface)");
        out.println(" Flags:R=Reverse half of a NAT pair, C=TCP closed, K=forwarded by the kernel fast path (Stats merged at aging)");
        out.println();
        if (match != null && match.getIp() != null && !match.getIp().isEmpty()) {
            out.println("Listing flows matching ([" + match.getIp() + "]:" + (match.getPort() == 0 ? "*" : match.getPort())
                    + ")");
            out.println();
        }
        out.println("    Index                Source:Port/Destination:Port                      Proto(V)");
        out.println(RULE);
    }

    static void flow(PrintWriter out, KFlowInfo f) {
        StringBuilder sb = new StringBuilder(200);
        sb.append(String.format("%9d", f.getIndex()));
        sb.append(f.getRflow() >= 0 ? String.format("<=>%-9d", f.getRflow()) : " ".repeat(12));
        sb.append("    ");
        String src = f.getSip() + ":" + f.getSport();
        sb.append(Terminal.pad(src, 46)).append("    ");
        sb.append(String.format("%3d (%d)", f.getProto(), f.getNhid()));
        out.println(sb);
        out.println(" ".repeat(25) + f.getDip() + ":" + f.getDport());
        StringBuilder st = new StringBuilder("(Gen: ").append(f.getGen_id()).append(", K(nh):").append(f.getNhid())
                .append(", Action:").append(action(f)).append(", Flags:").append(flags(f))
                .append(", Stats:").append(f.getPkts()).append('/').append(f.getBytes())
                .append(", Age:").append(f.getAge_ms()).append("ms)");
        out.println(st);
    }

    private static String action(KFlowInfo f) {
        Set<String> flags = Set.of(f.getFlags() == null ? new String[0] : f.getFlags().split("\\|"));
        return switch (f.getAction()) {
            case "NAT" -> "N(" + (flags.contains("SNAT") ? "S" : "") + (flags.contains("SPAT") ? "Ps" : "")
                    + (flags.contains("DNAT") ? "D" : "") + (flags.contains("DPAT") ? "Pd" : "")
                    + (flags.contains("LINK_LOCAL") ? "L" : "") + ")";
            case "FORWARD" -> "F";
            case "HOLD" -> "H";
            case "DROP" -> "D(" + (f.isSetDrop_reason() ? Terminal.safe(f.getDrop_reason()) : "") + ")";
            default -> "U";
        };
    }

    private static String flags(KFlowInfo f) {
        String s = f.getFlags() == null ? "" : f.getFlags();
        return (s.contains("REVERSE") ? "R" : "") + (s.contains("TCP_CLOSED") ? "C" : "") + (s.contains("OFFLOADED") ? "K" : "");
    }
}
