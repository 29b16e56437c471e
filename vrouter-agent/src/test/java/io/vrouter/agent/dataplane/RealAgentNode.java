package io.vrouter.agent.dataplane;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vrouter.agent.TestAgentConf;
import io.vrouter.agent.config.AgentConfig;
import io.vrouter.agent.config.AgentConfigParser;
import io.vrouter.agent.dataplane.io.PcapSupport;
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
 * @param vmName   its name (nova's hostname, the port's display-name)
 * @param nova     the nova stand-in that knows the VM; closed with the node
 */
public record RealAgentNode(AgentConfig config, String vhost, String instance, String project, String vmName,
                            NovaMetadataStandIn nova) implements AutoCloseable {
    public static final String SECRET = TestAgentConf.SECRET;

    /** Skips the calling test (loudly) unless it may create namespaces and capture with libpcap. */
    static void assumeRootWithPcap() {
        NetnsHarness.assumeAvailable();
        assumeTrue(PcapSupport.isAvailable(), "libpcap unavailable");
    }

    /**
     * Starts a nova stand-in that knows one VM {@code vmName} and writes the agent.conf for it.
     *
     * @param variant distinguishes the vhost address and route table of tests in one process
     */
    static RealAgentNode start(Path dir, NetnsHarness harness, String vmName, int variant) throws Exception {
        NovaMetadataStandIn nova = new NovaMetadataStandIn(SECRET);
        try {
            int novaPort = nova.start().getPort();
            String instance = UUID.randomUUID().toString();
            String project = UUID.randomUUID().toString();
            nova.addInstance(StandInInstance.of(instance, project.replace("-", ""), vmName));
            String vhost = NetnsHarness.uniqueIfName("v");
            AgentConfig config = agentConfig(harness, dir, vhost, novaPort, variant);
            return new RealAgentNode(config, vhost, instance, project, vmName, nova);
        } catch (Exception | Error e) {
            nova.close();
            throw e;
        }
    }

    @Override
    public void close() {
        nova.close();
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
        return AgentConfigParser.parse(new StringReader(TestAgentConf.text(dir.resolve("ports"),
                "name = " + vhost + "\nip = 10.0.0.5/24", 8097, """
                [LINKLOCAL]
                %s
                [DATAPLANE]
                internal_address = %s
                route_table = %d
                """.formatted(linklocal, vhostIp, routeTable))), "test").config();
    }

    /**
     * A guest of the VM on 10.9.{@code subnet}.3/24 (gateway .1, MAC 02:00:00:00:{@code subnet}9:03)
     * and the port-control request for it, as nova's vrouter-port-control sends it.
     */
    GuestPort plugGuest(NetnsHarness harness, int subnet) throws Exception {
        String ip = "10.9." + subnet + ".3";
        String mac = "02:00:00:00:%x9:03".formatted(subnet);
        Guest g = harness.guest(NetnsHarness.uniqueIfName("g"), ip + "/24", "10.9." + subnet + ".1", mac);
        String portId = UUID.randomUUID().toString();
        String json = """
                {"id": "%s", "instance-id": "%s", "vn-id": "%s", "vm-project-id": "%s",
                 "display-name": "%s", "ip-address": "%s", "ip6-address": "", "type": 0,
                 "system-name": "%s", "mac-address": "%s", "rx-vlan-id": -1, "tx-vlan-id": -1}
                """.formatted(portId, instance, UUID.randomUUID(), project, vmName, ip, g.hostIf(), mac);
        return new GuestPort(g, portId, json);
    }

    /** A guest namespace, its port's id and the port-control JSON that plugs it in. */
    record GuestPort(Guest guest, String portId, String json) {
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
