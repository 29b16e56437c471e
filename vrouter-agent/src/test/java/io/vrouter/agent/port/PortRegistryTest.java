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

    /** Port {@code n}'s request with {@code field} set to {@code value} is refused: 409 naming the field. */
    private void assertConflictOn(String field, int n, String value) throws Exception {
        ObjectNode o = PortFixtures.json(n);
        o.put(field, value);
        PortException e = assertThrows(PortException.class,
                () -> registry.add(PortJson.parseRequest(PortFixtures.bytes(o))));
        assertEquals(409, e.status());
        assertEquals(field, e.errors().get(0).field());
    }

    @Test
    void differentContentUnderSameIdShouldBeRefusedWithStateUnchanged() throws Exception {
        VmPort p = registry.add(request(1)).port();
        assertConflictOn("ip-address", 1, "10.9.9.9");
        assertEquals(List.of(p), registry.list());
        assertEquals(List.of(p), storedPorts());
    }

    @Test
    void sameSystemNameOnTwoPortsShouldBeRefused() throws Exception {
        registry.add(request(1));
        assertConflictOn("system-name", 2, "tap1");
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

    private static VrouterPortControl script(int n, String tap) {
        return VrouterPortControl.nova(PortFixtures.uuid(1, n), PortFixtures.uuid(2, n), PortFixtures.uuid(3, 1),
                "0123456789abcdef0123456789abcdef", "10.0.0." + (n + 2), "None", "vm-" + n,
                String.format("02:00:00:00:00:%02x", n), tap);
    }

    @Test
    void replayShouldLoadPortFilesTheScriptWroteWhileTheAgentWasDownAndGiveThemAnIndex(@TempDir Path dir)
            throws Exception {
        script(1, "tap1").writePortFile(dir);
        script(2, "tap2").writePortFile(dir);
        PortRegistry r = new PortRegistry(new FilePortStore(dir), interfaces);
        r.addObserver(observer);

        assertEquals(2, r.replay());

        assertEquals(List.of(1, 2), r.list().stream().map(VmPort::interfaceIndex).toList());
        StoredPort rewritten = PortJson.parseStored(Files.readAllBytes(dir.resolve(PortFixtures.uuid(1, 2))), "f");
        assertEquals(2, rewritten.interfaceIndex(), "the index is kept in the file for the next start");
        PortRegistry again = new PortRegistry(new FilePortStore(dir), interfaces);
        again.replay();
        assertEquals(r.list(), again.list(), "same indexes at the next start");
    }

    @Test
    void aPortFileNamingTheHostsInterfaceOrAnotherPortsShouldBeSkippedAndTheOthersLoad(@TempDir Path dir)
            throws Exception {
        interfaces.names.add("lo");
        interfaces.hosts.add("lo");
        script(1, "lo").writePortFile(dir);
        script(2, "tap2").writePortFile(dir);
        script(3, "tap2").writePortFile(dir); // a second port on the same tap
        script(4, "tap-gone").writePortFile(dir); // a tap that comes back after the agent
        PortRegistry r = new PortRegistry(new FilePortStore(dir), interfaces);

        assertEquals(2, r.replay());

        assertEquals(List.of(PortFixtures.uuid(1, 2), PortFixtures.uuid(1, 4)), r.list().stream().map(VmPort::id).toList());
        assertTrue(Files.exists(dir.resolve(PortFixtures.uuid(1, 1))), "a skipped file is left in place");
        assertEquals(0, r.rescan(), "skipped files are not retried while unchanged");
    }

    @Test
    void rescanShouldAddPortsWhoseFilesAppearAndRemovePortsWhoseFilesGo(@TempDir Path dir) throws Exception {
        PortRegistry r = new PortRegistry(new FilePortStore(dir), interfaces);
        r.addObserver(observer);
        VmPort viaIpc = r.add(request(5)).port();
        assertEquals(0, r.replay());

        script(1, "tap1").writePortFile(dir);
        assertEquals(1, r.rescan());
        VmPort fromFile = r.get(PortFixtures.uuid(1, 1));
        assertEquals("tap1", fromFile.systemName());

        Files.delete(dir.resolve(fromFile.id())); // vrouter-port-control --oper delete
        assertEquals(0, r.rescan());
        assertNull(r.get(fromFile.id()));
        assertSame(viaIpc, r.get(viaIpc.id()), "ports added over port IPC have their file");
        assertEquals(List.of("+" + viaIpc.id() + "#1", "+" + fromFile.id() + "#2", "-" + fromFile.id() + "#2"),
                observer.events);
    }

    @Test
    void anUnreadableFileShouldNotRemoveItsPort(@TempDir Path dir) throws Exception {
        PortRegistry r = new PortRegistry(new FilePortStore(dir), interfaces);
        VmPort p = r.add(request(1)).port();
        Files.writeString(dir.resolve(p.id()), "{\"id\"");
        r.rescan();
        assertSame(p, r.get(p.id()));
    }

    @Test
    void aHostInterfaceShouldBeRefusedWith409NamingTheReason() {
        interfaces.hosts.add("tap1");
        PortException e = assertThrows(PortException.class, () -> registry.add(request(1)));
        assertEquals(409, e.status());
        assertEquals("system-name", e.errors().get(0).field());
        assertTrue(e.getMessage().contains("tap1 is the host's"), e.getMessage());
        assertEquals(0, registry.size());
    }

    @Test
    void afterSyncPortsOnlyPortsReAddedShouldStay() throws Exception {
        registry.add(request(1));
        registry.add(request(2));
        long generation = registry.beginSync();
        registry.add(request(2)); // the plugin replays what it knows: identical re-add
        registry.add(request(3));

        assertEquals(List.of(PortFixtures.uuid(1, 1)), registry.removeStale(generation));

        assertEquals(List.of(PortFixtures.uuid(1, 2), PortFixtures.uuid(1, 3)),
                registry.list().stream().map(VmPort::id).toList());
        assertEquals(2, storedPorts().size(), "the stale port's entry is deleted too");
        assertTrue(registry.removeStale(generation).isEmpty());
    }
}
