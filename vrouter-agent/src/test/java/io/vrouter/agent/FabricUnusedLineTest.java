package io.vrouter.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vrouter.agent.config.AgentConfigParser;
import java.io.StringReader;
import org.junit.jupiter.api.Test;

/** The one start-up line that says the fabric keys are the host's, not used by the agent. */
class FabricUnusedLineTest {
    @Test
    void lineShouldNameTheFabricKeysAndTheVhostsOwnAddress() throws Exception {
        var config = AgentConfigParser.parse(new StringReader("""
                [VIRTUAL-HOST-INTERFACE]
                ip = 10.0.0.5/24
                gateway = 10.0.0.1 10.0.1.1
                physical_interface = eth0
                [METADATA]
                metadata_proxy_secret = 0123456789abcdef0123456789abcdef
                """), "test").config();
        assertEquals("[VIRTUAL-HOST-INTERFACE] ip 10.0.0.5/24, gateway [10.0.0.1, 10.0.1.1], physical_interface [eth0]:"
                + " the host's fabric, not used and not touched by this agent (its vhost vhost0 has its own address"
                + " 198.18.169.254/32 and only the route 169.254.0.0/16)", ComputeNodeAgent.fabricUnused(config));
    }
}
