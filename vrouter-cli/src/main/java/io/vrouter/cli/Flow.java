package io.vrouter.cli;

import io.vrouter.introspect.FlowMatches;
import io.vrouter.introspect.api.FlowMatch;
import io.vrouter.introspect.api.Introspect;
import io.vrouter.introspect.api.KFlowInfo;
import io.vrouter.introspect.api.KFlowResp;
import java.io.PrintWriter;
import org.apache.thrift.TException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code flow -l [--match <ip>[:<port>]]}: the flow table, laid out as vrouter's flow. */
@Command(name = "flow", mixinStandardHelpOptions = true, version = "flow (vrouter link-local agent) 0.1.0",
        description = "List the vrouter agent's flows.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:listed", "1:the agent refused the filter", "2:bad command line",
            "69:the agent cannot be reached"})
public final class Flow extends AgentCommand {
    /** Flows fetched per Thrift call while listing. */
    static final int PAGE = 2000;

    @Option(names = {"-l", "--list"}, required = true, description = "List flows.")
    boolean list;

    private FlowMatch filter = FlowMatches.any();

    @Option(names = "--match", paramLabel = "IP[:PORT]",
            description = "Only flows with this address (and port, on the same side) as source or destination.")
    void match(String text) {
        try {
            filter = FlowMatches.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Option(names = "--max", paramLabel = "N", defaultValue = "1000000",
            description = "Stop after N flows (default: ${DEFAULT-VALUE}).")
    int max;

    @Override
    void run(Introspect.Iface agent, PrintWriter out) throws TException {
        KFlowResp page = agent.listFlows(filter, 0, PAGE);
        FlowFormat.header(out, page.getTable_size(), page.getFlow_count(), filter);
        int shown = 0;
        while (true) {
            for (KFlowInfo f : page.getFlow_list()) {
                if (shown == max) {
                    out.println("(stopped after " + max + " flows: --max)");
                    return;
                }
                FlowFormat.flow(out, f);
                out.println();
                shown++;
            }
            String next = page.getFlow_handle();
            if (next == null || next.isEmpty()) {
                return;
            }
            page = agent.listFlows(filter, Integer.parseInt(next), PAGE);
        }
    }

    public static void main(String[] args) {
        main(new Flow(), args);
    }
}
