package io.vrouter.agent.port;

import static io.vrouter.agent.port.PortFixtures.bytes;
import static io.vrouter.agent.port.PortFixtures.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PortJsonTest {

    @Test
    void shouldParseContrailPortAndIgnoreUnknownFields() throws Exception {
        ObjectNode o = json(7);
        o.put("vm-project-id", "ABCDEF0123456789abcdef0123456789");
        o.put("some-future-field", "x");
        o.put("rx-vlan-id", "100");
        o.put("tx-vlan-id", 65535);
        PortRequest r = PortJson.parseRequest(bytes(o));
        assertEquals(PortFixtures.uuid(1, 7), r.id());
        assertEquals("abcdef01-2345-6789-abcd-ef0123456789", r.projectId());
        assertEquals("tap7", r.systemName());
        assertEquals("10.0.0.9", r.ipAddress().getHostAddress());
        assertNull(r.ip6Address());
        assertEquals(100, r.rxVlanId());
        assertEquals(-1, r.txVlanId());
    }

    @Test
    void shouldNormaliseCaseOfUuidsAndMac() throws Exception {
        ObjectNode o = json(1);
        o.put("instance-id", "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE");
        o.put("mac-address", "02:AB:CD:EF:00:01");
        PortRequest r = PortJson.parseRequest(bytes(o));
        assertEquals("aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", r.instanceId());
        assertEquals("02:ab:cd:ef:00:01", r.macAddress());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "id|not-a-uuid",
        "instance-id|12345678-1234-1234-1234-12345678901",
        "vn-id|''",
        "vm-project-id|zz",
        "ip-address|10.0.0.256",
        "ip-address|10.0.0",
        "ip-address|010.0.0.1",
        "ip-address|fe80::1",
        "ip6-address|10.0.0.1",
        "system-name|tap0123456789abcd",
        "system-name|../etc",
        "system-name|tap 0",
        "system-name|..",
        "system-name|''",
        "mac-address|02:00:00:00:00",
        "mac-address|01:00:5e:00:00:01",
        "mac-address|00:00:00:00:00:00",
        "mac-address|02-00-00-00-00-01",
        "type|x",
        "type|-1",
        "type|2",
        "type|3",
        "rx-vlan-id|4096",
        "tx-vlan-id|abc",
    })
    void shouldRejectInvalidValueNamingTheField(String field, String value) {
        ObjectNode o = json(1);
        o.put(field, value);
        PortException e = assertThrows(PortException.class, () -> PortJson.parseRequest(bytes(o)));
        assertEquals(400, e.status());
        assertEquals(1, e.errors().size(), e.getMessage());
        assertEquals(field, e.errors().get(0).field());
    }

    @ParameterizedTest
    @ValueSource(strings = {"id", "instance-id", "vn-id", "vm-project-id", "system-name", "mac-address"})
    void shouldRejectMissingRequiredField(String field) {
        ObjectNode o = json(1);
        o.remove(field);
        PortException e = assertThrows(PortException.class, () -> PortJson.parseRequest(bytes(o)));
        assertEquals(400, e.status());
        assertEquals(field, e.errors().get(0).field());
        assertTrue(e.getMessage().contains("is required"), e.getMessage());
    }

    @Test
    void shouldRejectWrongJsonTypes() {
        ObjectNode o = json(1);
        o.put("id", 42);
        o.putArray("ip-address");
        PortException e = assertThrows(PortException.class, () -> PortJson.parseRequest(bytes(o)));
        assertEquals(2, e.errors().size(), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "{", "[]", "null", "\"port\"", "{\"id\": }"})
    void shouldRejectMalformedOrNonObjectJson(String body) {
        PortException e = assertThrows(PortException.class,
                () -> PortJson.parseRequest(body.getBytes(StandardCharsets.UTF_8)));
        assertEquals(400, e.status());
    }

    @Test
    void storedFormShouldRoundTrip() throws Exception {
        VmPort port = PortFixtures.request(3).toPort(43519);
        StoredPort stored = PortJson.parseStored(PortJson.toBytes(PortJson.toJson(port)), "test");
        VmPort back = stored.request().toPort(stored.interfaceIndex());
        assertEquals(port, back);
        assertEquals("169.254.169.255", back.metadataIp().getHostAddress());
    }

    @Test
    void storedFormShouldNeedAValidIndexWhenItHasOne() throws Exception {
        ObjectNode o = PortJson.toJson(PortFixtures.request(3).toPort(5));
        o.put("interface-index", 0);
        assertThrows(PortException.class, () -> PortJson.parseStored(bytes(o), "test"));
        o.remove("interface-index");
        assertEquals(StoredPort.NO_INDEX, PortJson.parseStored(bytes(o), "test").interfaceIndex(),
                "a file vrouter-port-control wrote has no index yet");
    }

    private static VrouterPortControl nova(String ip, String ip6) {
        return VrouterPortControl.nova(PortFixtures.uuid(1, 1), PortFixtures.uuid(2, 1), PortFixtures.uuid(3, 1),
                "0123456789abcdef0123456789abcdef", ip, ip6, "web-1", "02:00:00:00:00:01", "tap1");
    }

    @Test
    void anIpv4OnlyPortAsNovaPlugsItShouldBeAccepted() throws Exception {
        VrouterPortControl c = nova("10.0.0.3", "None");
        assertTrue(c.json().contains("\"ip6-address\": \"None\""), c.json());

        PortRequest r = PortJson.parseRequest(c.bytes());

        assertEquals("10.0.0.3", r.ipAddress().getHostAddress());
        assertNull(r.ip6Address());
        assertEquals("01234567-89ab-cdef-0123-456789abcdef", r.projectId());
        assertEquals(PortJson.TYPE_VM, r.type());
        assertEquals(-1, r.rxVlanId());
        assertEquals(-1, r.txVlanId());
    }

    @Test
    void anIpv6OnlyPortAsNovaPlugsItShouldBeAccepted() throws Exception {
        VrouterPortControl c = nova("0.0.0.0", "FD00::3");

        PortRequest r = PortJson.parseRequest(c.bytes());

        assertNull(r.ipAddress(), "0.0.0.0 is no address");
        assertEquals("fd00::3", r.ip6Address());
        assertEquals("fd00::3", r.toPort(1).fixedIp(), "X-Forwarded-For for a port without IPv4");
    }

    @Test
    void optionsTheScriptWasNotGivenArriveAsNullAndShouldMeanTheDefault() throws Exception {
        VrouterPortControl c = nova("10.0.0.3", "None");
        c.set("ipv6_address", null);
        c.set("rx_vlan_id", null);
        c.set("tx_vlan_id", null);
        c.set("vm_name", null);
        c.set("port_type", "NameSpacePort");
        assertTrue(c.json().contains("\"rx-vlan-id\": null"), c.json());

        PortRequest r = PortJson.parseRequest(c.bytes());

        assertNull(r.ip6Address());
        assertEquals(-1, r.rxVlanId());
        assertEquals("", r.displayName());
        assertEquals(PortJson.TYPE_NAMESPACE, r.type());
    }

    /** The script's "None" and "0.0.0.0", Contrail's agent's "::", empty and null: all "no address". */
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {"0.0.0.0|::", "None|None", "''|''", "null|null"})
    void everyFormOfNoAddressShouldMeanNoAddress(String ip, String ip6) throws Exception {
        ObjectNode o = json(1).put("ip-address", ip).put("ip6-address", ip6);
        assertNull(PortJson.parseRequest(bytes(o)).ipAddress());
        assertNull(PortJson.parseRequest(bytes(o)).ip6Address());
    }

    @Test
    void anEsxiPortShouldBeRefusedNamingTheType() throws Exception {
        VrouterPortControl c = nova("10.0.0.3", "None");
        c.set("port_type", "ESXiPort");
        PortException e = assertThrows(PortException.class, () -> PortJson.parseRequest(c.bytes()));
        assertEquals("type", e.errors().get(0).field());
        assertTrue(e.getMessage().contains("ESXi"), e.getMessage());
    }

    @Test
    void anArrayOfPortsShouldBeParsedWhole() throws Exception {
        byte[] two = ("[" + json(1) + ", " + json(2) + "]").getBytes(StandardCharsets.UTF_8);
        assertEquals(2, PortJson.parseRequests(two).size());
        ObjectNode bad = json(3);
        bad.put("mac-address", "nope");
        byte[] oneBad = ("[" + json(1) + ", " + bad + "]").getBytes(StandardCharsets.UTF_8);
        PortException e = assertThrows(PortException.class, () -> PortJson.parseRequests(oneBad));
        assertTrue(e.getMessage().startsWith("element 1 of the array"), e.getMessage());
        assertEquals("mac-address", e.errors().get(0).field());
        assertThrows(PortException.class, () -> PortJson.parseRequests("[]".getBytes(StandardCharsets.UTF_8)));
    }
}
