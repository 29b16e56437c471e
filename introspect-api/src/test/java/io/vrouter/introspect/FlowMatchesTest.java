package io.vrouter.introspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.introspect.api.FlowMatch;
import org.junit.jupiter.api.Test;

class FlowMatchesTest {
    private static final int GUEST = (int) FlowMatches.ipv4("10.0.0.3");
    private static final int MD = (int) FlowMatches.ipv4("169.254.169.254");

    @Test
    void shouldParseAnAddressWithAndWithoutPort() {
        assertEquals(new FlowMatch("10.0.0.3", 0, 0), FlowMatches.parse("10.0.0.3"));
        assertEquals(new FlowMatch("169.254.169.254", 80, 0), FlowMatches.parse(" 169.254.169.254:80 "));
    }

    @Test
    void shouldRefuseWhatIsNotAnIpv4AddressAndPort() {
        for (String bad : new String[] {"", "10.0.0", "10.0.0.256", "10.0.0.3:65536", "host:80", "10.0.0.3:", "::1"}) {
            assertThrows(IllegalArgumentException.class, () -> FlowMatches.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> FlowMatches.parse(null));
    }

    @Test
    void shouldNameTheProblemOfAFilterThatArrivedOverTheWire() {
        assertNull(FlowMatches.problem(FlowMatches.any()));
        assertTrue(FlowMatches.problem(new FlowMatch("1.2.3", 0, 0)).contains("IPv4"));
        assertTrue(FlowMatches.problem(new FlowMatch("1.2.3.4", -1, 0)).contains("port"));
        assertTrue(FlowMatches.problem(new FlowMatch("1.2.3.4", 0, 300)).contains("protocol"));
        assertTrue(FlowMatches.problem(new FlowMatch("", 80, 0)).contains("address"));
    }

    @Test
    void shouldMatchAddressAndPortOnTheSameSideOnly() {
        FlowMatch md80 = FlowMatches.parse("169.254.169.254:80");
        assertTrue(FlowMatches.matches(md80, GUEST, 40000, MD, 80, 6));
        assertTrue(FlowMatches.matches(md80, MD, 80, GUEST, 40000, 6));
        assertFalse(FlowMatches.matches(md80, GUEST, 80, MD, 40000, 6));
        assertTrue(FlowMatches.matches(FlowMatches.parse("10.0.0.3"), GUEST, 1, MD, 2, 17));
        assertFalse(FlowMatches.matches(new FlowMatch("10.0.0.3", 0, 6), GUEST, 1, MD, 2, 17));
        assertTrue(FlowMatches.matches(FlowMatches.any(), 1, 2, 3, 4, 6));
    }

    @Test
    void shouldWriteFlowKeyAddressesAsDottedQuads() {
        assertEquals("169.254.169.254", FlowMatches.dotted(MD));
        assertEquals("10.0.0.3", FlowMatches.dotted(GUEST));
    }
}
