package io.vrouter.linklocal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The fabric targets a guest must never be NAT'd to, through the one validator. */
class FabricTargetsTest {

    private static List<FieldError> fabric(String name, String fabricIp, int fabricPort) {
        return LinkLocalValidator.validate(new LinkLocalServices(List.of(
                new LinkLocalServiceEntry(name, "169.254.169.250", 80, null, fabricPort, List.of(fabricIp)))));
    }

    private static void assertRefused(List<FieldError> errors, String why) {
        assertEquals(1, errors.size(), errors::toString);
        assertEquals("linklocal_service_entry[0].ip_fabric_service_ip[0]", errors.get(0).field());
        assertTrue(errors.get(0).message().contains(why), errors::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"})
    void shouldRefuseLoopbackForARelayedService(String ip) {
        assertRefused(fabric("ntp", ip, 9091), "loopback");
        assertRefused(fabric("ntp", ip, 123), "loopback");
    }

    /** Refused for every service, metadata included (the fabric port does not matter). */
    @ParameterizedTest
    @CsvSource({
        "0.0.0.0,unspecified", "0.1.2.3,unspecified", "::,unspecified",
        "224.0.0.1,multicast", "239.255.255.250,multicast", "ff02::1,multicast", "255.255.255.255,multicast",
        "169.254.169.254,link-local", "169.254.0.7,link-local", "fe80::1,link-local",
    })
    void shouldRefuseUnspecifiedMulticastBroadcastAndLinkLocalForEveryService(String ip, String why) {
        assertRefused(fabric("ntp", ip, 123), why);
        assertRefused(fabric("metadata", ip, 8775), why);
    }

    @ParameterizedTest
    @ValueSource(ints = {9091, 8085, 8097})
    void shouldRefuseMetadataOnLoopbackOnTheAgentsOwnPorts(int port) {
        assertRefused(fabric("metadata", "127.0.0.1", port), "port " + port);
    }

    @Test
    void shouldAcceptMetadataOnLoopbackForNovaOnThisNodeAndOrdinaryFabricAddresses() {
        assertEquals(List.of(), fabric("metadata", "127.0.0.1", 8775));
        assertEquals(List.of(), fabric("ntp", "10.0.0.5", 123));
        assertEquals(List.of(), fabric("ntp", "2001:db8::5", 123));
        assertEquals(List.of(), fabric("ntp", "192.168.1.1", 9091), "another node's port IPC port is not ours");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "LOCALHOST.", "api.localhost"})
    void shouldRefuseLocalhostDnsNames(String name) {
        List<FieldError> errors = LinkLocalValidator.validate(new LinkLocalServices(List.of(
                new LinkLocalServiceEntry("ntp", "169.254.169.250", 123, name, 123, List.of()))));
        assertEquals(1, errors.size(), errors::toString);
        assertEquals("linklocal_service_entry[0].ip_fabric_DNS_service_name", errors.get(0).field());
        assertTrue(errors.get(0).message().contains("loopback"), errors::toString);
    }

    @Test
    void servicesFileWithALoopbackTargetShouldBeRefusedByTheParser() {
        ConfigValidationException e = refusedByParser(oneEntry("portipc", 80, "[\"127.0.0.1\"]", 9091));
        assertTrue(e.getMessage().contains("loopback"), e.getMessage());
    }

    @Test
    void aBareStringWhereTheSchemaHasAListShouldNameTheField() {
        ConfigValidationException e = refusedByParser(oneEntry("ntp", 123, "\"10.0.0.5\"", 123));
        assertEquals("linklocal_service_entry[0].ip_fabric_service_ip", e.errors().get(0).field());
        assertTrue(e.errors().get(0).message().startsWith("must be a list"), e.errors()::toString);
        ConfigValidationException whole = refusedByParser("""
                {"linklocal_service_entry": {"linklocal_service_name": "ntp"}}""");
        assertEquals("linklocal_service_entry", whole.errors().get(0).field());
        assertTrue(whole.errors().get(0).message().startsWith("must be a list"), whole.errors()::toString);
    }

    /** A services file of one entry at 169.254.1.1; {@code fabricIps} is the JSON value of ip_fabric_service_ip. */
    private static String oneEntry(String name, int port, String fabricIps, int fabricPort) {
        return """
                {"linklocal_service_entry": [{"linklocal_service_name": "%s",
                  "linklocal_service_ip": "169.254.1.1", "linklocal_service_port": %d,
                  "ip_fabric_service_ip": %s, "ip_fabric_service_port": %d}]}""".formatted(name, port, fabricIps, fabricPort);
    }

    private static ConfigValidationException refusedByParser(String json) {
        return assertThrows(ConfigValidationException.class, () -> LinkLocalJson.parseLinkLocalServices(json));
    }
}
