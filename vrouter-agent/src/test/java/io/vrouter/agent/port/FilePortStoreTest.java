package io.vrouter.agent.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vrouter.plumbing.files.AtomicFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilePortStoreTest {
    @TempDir
    Path dir;

    private static List<VmPort> ports(PortStore.Listing l) {
        return l.ports().stream().map(s -> s.request().toPort(s.interfaceIndex())).toList();
    }

    private static VrouterPortControl script(int n) {
        return VrouterPortControl.nova(PortFixtures.uuid(1, n), PortFixtures.uuid(2, n), PortFixtures.uuid(3, 1),
                "0123456789abcdef0123456789abcdef", "10.0.0." + (n + 2), "None", "vm-" + n,
                String.format("02:00:00:00:00:%02x", n), "tap" + n);
    }

    @Test
    void shouldWriteOneFilePerPortNamedByItsUuidAsContrailDoesAndReadThemBack() throws Exception {
        FilePortStore store = new FilePortStore(dir);
        VmPort a = PortFixtures.request(1).toPort(1);
        VmPort b = PortFixtures.request(2).toPort(43519);
        store.save(a);
        store.save(b);
        assertTrue(Files.isRegularFile(dir.resolve(a.id())), "Contrail's name: <uuid>, no suffix");
        assertEquals(List.of(a, b), ports(new FilePortStore(dir).scan()));
        store.delete(a.id());
        assertEquals(List.of(b), ports(new FilePortStore(dir).scan()));
        store.delete(a.id()); // absent: no error
    }

    @Test
    void ourFileShouldHoldEveryFieldContrailsAgentRequiresToReplayIt() throws Exception {
        VmPort v6only = PortJson.parseRequest(script(1).bytes()).toPort(4);
        new FilePortStore(dir).save(v6only);
        JsonNode f = PortJson.mapper().readTree(dir.resolve(v6only.id()).toFile());
        // Contrail's PortIpcHandler reads these as strings (uuid, names, addresses) or ints.
        for (String s : List.of("id", "instance-id", "vn-id", "vm-project-id", "display-name", "ip-address",
                "ip6-address", "system-name", "mac-address")) {
            assertTrue(f.get(s).isTextual(), s + " in " + f);
        }
        for (String i : List.of("type", "rx-vlan-id", "tx-vlan-id", "vhostuser-mode")) {
            assertTrue(f.get(i).isInt(), i + " in " + f);
        }
        assertEquals("::", f.get("ip6-address").asText(), "boost's unspecified address, what Contrail writes");
        assertEquals("01234567-89ab-cdef-0123-456789abcdef", f.get("vm-project-id").asText());
    }

    @Test
    void shouldReadAFileVrouterPortControlWroteWhileTheAgentWasDown() throws Exception {
        script(1).writePortFile(dir);
        VrouterPortControl v6 = script(2);
        v6.set("ip_address", "0.0.0.0");
        v6.set("ipv6_address", "fd00::4");
        v6.writePortFile(dir);

        PortStore.Listing l = new FilePortStore(dir).scan();

        assertEquals(2, l.ports().size());
        StoredPort first = l.ports().get(0);
        assertEquals(StoredPort.NO_INDEX, first.interfaceIndex(), "the script writes no index");
        assertEquals("10.0.0.3", first.request().ipAddress().getHostAddress());
        assertEquals(null, first.request().ip6Address(), "\"None\" is no address");
        assertEquals(null, l.ports().get(1).request().ipAddress(), "\"0.0.0.0\" is no address");
        assertEquals("fd00::4", l.ports().get(1).request().ip6Address());
        assertTrue(first.source().endsWith(PortFixtures.uuid(1, 1)), first.source());
    }

    @Test
    void aMalformedFileShouldBeSkippedAndLeftInPlaceWhileTheOthersLoad() throws Exception {
        FilePortStore store = new FilePortStore(dir);
        VmPort good = PortFixtures.request(1).toPort(1);
        store.save(good);
        String truncated = PortFixtures.uuid(1, 9);
        Files.writeString(dir.resolve(truncated), "{\"id\": \"" + truncated + "\", trunc", StandardCharsets.UTF_8);
        String misnamed = PortFixtures.uuid(1, 8); // a valid port under another port's name
        Files.write(dir.resolve(misnamed), PortJson.toBytes(PortJson.toJson(PortFixtures.request(7).toPort(7))));
        String esxi = PortFixtures.uuid(1, 5); // fine for Contrail, not served here
        VrouterPortControl e = script(5);
        e.set("port_type", "ESXiPort");
        e.writePortFile(dir);

        PortStore.Listing l = store.scan();

        assertEquals(List.of(good), ports(l));
        assertEquals(Set.of(good.id(), truncated, misnamed, esxi), l.presentIds(),
                "present but unreadable is not deleted");
        assertTrue(Files.exists(dir.resolve(truncated)), "left for the operator and for Contrail's agent");
        assertEquals(List.of(good), ports(store.scan()), "the same bad file is not read again");
    }

    @Test
    void aFileRewrittenAfterItWasBadShouldBeReadAgain() throws Exception {
        FilePortStore store = new FilePortStore(dir);
        Path f = dir.resolve(PortFixtures.uuid(1, 1));
        Files.writeString(f, "{\"id\"", StandardCharsets.UTF_8); // caught mid-write
        assertTrue(store.scan().ports().isEmpty());
        script(1).writePortFile(dir);
        assertEquals(1, store.scan().ports().size());
    }

    @Test
    void shouldIgnoreOtherNamesAndRemoveLeftOverTempFiles() throws Exception {
        FilePortStore store = new FilePortStore(dir);
        VmPort good = PortFixtures.request(1).toPort(1);
        store.save(good);
        Path tmp = dir.resolve(AtomicFile.tempPrefix(dir.resolve(PortFixtures.uuid(1, 2))) + "123.tmp");
        Files.writeString(tmp, "{\"half", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("README"), "not a port", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve(".agent.lock"), "1234\n", StandardCharsets.UTF_8);
        Files.createDirectories(dir.resolve("vm")); // Contrail's vm-vn subscriptions

        PortStore.Listing l = new FilePortStore(dir).scan();
        assertEquals(List.of(good), ports(l));
        assertEquals(Set.of(good.id()), l.presentIds());
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(AtomicFile::isTemporary), "temp file deleted");
        }
    }

    @Test
    void filesInTheFormerJsonSuffixedFormShouldBeRenamedToContrailsName() throws Exception {
        VmPort a = PortFixtures.request(1).toPort(5);
        Files.write(dir.resolve(a.id() + ".json"), PortJson.toBytes(PortJson.toJson(a)));
        assertEquals(List.of(a), ports(new FilePortStore(dir).scan()));
        assertTrue(Files.exists(dir.resolve(a.id())));
        assertFalse(Files.exists(dir.resolve(a.id() + ".json")));
    }

    @Test
    void saveShouldReplaceAtomically() throws Exception {
        FilePortStore store = new FilePortStore(dir);
        VmPort a = PortFixtures.request(1).toPort(1);
        store.save(a);
        VmPort moved = PortRequest.of(a).toPort(2);
        store.save(moved);
        assertEquals(List.of(moved), ports(store.scan()));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temp file left behind");
        }
    }
}
