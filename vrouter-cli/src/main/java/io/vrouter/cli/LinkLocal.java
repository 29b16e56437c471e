package io.vrouter.cli;

import io.vrouter.introspect.api.FabricAddress;
import io.vrouter.introspect.api.Introspect;
import io.vrouter.introspect.api.LinkLocalServiceData;
import java.io.PrintWriter;
import java.util.List;
import org.apache.thrift.TException;
import picocli.CommandLine.Command;

/**
 * {@code linklocal}: the link-local services in force with their fabric state, one service a line
 * (Contrail has no CLI for this; the columns are those of its Link Local Services page plus the
 * agent's state: each fabric address with UP / DOWN / UNKNOWN, the flows now in the table):
 * <pre>
 * Name        Service               Fabric                       Fabric Port  Served by  Flows
 * metadata    169.254.169.254:80    10.0.0.2(UP)                 8775         proxy      2
 * ntp         169.254.169.123:123   dns:ntp.lab [10.1.1.1(UNKNOWN)]  123     relay      0
 * </pre>
 */
@Command(name = "linklocal", mixinStandardHelpOptions = true, version = "linklocal (vrouter link-local agent) 0.1.0",
        description = "Show the link-local services the vrouter agent serves, with their fabric state.",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:shown", "2:bad command line", "69:the agent cannot be reached"})
public final class LinkLocal extends AgentCommand {

    @Override
    void run(Introspect.Iface agent, PrintWriter out) throws TException {
        List<LinkLocalServiceData> services = agent.linkLocalServices().getService_list();
        out.println("Link Local Services (" + services.size() + ")");
        out.println();
        out.println(row("Name", "Service", "Fabric", "Fabric Port", "Served by", "Flows"));
        for (LinkLocalServiceData s : services) {
            StringBuilder fabric = new StringBuilder();
            if (!s.getIpfabric_dns_name().isEmpty()) {
                fabric.append("dns:").append(Terminal.safe(s.getIpfabric_dns_name())).append(" [");
            }
            for (int i = 0; i < s.getFabric_addresses().size(); i++) {
                FabricAddress a = s.getFabric_addresses().get(i);
                fabric.append(i == 0 ? "" : ",").append(a.getIp()).append('(').append(a.getState()).append(')');
            }
            if (!s.getIpfabric_dns_name().isEmpty()) {
                fabric.append(']');
            }
            out.println(row(Terminal.safe(s.getLinklocal_service_name()),
                    s.getLinklocal_service_ip() + ":" + s.getLinklocal_service_port(), fabric.toString(),
                    Integer.toString(s.getIpfabric_port()), s.isMetadata() ? "proxy" : "relay",
                    Integer.toString(s.getActive_flows())));
            if (!s.getDns_error().isEmpty()) {
                out.println("    (" + Terminal.safe(s.getDns_error()) + ")");
            }
        }
    }

    private static String row(String name, String service, String fabric, String port, String by, String flows) {
        return Terminal.pad(name, 16) + "  " + Terminal.pad(service, 22) + "  " + Terminal.pad(fabric, 30) + "  "
                + Terminal.pad(port, 11) + "  " + Terminal.pad(by, 9) + "  " + flows;
    }

    public static void main(String[] args) {
        main(new LinkLocal(), args);
    }
}
