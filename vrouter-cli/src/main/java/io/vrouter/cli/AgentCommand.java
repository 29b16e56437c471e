package io.vrouter.cli;

import io.vrouter.introspect.api.Introspect;
import io.vrouter.introspect.api.InvalidRequest;
import io.vrouter.introspect.api.NotFound;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.thrift.TException;
import org.apache.thrift.transport.TTransportException;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A CLI that asks the agent one or more questions over Thrift and prints the answer.
 *
 * <table>
 *   <caption>Exit statuses</caption>
 *   <tr><td>0</td><td>printed</td></tr>
 *   <tr><td>1</td><td>the agent refused the question (no such interface or VM, bad filter)</td></tr>
 *   <tr><td>2</td><td>bad command line</td></tr>
 *   <tr><td>{@value #EXIT_UNAVAILABLE}</td><td>the agent cannot be reached (EX_UNAVAILABLE)</td></tr>
 * </table>
 */
abstract class AgentCommand implements Callable<Integer> {
    static final int EXIT_REFUSED = 1;
    static final int EXIT_UNAVAILABLE = 69;

    @Mixin
    AgentOptions agentOptions;

    @Spec
    CommandSpec spec;

    /** Asks and prints; the writer is the command line's out (tests capture it). */
    abstract void run(Introspect.Iface agent, PrintWriter out) throws TException;

    @Override
    public final Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String name = spec.name();
        try (AgentClient client = AgentClient.connect(agentOptions.host, agentOptions.port)) {
            run(client.agent(), out);
            out.flush();
            return 0;
        } catch (AgentUnavailableException e) {
            err.println(name + ": " + e.getMessage());
            return EXIT_UNAVAILABLE;
        } catch (NotFound e) {
            err.println(name + ": " + e.getMessage());
            return EXIT_REFUSED;
        } catch (InvalidRequest e) {
            err.println(name + ": the agent refused the request: " + e.getMessage());
            return EXIT_REFUSED;
        } catch (TTransportException e) {
            err.println(name + ": " + new AgentUnavailableException(agentOptions.host, agentOptions.port, e).getMessage());
            return EXIT_UNAVAILABLE;
        } catch (TException e) {
            err.println(name + ": the agent failed to answer: " + e.getMessage());
            return EXIT_REFUSED;
        } finally {
            err.flush();
        }
    }

    /** Runs a command the way its launcher does, exiting with its status. */
    static void main(Object command, String[] args) {
        System.exit(new CommandLine(command).execute(args));
    }
}
