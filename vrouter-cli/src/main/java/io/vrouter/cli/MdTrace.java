package io.vrouter.cli;

import io.vrouter.introspect.api.Introspect;
import io.vrouter.introspect.api.MetadataResponse;
import io.vrouter.introspect.api.MetadataTraceEntry;
import io.vrouter.introspect.api.MetadataTraceResp;
import io.vrouter.introspect.api.MetadataVmStats;
import java.io.PrintWriter;
import java.time.Instant;
import org.apache.thrift.TException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code mdtrace VM}: the last metadata requests of one VM (time, method, status, latency,
 * upstream, why the proxy refused, path) — the first thing to look at when a VM "got no
 * metadata". Without a VM: every VM that asked, with its counts.
 */
@Command(name = "mdtrace", mixinStandardHelpOptions = true, version = "mdtrace (vrouter link-local agent) 0.1.0",
        description = "Show the metadata proxy's recent requests of a VM, or every VM's request counts.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:shown", "1:no such VM", "2:bad command line", "69:the agent cannot be reached"})
public final class MdTrace extends AgentCommand {

    @Parameters(arity = "0..1", paramLabel = "VM",
            description = "VM UUID, port UUID or metadata IP (169.254.X.Y). Without it: every VM's counts.")
    String vm;

    @Override
    void run(Introspect.Iface agent, PrintWriter out) throws TException {
        if (vm == null) {
            summary(out, agent.metadataInfo());
            return;
        }
        MetadataTraceResp t = agent.metadataTrace(vm);
        out.println("Metadata requests of VM " + (t.getVm_uuid().isEmpty() ? "(unknown)" : Terminal.safe(t.getVm_uuid()))
                + " from " + t.getMdata_ip_addr() + ": last " + t.getTrace().size() + " (" + t.getCapacity()
                + " kept, " + t.getOverwritten() + " older not shown)");
        out.println();
        out.println(String.format("%-24s  %-6s  %6s  %11s  %-21s  %-20s  %s", "Time", "Method", "Status", "Latency(us)",
                "Upstream", "Refused", "Path"));
        for (MetadataTraceEntry e : t.getTrace()) {
            out.println(String.format("%-24s  %-6s  %6d  %11d  %-21s  %-20s  %s", Instant.ofEpochMilli(e.getTime_ms()),
                    Terminal.safe(e.getMethod()), e.getStatus(), e.getLatency_us(),
                    e.getUpstream().isEmpty() ? "-" : e.getUpstream(),
                    e.getReject_reason().isEmpty() ? "-" : e.getReject_reason(), Terminal.safe(e.getPath())));
        }
    }

    private static void summary(PrintWriter out, MetadataResponse m) {
        out.println("Metadata proxy on port " + m.getMetadata_server_port() + ": " + m.getMetadata_requests()
                + " requests, upstreams " + m.getUpstreams());
        out.println();
        out.println(String.format("%-15s  %-36s  %-16s  %8s  %-24s  %s", "Metadata IP", "VM", "Name", "Requests",
                "Last request", "Responses"));
        for (MetadataVmStats v : m.getVm_stats()) {
            out.println(String.format("%-15s  %-36s  %-16s  %8d  %-24s  %s", v.getMdata_ip_addr(),
                    Terminal.safe(v.getVm_uuid()), Terminal.safe(v.getVm_name()), v.getRequests(),
                    v.getLast_request_ms() == 0 ? "-" : Instant.ofEpochMilli(v.getLast_request_ms()).toString(),
                    v.getResponses_by_status() + (v.getRejects_by_reason().isEmpty() ? "" : " refused "
                            + v.getRejects_by_reason())));
        }
    }

    public static void main(String[] args) {
        main(new MdTrace(), args);
    }
}
