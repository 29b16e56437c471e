package io.vrouter.agent.dataplane.io;

import io.vrouter.agent.dataplane.host.HostCommand;
import io.vrouter.agent.netns.NetnsHarness;
import java.time.Duration;

/**
 * Veth pairs for the node-scale tests, in the root namespace, named {@code <prefix><pid36>-<n>p}
 * (port end) and {@code <prefix><pid36>-<n>g} (guest end), prefix {@code ns} unless given, up,
 * with IPv6 off (no router solicitations in the captures) and no IPv4 forwarding from the guest
 * end (what the agent sends a guest stays on its veth), each deleted when the harness closes.
 * Made with one {@code ip -batch}.
 */
public final class NodeScaleVeths {
    private static final String PID36 = Long.toString(ProcessHandle.current().pid(), 36);
    private static int seq;

    private NodeScaleVeths() {
    }

    /** {@code count} new pairs: {@code [i][0]} the port end, {@code [i][1]} the guest end. */
    public static String[][] create(NetnsHarness harness, int count) {
        return create(harness, "ns", count);
    }

    /** {@link #create(NetnsHarness, int)} with names starting with {@code prefix} (two letters). */
    public static synchronized String[][] create(NetnsHarness harness, String prefix, int count) {
        String[][] pairs = new String[count][];
        StringBuilder add = new StringBuilder();
        StringBuilder up = new StringBuilder();
        for (int i = 0; i < count; i++) {
            String base = prefix + PID36 + "-" + (++seq);
            pairs[i] = new String[] {base + "p", base + "g"};
            harness.deleteLinkOnClose(pairs[i][0]);
            add.append("link add ").append(pairs[i][0]).append(" type veth peer name ").append(pairs[i][1]).append('\n');
            up.append("link set ").append(pairs[i][0]).append(" up\nlink set ").append(pairs[i][1]).append(" up\n");
        }
        Duration t = Duration.ofSeconds(60);
        HostCommand.run(t, add.toString(), "ip", "-batch", "-").check();
        StringBuilder sysctl = new StringBuilder();
        for (String[] p : pairs) {
            sysctl.append("net.ipv6.conf.").append(p[0]).append(".disable_ipv6=1\n")
                    .append("net.ipv6.conf.").append(p[1]).append(".disable_ipv6=1\n")
                    .append("net.ipv4.conf.").append(p[1]).append(".forwarding=0\n");
        }
        HostCommand.run(t, sysctl.toString(), "sysctl", "-q", "-p", "-");
        HostCommand.run(t, up.toString(), "ip", "-batch", "-").check();
        return pairs;
    }
}
