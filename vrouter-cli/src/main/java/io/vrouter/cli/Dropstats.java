package io.vrouter.cli;

import io.vrouter.introspect.api.DropStat;
import io.vrouter.introspect.api.DropStatsResp;
import io.vrouter.introspect.api.Introspect;
import java.io.PrintWriter;
import java.util.Locale;
import org.apache.thrift.TException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dropstats}: packets the dataplane dropped, one reason a line, as vrouter's dropstats prints
 * them ({@code %-28s  %d}, non-zero counters only; tf-vrouter include/vr_utils.h PRINT_DROP_STAT).
 */
@Command(name = "dropstats", mixinStandardHelpOptions = true, version = "dropstats (vrouter link-local agent) 0.1.0",
        description = "Show the vrouter agent's drop counters, by reason.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:shown", "2:bad command line", "69:the agent cannot be reached"})
public final class Dropstats extends AgentCommand {

    @Option(names = {"-a", "--all"}, description = "Also the reasons that dropped nothing, with what each means.")
    boolean all;

    @Override
    void run(Introspect.Iface agent, PrintWriter out) throws TException {
        DropStatsResp r = agent.dropStats();
        for (DropStat d : r.getDrop_stats()) {
            if (d.getCount() != 0 || all) {
                out.print(String.format("%-28s  %d", label(d.getReason()), d.getCount()));
                out.println(all ? "    " + Terminal.safe(d.getDescription()) : "");
            }
        }
        out.println();
        out.println(String.format("%-28s  %d", "Total", r.getTotal()));
    }

    /** {@code FLOW_TABLE_FULL} as vrouter labels its counters: {@code Flow Table Full}. */
    static String label(String reason) {
        StringBuilder sb = new StringBuilder();
        for (String w : Terminal.safe(reason).toLowerCase(Locale.ROOT).split("_")) {
            if (!w.isEmpty()) {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                sb.append(Character.toUpperCase(w.charAt(0))).append(w.substring(1));
            }
        }
        return sb.toString();
    }

    public static void main(String[] args) {
        main(new Dropstats(), args);
    }
}
