package io.vrouter.cli;

import io.vrouter.introspect.api.ItfSandeshData;
import java.io.PrintWriter;
import java.util.List;

/**
 * Interfaces as vrouter's {@code vif} prints them (tf-vrouter utils/vif.c): a header with the flag
 * legend, then one block per interface, its first line {@code vif0/N} padded to 12 columns and
 * the rest indented by 12:
 * <pre>
 * vif0/3      OS: tap3a1b (MTU 1500)
 *             Type:Virtual HWaddr:02:00:00:00:00:03 IPaddr:10.0.0.3
 *             Vn:… VM:… Name:vm1 MdataIP:169.254.0.3
 *             Flags:L3Md Status:UP
 *             RX packets:12  bytes:1180 errors:0
 *             TX packets:10  bytes:1734 errors:0
 *             Drops:0
 * </pre>
 * What this agent has no notion of (VRFs, QoS, reference counts) is left out rather than shown
 * with made-up values; the VM line is ours (the link-local questions are per VM).
 */
final class VifFormat {
    private static final String HEAD = "            ";

    private VifFormat() {
    }

    static void header(PrintWriter out) {
        out.println("Vrouter Interface Table");
        out.println();
        out.println("Flags: L3=Layer 3 (the agent answers ARP for every address), Md=Metadata IP active");
        out.println();
    }

    static void list(PrintWriter out, List<ItfSandeshData> itfs) {
        header(out);
        for (ItfSandeshData i : itfs) {
            one(out, i);
        }
    }

    static void one(PrintWriter out, ItfSandeshData i) {
        out.print(Terminal.pad("vif0/" + i.getIndex(), 12));
        out.print("OS: " + Terminal.safe(i.getName()));
        if (i.getMtu() > 0) {
            out.print(" (MTU " + i.getMtu() + ")");
        }
        out.println();
        out.println(HEAD + "Type:" + type(i.getType()) + " HWaddr:" + orNone(i.getMac_addr(), "00:00:00:00:00:00")
                + " IPaddr:" + orNone(i.getIp_addr(), "0.0.0.0"));
        if (i.isSetIp6_addr() && !i.getIp6_addr().isEmpty()) {
            out.println(HEAD + "IP6addr:" + Terminal.safe(i.getIp6_addr()));
        }
        if (!empty(i.getVm_uuid())) {
            out.println(HEAD + "Vn:" + Terminal.safe(i.getVn_name()) + " VM:" + Terminal.safe(i.getVm_uuid())
                    + " Name:" + Terminal.safe(i.getVm_name()) + " MdataIP:" + orNone(i.getMdata_ip_addr(), "-"));
        }
        out.println(HEAD + "Flags:" + flags(i) + " Status:" + Terminal.safe(i.getActive()));
        out.println(HEAD + "RX packets:" + i.getRx_packets() + "  bytes:" + i.getRx_bytes() + " errors:" + i.getRx_errors());
        out.println(HEAD + "TX packets:" + i.getTx_packets() + "  bytes:" + i.getTx_bytes() + " errors:" + i.getTx_errors());
        out.println(HEAD + "Drops:" + i.getDrops());
        out.println();
    }

    private static String type(String t) {
        return switch (t == null ? "" : t) {
            case "vport" -> "Virtual";
            case "vhost" -> "Host";
            default -> Terminal.safe(t);
        };
    }

    private static String flags(ItfSandeshData i) {
        return "L3" + ("Active".equals(i.getMetadata_ip_active()) ? "Md" : "");
    }

    private static boolean empty(String s) {
        return s == null || s.isEmpty();
    }

    private static String orNone(String s, String none) {
        return empty(s) ? none : Terminal.safe(s);
    }
}
