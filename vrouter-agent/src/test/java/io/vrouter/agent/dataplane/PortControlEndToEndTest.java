package io.vrouter.agent.dataplane;

import static io.vrouter.agent.dataplane.RealAgentNode.SECRET;
import static io.vrouter.agent.dataplane.RealAgentNode.curlUntil200;
import static io.vrouter.agent.dataplane.AgentEndToEndTest.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vrouter.agent.ComputeNodeAgent;
import io.vrouter.agent.config.AgentConfig;
import io.vrouter.agent.dataplane.io.PcapSupport;
import io.vrouter.agent.netns.Guest;
import io.vrouter.agent.netns.NetnsHarness;
import io.vrouter.agent.port.VrouterPortControl;
import io.vrouter.linklocal.novastandin.NovaMetadataStandIn;
import io.vrouter.linklocal.novastandin.StandInInstance;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guests plugged as nova plugs them on a Contrail node, through {@code vrouter-port-control}:
 * request bodies and port files built field by field as the script builds them. An IPv4-only
 * guest ({@code "ip6-address": "None"}) and an IPv6-only one ({@code "ip-address": "0.0.0.0"},
 * reaching 169.254.169.254 from an RFC 3927 link-local address) plugged over port IPC, one
 * plugged while the agent was down (its port file only) and one whose file appears while the
 * agent runs: each gets its own metadata. Root, namespaces and libpcap required.
 */
@Timeout(180)
class PortControlEndToEndTest {
    @TempDir
    Path dir;

    private record Vm(String instance, Guest guest, VrouterPortControl port) {
    }

    private static Vm vm(NetnsHarness h, NovaMetadataStandIn nova, int n, String cidr, String gateway, String ip,
            String ip6) {
        String instance = UUID.randomUUID().toString();
        String project = UUID.randomUUID().toString().replace("-", ""); // keystone's form, as nova passes it
        nova.addInstance(StandInInstance.of(instance, project, "vm" + n));
        String mac = String.format("02:00:00:00:0a:%02x", n);
        Guest g = h.guest(NetnsHarness.uniqueIfName("p" + n), cidr, gateway, mac);
        return new Vm(instance, g, VrouterPortControl.nova(UUID.randomUUID().toString(), instance,
                UUID.randomUUID().toString(), project, ip, ip6, "vm " + n, mac, g.hostIf()));
    }

    /** {@code --oper add}: the script writes its port file, then calls the agent; 200 or the VM boot fails. */
    private static void portControlAdd(Path portsDir, String ipc, VrouterPortControl port) throws Exception {
        port.writePortFile(portsDir);
        HttpResponse<String> r = send("POST", ipc + "/port", port.json());
        assertEquals(200, r.statusCode(), "vrouter-port-control would exit 4: " + r.body());
    }

    private static void assertOwnMetadata(Vm vm) throws Exception {
        assertEquals(String.format("i-%08x", vm.instance().hashCode()),
                curlUntil200(vm.guest(), "/latest/meta-data/instance-id"), vm.guest().hostIf());
    }

    @Test
    void guestsPluggedAsVrouterPortControlPlugsThemShouldEachGetTheirOwnMetadata() throws Exception {
        NetnsHarness.assumeAvailable();
        assumeTrue(PcapSupport.isAvailable(), "libpcap unavailable");
        try (NetnsHarness h = NetnsHarness.create(); NovaMetadataStandIn nova = new NovaMetadataStandIn(SECRET)) {
            AgentConfig config = RealAgentNode.agentConfig(h, dir, NetnsHarness.uniqueIfName("v"),
                    nova.start().getPort(), 2);
            Path portsDir = Files.createDirectories(config.general().portsDir());
            Vm v4only = vm(h, nova, 1, "10.10.1.3/24", "10.10.1.1", "10.10.1.3", "None");
            Vm v6only = vm(h, nova, 2, "169.254.77.7/16", "169.254.0.1", "0.0.0.0", "fd00::a:2");
            Vm whileDown = vm(h, nova, 3, "10.10.1.3/24", "10.10.1.1", "10.10.1.3", "None"); // same IP, other VN
            Vm whileUp = vm(h, nova, 4, "10.10.4.3/24", "10.10.4.1", "10.10.4.3", "None");
            whileDown.port().writePortFile(portsDir); // the agent is down: the script's call fails, its file stays

            try (ComputeNodeAgent agent = new ComputeNodeAgent(config)) {
                agent.start();
                String ipc = "http://127.0.0.1:" + agent.portIpcAddress().getPort();
                portControlAdd(portsDir, ipc, v4only.port());
                portControlAdd(portsDir, ipc, v6only.port());
                whileUp.port().writePortFile(portsDir); // written with no call: noticed by the agent

                for (Vm vm : new Vm[] {v4only, v6only, whileDown, whileUp}) {
                    assertOwnMetadata(vm);
                }
                assertEquals("10.10.1.3", curlUntil200(v4only.guest(), "/latest/meta-data/local-ipv4"));

                HttpResponse<String> lo = send("POST", ipc + "/port", VrouterPortControl.nova(
                        UUID.randomUUID().toString(), UUID.randomUUID().toString(), UUID.randomUUID().toString(),
                        "0123456789abcdef0123456789abcdef", "10.10.9.3", "None", "lo", "02:00:00:00:0a:99", "lo").json());
                assertEquals(409, lo.statusCode(), lo.body());
                assertTrue(lo.body().contains("loopback"), lo.body());
                assertOwnMetadata(v4only); // loopback (and port IPC on it) untouched

                Files.delete(portsDir.resolve(whileUp.port().uuid())); // --oper delete: the file, then DELETE
                assertEquals(200, send("DELETE", ipc + "/port/" + whileUp.port().uuid(), null).statusCode());
                var after = whileUp.guest().exec(java.time.Duration.ofSeconds(15), "curl", "-s", "-m", "2",
                        "http://169.254.169.254/latest/meta-data/instance-id");
                assertTrue(after.exitCode() != 0, "an unplugged port is not served: " + after);
            }
        }
    }
}
