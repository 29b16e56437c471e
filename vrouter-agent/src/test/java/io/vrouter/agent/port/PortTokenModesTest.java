package io.vrouter.agent.port;

import static org.junit.jupiter.api.Assertions.*;

import io.vrouter.linklocal.proxy.MetadataTokenMode;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortTokenModesTest {
    private static final String REQ = "11111111-1111-4111-8111-111111111111";
    private static final String OPT = "22222222-2222-4222-8222-222222222222";
    private static final String OTHER = "33333333-3333-4333-8333-333333333333";

    private static VmPort port(String id, int index) throws Exception {
        return new VmPort(id, "inst-" + index, "vn", "proj", "vm", (Inet4Address) InetAddress.getByName("10.0.0." + index),
                null, PortJson.TYPE_VM, "tap" + index, "02:00:00:00:00:0" + index, -1, -1, index,
                (Inet4Address) InetAddress.getByName("169.254.0." + index));
    }

    @Test
    void listedPortsShouldHaveTheirModeByMetadataIpAndOthersTheNodes() throws Exception {
        PortTokenModes m = new PortTokenModes(Set.of(REQ), Set.of(OPT));
        assertFalse(m.isEmpty());
        m.portAdded(port(REQ.toUpperCase(), 1));
        m.portAdded(port(OPT, 2));
        m.portAdded(port(OTHER, 3));
        assertEquals(MetadataTokenMode.REQUIRED, m.mode(InetAddress.getByName("169.254.0.1")));
        assertEquals(MetadataTokenMode.OPTIONAL, m.mode(InetAddress.getByName("169.254.0.2")));
        assertNull(m.mode(InetAddress.getByName("169.254.0.3")), "the node's mode");
        assertNull(m.mode(InetAddress.getByName("10.0.0.1")), "not a metadata IP");
        assertNull(m.mode(InetAddress.getByName("::1")));
        m.portRemoved(port(REQ, 1));
        assertNull(m.mode(InetAddress.getByName("169.254.0.1")), "a later port on the index starts clean");
    }

    @Test
    void noListsShouldBeEmpty() {
        assertTrue(new PortTokenModes(Set.of(), Set.of()).isEmpty());
    }
}
