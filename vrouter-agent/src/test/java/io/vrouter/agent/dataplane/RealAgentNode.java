package io.vrouter.agent.dataplane;

import io.vrouter.agent.config.AgentConfig;
import io.vrouter.agent.config.AgentConfigParser;
import io.vrouter.agent.netns.Guest;
import io.vrouter.agent.netns.NetnsHarness;
import io.vrouter.linklocal.novastandin.NovaMetadataStandIn;
import io.vrouter.linklocal.novastandin.StandInInstance;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What the root end-to-end tests of a whole agent share: agent.conf for a real dataplane on a vhost
 * pair of a unique name (removed by the harness), the metadata service at the nova stand-in, one
 * VM known to nova, and the port-control JSON for its guest.
 *
 * @param config   agent.conf, every port the OS's choice but the metadata proxy's
 * @param vhost    the vhost interface name
 * @param instance the VM's instance UUID (nova knows it)
 * @param project  its project UUID
 */
public record RealAgentNode(AgentConfig config, String vhost, String instance, String project) {
    public static final String SECRET = "0123456789abcdef0123456789abcdef";

    /** @param variant distinguishes the vhost address and route table of tests in one process */
    static RealAgentNode create(Path dir, NetnsHarness harness, NovaMetadataStandIn nova, String vmName, int variant)
            throws Exception {
        int novaPort = nova.start().getPort();
        String instance = UUID.randomUUID().toString();
        String project = UUID.randomUUID().toString();
        nova.addInstance(StandInInstance.of(instance, project.replace("-", ""), vmName));
        String vhost = NetnsHarness.uniqueIfName("v");
        AgentConfig config = agentConfig(harness, dir, vhost, novaPort, variant);
        return new RealAgentNode(config, vhost, instance, project);
    }

    /**
     * agent.conf for a test agent whose metadata goes to the nova stand-in on
     * 127.0.0.1:{@code novaPort} through a services file. The vhost {@code vhost} and its nft table
     * are torn down by {@code harness}.
     *
     * @param variant distinguishes the vhost address and route table of tests in one process
     */
    static AgentConfig agentConfig(NetnsHarness harness, Path dir, String vhost, int novaPort, int variant)
            throws Exception {
        Path services = Files.writeString(dir.resolve("ll.json"), """
                {"linklocal_service_entry": [{"linklocal_service_name": "metadata",
                  "linklocal_service_ip": "169.254.169.254", "linklocal_service_port": 80,
                  "ip_fabric_service_ip": ["127.0.0.1"], "ip_fabric_service_port": %d}]}
                """.formatted(novaPort));
        harness.deleteLinkOnClose(vhost);
        harness.deleteNftTableOnClose("netdev", UserspaceDataplane.agentName(vhost));
        long pid = ProcessHandle.current().pid();
        return agentConfig(dir, vhost, "198.19." + (pid >> 8 & 0xff) + "." + (((pid + variant * 2) & 0x7f) | 0x81),
                "services_file = " + services, (int) (6000 + variant * 10000 + pid % 10000));
    }

    /**
     * agent.conf for a test agent: state under {@code dir}, vhost {@code vhost} with the internal
     * address {@code vhostIp}/32 (the fabric {@code ip} is the host's, untouched), ports asked
     * from the OS, {@code linklocal} as the [LINKLOCAL] lines.
     */
    public static AgentConfig agentConfig(Path dir, String vhost, String vhostIp, String linklocal, int routeTable)
            throws Exception {
        return AgentConfigParser.parse(new StringReader("""
                [DEFAULT]
                http_server_port = 0
                thrift_server_port = 0
                port_ipc_port = 0
                ports_dir = %s
                [VIRTUAL-HOST-INTERFACE]
                name = %s
                ip = 10.0.0.5/24
                [METADATA]
                metadata_proxy_secret = %s
                metadata_proxy_port = 8097
                [LINKLOCAL]
                %s
                [DATAPLANE]
                internal_address = %s
                route_table = %d
                """.formatted(dir.resolve("ports"), vhost, SECRET, linklocal, vhostIp, routeTable)), "test").config();
    }

    /** The port-control request for the VM's guest, as nova's vrouter-port-control sends it. */
    String portJson(String portId, Guest g, String ip, String mac, String vmName) {
        return """
                {"id": "%s", "instance-id": "%s", "vn-id": "%s", "vm-project-id": "%s",
                 "display-name": "%s", "ip-address": "%s", "ip6-address": "", "type": 0,
                 "system-name": "%s", "mac-address": "%s", "rx-vlan-id": -1, "tx-vlan-id": -1}
                """.formatted(portId, instance, UUID.randomUUID(), project, vmName, ip, g.hostIf(), mac);
    }

    /** Port IPC returns before the dataplane attached the port (its own thread): allow a moment. */
    static String curlUntil200(Guest g, String path) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String last = "";
        while (System.nanoTime() < deadline) {
            var r = g.exec(Duration.ofSeconds(15), "curl", "-s", "-m", "3", "-w", "\n%{http_code}",
                    "http://169.254.169.254" + path);
            last = r.stdout();
            if (r.ok() && last.endsWith("\n200")) {
                return last.substring(0, last.length() - 4);
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no 200 for " + path + ": " + last);
    }
}
