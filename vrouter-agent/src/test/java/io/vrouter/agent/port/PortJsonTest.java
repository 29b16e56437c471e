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
}
