package io.vrouter.agent.port;

import static io.vrouter.agent.port.PortFixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vrouter.agent.port.PortFixtures.FakeInterfaces;
import io.vrouter.agent.port.PortFixtures.RecordingObserver;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PortRegistryTest {
    private final FakeInterfaces interfaces = new FakeInterfaces().withTaps(10);
    private final InMemoryPortStore store = new InMemoryPortStore();
    private final PortRegistry registry = new PortRegistry(store, interfaces);
    private final RecordingObserver observer = new RecordingObserver();

    {
        registry.addObserver(observer);
    }

    private List<VmPort> storedPorts() {
        return store.stored().stream().map(s -> s.request().toPort(s.interfaceIndex())).toList();
    }

    @Test
    void shouldAssignIndexAndMetadataIpAndTellObservers() throws Exception {
        VmPort p = registry.add(request(1)).port();
        assertEquals(1, p.interfaceIndex());
        assertEquals("169.254.0.1", p.metadataIp().getHostAddress());
        assertEquals(List.of("+" + p.id() + "#1"), observer.events);
        assertEquals(List.of(p), storedPorts());
        assertSame(p, registry.get(p.id()));
    }

    @Test
    void identicalRePostShouldBeIdempotent() throws Exception {
        PortRegistry.AddResult first = registry.add(request(1));
        PortRegistry.AddResult again = registry.add(request(1));
        assertTrue(first.created());
        assertFalse(again.created());
        assertEquals(first.port(), again.port());
        assertEquals(1, observer.events.size());
    }

    @Test
    void differentContentUnderSameIdShouldBeRefusedWithStateUnchanged() throws Exception {
        VmPort p = registry.add(request(1)).port();
        ObjectNode o = PortFixtures.json(1);
        o.put("ip-address", "10.9.9.9");
        PortException e = assertThrows(PortException.class,
                () -> registry.add(PortJson.parseRequest(PortFixtures.bytes(o))));
        assertEquals(409, e.status());
        assertEquals("ip-address", e.errors().get(0).field());
        assertEquals(List.of(p), registry.list());
        assertEquals(List.of(p), storedPorts());
    }

    @Test
    void sameSystemNameOnTwoPortsShouldBeRefused() throws Exception {
        registry.add(request(1));
        ObjectNode o = PortFixtures.json(2);
        o.put("system-name", "tap1");
        PortException e = assertThrows(PortException.class,
                () -> registry.add(PortJson.parseRequest(PortFixtures.bytes(o))));
        assertEquals(409, e.status());
        assertEquals("system-name", e.errors().get(0).field());
        assertEquals(1, registry.size());
    }

    @Test
    void missingInterfaceShouldBeRefused() {
        interfaces.names.remove("tap3");
        PortException e = assertThrows(PortException.class, () -> registry.add(request(3)));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("tap3"), e.getMessage());
        assertEquals(0, registry.size());
        assertTrue(observer.events.isEmpty());
    }

    @Test
    void exhaustionShouldBeAClear409AndDeleteShouldFreeAnIndex() throws Exception {
        PortRegistry small = new PortRegistry(store, interfaces, new InterfaceIndexAllocator(2));
        small.add(request(1));
        small.add(request(2));
        PortException e = assertThrows(PortException.class, () -> small.add(request(3)));
        assertEquals(409, e.status());
        assertTrue(e.getMessage().contains("no free interface index"), e.getMessage());
        small.remove(PortFixtures.uuid(1, 1));
        assertEquals(1, small.add(request(3)).port().interfaceIndex());
    }

    @Test
    void persistenceFailureShouldLeaveStateUnchanged() throws Exception {
        registry.add(request(1));
        store.failWrites(true);
        PortException add = assertThrows(PortException.class, () -> registry.add(request(2)));
        assertEquals(500, add.status());
        PortException del = assertThrows(PortException.class, () -> registry.remove(PortFixtures.uuid(1, 1)));
        assertEquals(500, del.status());
        assertEquals(1, registry.size());
        store.failWrites(false);
        assertEquals(2, registry.add(request(2)).port().interfaceIndex(), "the failed add's index was released");
    }

    @Test
    void removeShouldTellObserversAndRemovingAnUnknownPortShouldSucceedAsContrails() throws Exception {
        VmPort p = registry.add(request(1)).port();
        assertEquals(p, registry.remove(p.id()));
        assertNull(registry.get(p.id()));
        assertEquals(List.of("+" + p.id() + "#1", "-" + p.id() + "#1"), observer.events);
        assertNull(registry.remove(p.id()), "vrouter-port-control deletes the file first: the port may be gone");
        assertEquals(2, observer.events.size());
        assertTrue(storedPorts().isEmpty());
    }

    @Test
    void instanceDirectoryShouldFollowPorts() throws Exception {
        PortInstanceDirectory directory = new PortInstanceDirectory();
        registry.addObserver(directory);
        ObjectNode o = PortFixtures.json(1);
        o.put("vm-project-id", "ABCDEF01-2345-6789-abcd-ef0123456789");
        VmPort p = registry.add(PortJson.parseRequest(PortFixtures.bytes(o))).port();

        var id = directory.lookup(p.metadataIp());
        assertEquals(p.instanceId(), id.instanceId());
        assertEquals("abcdef0123456789abcdef0123456789", id.projectId(), "X-Tenant-ID without dashes");
        assertEquals("10.0.0.3", id.vmIp());
        assertNull(directory.lookup(InetAddress.getByName("169.254.0.2")));
        assertNull(directory.lookup(InetAddress.getByName("10.0.0.3")), "never by the VM's own address");
        assertNull(directory.lookup(InetAddress.getByName("169.254.169.254")));

        registry.remove(p.id());
        assertNull(directory.lookup(p.metadataIp()));
    }

    @Test
    void restartWithSameDirectoryShouldGiveSamePortsAndIndexes(@TempDir Path dir) throws Exception {
        PortRegistry first = new PortRegistry(new FilePortStore(dir), interfaces);
        for (int i = 0; i < 5; i++) {
            first.add(request(i));
        }
        first.remove(PortFixtures.uuid(1, 1)); // leaves a hole at index 2
        List<VmPort> before = first.list();

        RecordingObserver replayed = new RecordingObserver();
        PortInstanceDirectory directory = new PortInstanceDirectory();
        PortRegistry second = new PortRegistry(new FilePortStore(dir), interfaces);
        second.addObserver(replayed);
        second.addObserver(directory);
        assertEquals(4, second.replay());

        assertEquals(before, second.list());
        assertEquals(4, replayed.events.size());
        for (VmPort p : before) {
            assertEquals(p.instanceId(), directory.lookup(p.metadataIp()).instanceId());
        }
        VmPort fresh = second.add(request(7)).port();
        assertTrue(before.stream().noneMatch(p -> p.interfaceIndex() == fresh.interfaceIndex()),
                "a replayed index is never handed out again");
    }

    @Test
    void replayShouldReassignAnIndexThatClashes(@TempDir Path dir) throws Exception {
        FilePortStore files = new FilePortStore(dir);
        files.save(request(1).toPort(9));
        files.save(request(2).toPort(9)); // hand-edited or copied state
        files.save(request(3).toPort(InterfaceIndexAllocator.METADATA_SERVICE_INDEX));

        PortRegistry r = new PortRegistry(new FilePortStore(dir), interfaces);
        assertEquals(3, r.replay());
        List<Integer> idx = r.list().stream().map(VmPort::interfaceIndex).toList();
        assertEquals(3, idx.stream().distinct().count(), idx.toString());
        assertFalse(idx.contains(InterfaceIndexAllocator.METADATA_SERVICE_INDEX));
        assertEquals(9, r.get(PortFixtures.uuid(1, 1)).interfaceIndex(), "first in order keeps its index");
        // the new index was persisted
        assertNotEquals(9, PortJson.parseStored(Files.readAllBytes(dir.resolve(PortFixtures.uuid(1, 2))), "file")
                .interfaceIndex());
    }
}
