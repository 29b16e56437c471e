package io.vrouter.agent;

import io.vrouter.agent.config.AgentConfig;
import io.vrouter.agent.config.AgentConfigException;
import io.vrouter.agent.config.AgentConfigParser;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vrouter-agent --config-file FILE}: the compute-node agent process.
 *
 * <table>
 *   <caption>Exit statuses</caption>
 *   <tr><td>0</td><td>stopped by SIGTERM/SIGINT after a clean shutdown, or {@code --check} passed</td></tr>
 *   <tr><td>1</td><td>a component failed to start (port in use, state directory locked, no dataplane...)</td></tr>
 *   <tr><td>2</td><td>bad command line or bad {@code agent.conf} (every problem is printed)</td></tr>
 * </table>
 */
@Command(name = "vrouter-agent", mixinStandardHelpOptions = true, version = "vrouter-agent " + AgentMain.VERSION,
        description = "Compute-node agent: port IPC, link-local services, metadata proxy, dataplane.")
public final class AgentMain implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(AgentMain.class);
    /** The agent's version, as --version and NodeStatus.build_info show it. */
    public static final String VERSION = "0.1.0";

    @Option(names = {"--config-file", "--config_file"}, required = true, paramLabel = "FILE",
            description = "agent.conf (Contrail INI format)")
    Path configFile;

    @Option(names = "--check", description = "only parse and validate the configuration, then exit")
    boolean check;

    private final CountDownLatch stopped = new CountDownLatch(1);
    private final PrintWriter err;

    AgentMain(PrintWriter err) {
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.err, true), args));
    }

    /** Runs the command; returns the exit status (blocks until shutdown unless {@code --check}). */
    static int run(PrintWriter err, String... args) {
        return new CommandLine(new AgentMain(err)).setErr(err).execute(args);
    }

    @Override
    public Integer call() {
        AgentConfig config;
        try {
            AgentConfigParser.Result r = AgentConfigParser.parse(configFile);
            r.warnings().forEach(w -> LOG.warn("{}: {}", configFile, w));
            config = r.config();
            LOG.info("{}: {}", configFile, config); // secrets are hidden by toString
        } catch (AgentConfigException e) {
            err.println("vrouter-agent: " + e.getMessage());
            return 2;
        }
        if (check) {
            err.println("vrouter-agent: " + configFile + " is valid");
            return 0;
        }
        ComputeNodeAgent agent = new ComputeNodeAgent(config);
        try {
            agent.start();
        } catch (Exception e) {
            LOG.error("agent failed to start: {}", e.toString(), e);
            err.println("vrouter-agent: failed to start: " + e.getMessage());
            return 1;
        }
        // SIGTERM/SIGINT run shutdown hooks: stop the components, then let main return.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("shutting down");
            agent.close();
            stopped.countDown();
        }, "agent-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            agent.close();
        }
        return 0;
    }
}
