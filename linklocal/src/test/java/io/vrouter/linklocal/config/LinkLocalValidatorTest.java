package io.vrouter.linklocal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LinkLocalValidatorTest {

    private static final String METADATA = """
            {"uuid": "6d8a2c4e-1111-2222-3333-444455556666",
             "fq_name": ["default-global-system-config", "default-global-vrouter-config"],
             "encapsulation_priorities": {"encapsulation": ["MPLSoUDP"]},
             "linklocal_services": {"linklocal_service_entry": [
               {"linklocal_service_name": "metadata", "linklocal_service_ip": "169.254.169.254",
                "linklocal_service_port": 80, "ip_fabric_DNS_service_name": "",
                "ip_fabric_service_port": 8775, "ip_fabric_service_ip": ["10.0.0.5", "10.0.0.6"]}]}}
            """;

    private static LinkLocalServiceEntry entry(String name, String ip, Integer port, String dns,
                                               Integer fabricPort, List<String> fabricIps) {
        return new LinkLocalServiceEntry(name, ip, port, dns, fabricPort, fabricIps);
    }

    private static List<FieldError> validate(LinkLocalServiceEntry... entries) {
        return LinkLocalValidator.validate(new LinkLocalServices(List.of(entries)));
    }

    @Test
    void shouldParseContrailShapedConfigAndKeepUnknownTopLevelProperties() throws Exception {
        GlobalVrouterConfig config = LinkLocalJson.parseGlobalVrouterConfig(METADATA);
        LinkLocalServiceEntry e = config.linklocalServices().entries().get(0);
        assertEquals("metadata", e.name());
        assertTrue(e.isMetadata());
        assertNull(e.fabricDnsName(), "empty DNS name means none");
        assertEquals(List.of("10.0.0.5", "10.0.0.6"), e.fabricIps());
        String written = LinkLocalJson.write(config);
        assertTrue(written.contains("\"encapsulation_priorities\""), written);
        assertTrue(written.contains("\"ip_fabric_service_ip\""), written);
        assertEquals(config.linklocalServices(),
                LinkLocalJson.parseGlobalVrouterConfig(written).linklocalServices());
    }

    /** Contrail's IPv6 metadata entry, as provision_linklocal or the web UI writes it, beside the IPv4 one. */
    @Test
    void metadata6EntryShouldBeValidBesideMetadataWithContrailsFieldNames() throws Exception {
        String json = METADATA.replace("\"ip_fabric_service_ip\": [\"10.0.0.5\", \"10.0.0.6\"]}]}}",
                "\"ip_fabric_service_ip\": [\"10.0.0.5\", \"10.0.0.6\"]},"
                        + " {\"linklocal_service_name\": \"metadata6\", \"linklocal_service_ip\": \"fe80::a9fe:a9fe\","
                        + " \"linklocal_service_port\": 80, \"ip_fabric_DNS_service_name\": \"\","
                        + " \"ip_fabric_service_port\": 8775, \"ip_fabric_service_ip\": [\"10.0.0.5\"]}]}}");
        GlobalVrouterConfig config = LinkLocalJson.parseGlobalVrouterConfig(json);
        List<LinkLocalServiceEntry> entries = config.linklocalServices().entries();
        assertEquals(2, entries.size());
        LinkLocalServiceEntry m6 = entries.get(1);
        assertEquals("metadata6", m6.name());
        assertTrue(m6.isMetadata(), "served by the metadata proxy: its name contains metadata");
        assertEquals(List.of(), LinkLocalValidator.validate(config.linklocalServices()));
        // the same port on the IPv6 address is no duplicate of the IPv4 entry's
        assertEquals(List.of(), validate(entry("metadata", "169.254.169.254", 80, null, 8775, List.of("10.0.0.5")),
                entry("metadata6", "FE80::A9FE:A9FE", 80, null, 8775, List.of("fd00::5"))));
        List<FieldError> dup = validate(entry("metadata6", "fe80::a9fe:a9fe", 80, null, 8775, List.of("10.0.0.5")),
                entry("other6", "fe80:0:0::a9fe:a9fe", 80, null, 8775, List.of("10.0.0.5")));
        assertEquals(1, dup.size(), dup::toString);
        assertTrue(dup.get(0).message().contains("duplicate service address"), dup::toString);
    }

    @Test
    void shouldNameTheFieldOfEveryError() {
        List<FieldError> errors = validate(entry(null, "169.254.300.1", 0, null, 70000, List.of()));
        List<String> fields = errors.stream().map(FieldError::field).toList();
        assertTrue(fields.contains("linklocal_service_entry[0].linklocal_service_name"), fields::toString);
        assertTrue(fields.contains("linklocal_service_entry[0].linklocal_service_ip"), fields::toString);
        assertTrue(fields.contains("linklocal_service_entry[0].linklocal_service_port"), fields::toString);
        assertTrue(fields.contains("linklocal_service_entry[0].ip_fabric_service_port"), fields::toString);
        assertTrue(fields.contains("linklocal_service_entry[0]"), fields::toString);
    }

    @Test
    void shouldRejectDuplicateNameAndDuplicateServiceAddress() {
        List<FieldError> errors = validate(
                entry("metadata", "169.254.169.254", 80, null, 8775, List.of("10.0.0.5")),
                entry("metadata", "169.254.169.253", 80, null, 8775, List.of("10.0.0.5")),
                entry("other", "169.254.169.254", 80, null, 8775, List.of("10.0.0.5")));
        assertEquals(2, errors.size(), errors::toString);
        assertTrue(errors.get(0).message().contains("duplicate name"), errors::toString);
        assertTrue(errors.get(1).message().contains("duplicate service address"), errors::toString);
    }

    @Test
    void shouldRequireExactlyOneOfDnsNameOrFabricIps() {
        assertEquals(1, validate(entry("ntp", "169.254.1.1", 123, "ntp.example.org", 123, List.of("10.1.1.1"))).size());
        assertEquals(1, validate(entry("ntp", "169.254.1.1", 123, null, 123, List.of())).size());
        assertTrue(validate(entry("ntp", "169.254.1.1", 123, "ntp.example.org", 123, null)).isEmpty());
    }

    @Test
    void shouldRejectBadDnsNameAndRepeatedFabricIp() {
        assertEquals("linklocal_service_entry[0].ip_fabric_DNS_service_name",
                validate(entry("x", "169.254.1.1", 1, "bad_name!", 1, null)).get(0).field());
        assertEquals("linklocal_service_entry[0].ip_fabric_service_ip[1]",
                validate(entry("x", "169.254.1.1", 1, null, 1, List.of("10.0.0.1", "10.0.0.1"))).get(0).field());
    }

    @Test
    void shouldRejectUnknownEntryFieldByName() {
        ConfigValidationException e = assertThrows(ConfigValidationException.class, () ->
                LinkLocalJson.parseLinkLocalServices("{\"linklocal_service_entry\": [{\"linklocal_service_nam\": \"x\"}]}"));
        assertEquals("linklocal_service_entry[0].linklocal_service_nam", e.errors().get(0).field());
    }

    @Test
    void shouldRejectWrongTypeAndMalformedJsonClearly() {
        ConfigValidationException typed = assertThrows(ConfigValidationException.class, () ->
                LinkLocalJson.parseLinkLocalServices("{\"linklocal_service_entry\": [{\"linklocal_service_port\": \"eighty\"}]}"));
        assertEquals("linklocal_service_entry[0].linklocal_service_port", typed.errors().get(0).field());
        ConfigValidationException broken = assertThrows(ConfigValidationException.class, () ->
                LinkLocalJson.parseLinkLocalServices("{\"linklocal_service_entry\": ["));
        assertTrue(broken.getMessage().contains("malformed JSON"), broken.getMessage());
        assertThrows(ConfigValidationException.class, () -> LinkLocalJson.parseLinkLocalServices(""));
        assertThrows(ConfigValidationException.class, () -> LinkLocalJson.parseLinkLocalServices("null"));
    }

    @Test
    void ipLiteralShouldAcceptOnlyStrictLiteralsAndNeverResolveNames() {
        assertNotNull(IpLiteral.parse("169.254.169.254"));
        assertNotNull(IpLiteral.parse("255.255.255.255"));
        assertNotNull(IpLiteral.parse("fe80::a9fe:a9fe"));
        for (String bad : new String[] {"localhost", "1.2.3", "1.2.3.4.5", "01.2.3.4", "256.1.1.1",
                "1..2.3", "1.2.3.4 ", "", "example.com", "fe80::zz", "1.2.3.-4"}) {
            assertNull(IpLiteral.parse(bad), bad);
        }
        assertEquals(0xA9FEA9FE, IpLiteral.parseIpv4("169.254.169.254"));
    }
}
