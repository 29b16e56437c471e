package io.vrouter.agent.dataplane.host;

import io.vrouter.agent.config.AgentConfig;
import io.vrouter.agent.config.AgentConfigParser;
import io.vrouter.agent.dataplane.UserspaceDataplane;
import io.vrouter.agent.dataplane.io.HostPacketIoFactory;
import io.vrouter.agent.introspect.StatsRegistry;
import io.vrouter.linklocal.registry.LinkLocalRegistry;
import java.io.StringReader;

/**
 * The agent's host set-up in a process of its own, run by a test inside a namespace that plays
 * the host: parses an agent.conf whose fabric {@code ip} is the namespace NIC's own address,
 * starts the dataplane from it exactly as the agent does ({@code HostSettings.of}), prints
 * {@code up} and waits to be killed. Arguments: vhost name, fabric ip/prefix, gateway, NIC.
 */
public final class FabricHostAgent {
    private FabricHostAgent() {
    }

    public static void main(String[] args) throws Exception {
        AgentConfig config = AgentConfigParser.parse(new StringReader("""
                [VIRTUAL-HOST-INTERFACE]
                name = %s
                ip = %s
                gateway = %s
                physical_interface = %s
                [METADATA]
                metadata_proxy_secret = 0123456789abcdef0123456789abcdef
                """.formatted(args[0], args[1], args[2], args[3])), "fabric-test").config();
        UserspaceDataplane dp = new UserspaceDataplane(UserspaceDataplane.HostSettings.of(config), b -> b,
                new HostPacketIoFactory(), LinkLocalRegistry.builder().build(), new StatsRegistry());
        dp.start();
        System.out.println("up");
        System.out.flush();
        Thread.sleep(120_000); // the test kills it well before
        dp.close();
    }
}
