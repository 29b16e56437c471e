package io.vrouter.cli;

import io.vrouter.introspect.api.Introspect;
import java.io.PrintWriter;
import org.apache.thrift.TException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vif --list} / {@code vif --get N}: the agent's interfaces, laid out as vrouter's vif. */
@Command(name = "vif", mixinStandardHelpOptions = true, version = "vif (vrouter link-local agent) 0.1.0",
        description = "Show the vrouter agent's interfaces (vif0/0 the vhost, vif0/N the guest ports).",
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:shown", "1:no such interface", "2:bad command line", "69:the agent cannot be reached"})
public final class Vif extends AgentCommand {

    static final class Which {
        @Option(names = "--list", required = true, description = "Every interface.")
        boolean list;

        @Option(names = "--get", required = true, paramLabel = "N", description = "Interface vif0/N only.")
        Integer get;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Which which;

    @Override
    void run(Introspect.Iface agent, PrintWriter out) throws TException {
        if (which.get != null) {
            VifFormat.header(out);
            VifFormat.one(out, agent.getInterface(which.get));
        } else {
            VifFormat.list(out, agent.listInterfaces().getItf_list());
        }
    }

    public static void main(String[] args) {
        main(new Vif(), args);
    }
}
