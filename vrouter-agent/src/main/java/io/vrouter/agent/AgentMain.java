package io.vrouter.agent;

import io.vrouter.agent.config.AgentConfig;
import io.vrouter.agent.config.AgentConfigException;
import io.vrouter.agent.config.AgentConfigParser;
import io.vrouter.plumbing.logging.LogSetup;
import java.io.IOException;
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
 *   <tr><td>1</td><td>a component failed to start (port in use, another agent on the node, no dataplane,
 *       log file not writable...)</td></tr>
 *   <tr><td>2</td><td>bad command line or bad {@code agent.conf} (every problem is printed)</td></tr>
 * </table>
 *
 * <p>{@code --check} and a start parse with the same {@link AgentConfigParser}, which runs every
 * check of the values the start depends on: a file {@code --check} accepts fails at start only for
 * reasons of the host (a port taken, another agent running), never for a value. Logging follows
 * {@code [DEFAULT] log_*} from the start on ({@link LogSetup}; SIGHUP reopens the log file);
 * {@code --check} writes no log file.
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
        AgentConfigParser.Result parsed;
        try {
            parsed = AgentConfigParser.parse(configFile);
        } catch (AgentConfigException e) {
            err.println("vrouter-agent: " + e.getMessage());
            return 2;
        }
        AgentConfig config = parsed.config();
        if (check) {
            parsed.warnings().forEach(w -> LOG.warn("{}: {}", configFile, w));
            err.println("vrouter-agent: " + configFile + " is valid");
            return 0;
        }
        try {
            LogSetup logs = LogSetup.configure(config.logging());
            logs.reopenOnSighup();
            LOG.info("vrouter-agent starting with {}; logging to {}", configFile, logs.describe());
        } catch (IOException e) {
            err.println("vrouter-agent: " + e.getMessage());
            return 1;
        }
        parsed.warnings().forEach(w -> LOG.warn("{}: {}", configFile, w));
        LOG.info("{}: {}", configFile, config); // secrets are hidden by toString
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
            LOG.info("vrouter-agent stopped");
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
