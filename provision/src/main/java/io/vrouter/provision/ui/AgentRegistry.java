package io.vrouter.provision.ui;

import io.vrouter.linklocal.configclient.ConfigApiClient;
import io.vrouter.plumbing.http.HttpError;
import io.vrouter.plumbing.http.Request;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Who follows the config: each agent's watch names its node ({@value ConfigApiClient#AGENT_NODE_HEADER})
 * and the revision it has applied ({@value ConfigApiClient#AGENT_REVISION_HEADER}); this remembers the
 * latest of each, with when and from where. A node is <em>stale</em> once it has not been heard
 * from for its watch hold plus {@link #DEFAULT_GRACE}: a healthy agent always has a watch parked
 * or sends the next one at once.
 *
 * <p>In memory, per config-api process: with several instances over one etcd, each knows the
 * agents that watch it. Thread-safe (watches arrive on every worker thread).
 *
 * <table>
 *   <caption>Limits</caption>
 *   <tr><td>{@link #MAX_NODES}</td><td>nodes remembered; a new node beyond it evicts the one
 *       heard from longest ago</td></tr>
 *   <tr><td>node name</td><td>1-{@value #MAX_NODE_LENGTH} characters of letters, digits,
 *       {@code . _ : -}; anything else is a 400 naming the header</td></tr>
 * </table>
 */
public final class AgentRegistry {
    public static final int MAX_NODES = 10_000;
    public static final int MAX_NODE_LENGTH = 255;
    /** Allowance on top of the watch hold: an agent's retry backoff is capped at 30 s. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);
    private static final Pattern NODE = Pattern.compile("[A-Za-z0-9._:-]{1," + MAX_NODE_LENGTH + "}");
    private static final Pattern REVISION = Pattern.compile("[0-9]{1,18}");

    /** What one node last said. */
    public record Agent(String node, long revision, Instant lastSeen, String address, long holdSeconds) {
    }

    private final Map<String, Agent> agents = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration grace;

    public AgentRegistry(Clock clock, Duration grace) {
        this.clock = clock;
        this.grace = grace;
    }

    public AgentRegistry() {
        this(Clock.systemUTC(), DEFAULT_GRACE);
    }

    /**
     * Records the agent a watch request comes from; a request without the node header (an
     * operator's client, the web UI) is not an agent and is ignored.
     *
     * @throws HttpError 400 naming the header when the node name or revision is malformed
     */
    public void heard(Request req, long holdSeconds) throws HttpError {
        String node = req.header(ConfigApiClient.AGENT_NODE_HEADER);
        String rev = req.header(ConfigApiClient.AGENT_REVISION_HEADER);
        if (node == null) {
            return;
        }
        if (!NODE.matcher(node).matches()) {
            throw new HttpError(400, ConfigApiClient.AGENT_NODE_HEADER + " '" + printable(node)
                    + "' is not a node name (1-" + MAX_NODE_LENGTH + " letters, digits, '.', '_', ':', '-')");
        }
        if (rev != null && !REVISION.matcher(rev).matches()) {
            throw new HttpError(400, ConfigApiClient.AGENT_REVISION_HEADER + " '" + printable(rev)
                    + "' is not a revision (a number, 0 when none is applied)");
        }
        record(node, rev == null ? 0 : Long.parseLong(rev), address(req.remoteAddress()), holdSeconds);
    }

    void record(String node, long revision, String address, long holdSeconds) {
        Instant now = clock.instant();
        if (!agents.containsKey(node) && agents.size() >= MAX_NODES) {
            agents.values().stream().min(Comparator.comparing(Agent::lastSeen))
                    .ifPresent(oldest -> agents.remove(oldest.node()));
        }
        agents.put(node, new Agent(node, revision, now, address, holdSeconds));
    }

    /** True when {@code a} has not been heard from for longer than its hold plus the grace. */
    public boolean isStale(Agent a) {
        return a.lastSeen().plusSeconds(a.holdSeconds()).plus(grace).isBefore(clock.instant());
    }

    public Instant now() {
        return clock.instant();
    }

    /** Every node known, by name. */
    public List<Agent> agents() {
        List<Agent> all = new ArrayList<>(agents.values());
        all.sort(Comparator.comparing(Agent::node));
        return all;
    }

    private static String address(SocketAddress remote) {
        if (remote instanceof InetSocketAddress in && in.getAddress() != null) {
            return in.getAddress().getHostAddress();
        }
        return remote == null ? "" : remote.toString();
    }

    /** Echoes a bad value without letting control characters into a log or a page. */
    private static String printable(String s) {
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}
