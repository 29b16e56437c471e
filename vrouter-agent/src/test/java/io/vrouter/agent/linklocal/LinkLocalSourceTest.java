package io.vrouter.agent.linklocal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.agent.config.AgentConfig;
import io.vrouter.linklocal.registry.LinkLocalRegistry;
import io.vrouter.linklocal.registry.LinkLocalService;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinkLocalSourceTest {
    @TempDir
    Path tmp;

    private static AgentConfig.LinkLocal linkLocal(Path file, URI api) {
        return new AgentConfig.LinkLocal(file, api, null, null, null, Path.of("/nonexistent/cache.json"));
    }

    /** A services file with one metadata entry to 10.1.2.3:{@code fabricPort}. */
    private static String metadataTo(int fabricPort) {
        return """
                {"linklocal_service_entry": [{"linklocal_service_name": "metadata",
                  "linklocal_service_ip": "169.254.169.254", "linklocal_service_port": 80,
                  "ip_fabric_service_ip": ["10.1.2.3"], "ip_fabric_service_port": %d}]}""".formatted(fabricPort);
    }

    @Test
    void agentConfShouldChooseExactlyOneSource() {
        Path file = Path.of("/etc/contrail/linklocal.json");
        assertInstanceOf(BuiltInServices.class, LinkLocalSource.forConfig(linkLocal(null, null)));
        LinkLocalSource fromFile = LinkLocalSource.forConfig(linkLocal(file, null));
        assertInstanceOf(ServicesFileSource.class, fromFile);
        assertEquals("file:" + file, fromFile.describe());
        LinkLocalSource fromApi = LinkLocalSource.forConfig(linkLocal(null, URI.create("http://10.0.0.2:8082")));
        assertInstanceOf(ConfigApiSource.class, fromApi);
        assertTrue(fromApi.describe().startsWith("config-api http://10.0.0.2:8082"), fromApi.describe());
        assertNull(fromApi.stats(), "no counters before the watch starts");
    }

    /** A services file {@code name} in the test's directory: metadata to 10.1.2.3:{@code fabricPort}. */
    private Path servicesFile(String name, int fabricPort) throws IOException {
        return Files.writeString(tmp.resolve(name), metadataTo(fabricPort));
    }

    @Test
    void theBuiltInDefaultShouldPutMetadataOnTheLocalNovaInForce() throws Exception {
        try (LinkLocalRegistry registry = LinkLocalRegistry.builder().build();
             BuiltInServices source = new BuiltInServices()) {
            source.start(registry);
            LinkLocalService metadata = registry.snapshot().metadataService();
            assertEquals(List.of(new InetSocketAddress("127.0.0.1", 8775)), metadata.fabricSocketAddresses());
            assertEquals("built-in default", registry.snapshot().source());
            assertEquals(metadata.fabricSocketAddresses(), new RegistryUpstreams(registry).current());
        }
    }

    @Test
    void aServicesFileShouldBeInForceWhenStartReturns() throws Exception {
        Path file = servicesFile("ll.json", 8775);
        try (LinkLocalRegistry registry = LinkLocalRegistry.builder().build();
             ServicesFileSource source = new ServicesFileSource(file)) {
            source.start(registry);
            assertEquals(List.of(new InetSocketAddress("10.1.2.3", 8775)), new RegistryUpstreams(registry).current());
            assertEquals("file:" + file, registry.snapshot().source());
        }
    }

    @Test
    void anInvalidServicesFileAtStartShouldFailNamingTheKeyTheFileAndTheField() throws Exception {
        Path file = servicesFile("bad.json", 70000);
        try (LinkLocalRegistry registry = LinkLocalRegistry.builder().build();
             ServicesFileSource source = new ServicesFileSource(file)) {
            IOException e = assertThrows(IOException.class, () -> source.start(registry));
            assertTrue(e.getMessage().startsWith("[LINKLOCAL] services_file " + file + " is invalid: "), e.getMessage());
            assertTrue(e.getMessage().contains("ip_fabric_service_port"), e.getMessage());
            assertTrue(registry.snapshot().isEmpty(), "nothing applied");
        }
    }

    @Test
    void aMissingServicesFileShouldFailTheStart() throws Exception {
        try (LinkLocalRegistry registry = LinkLocalRegistry.builder().build();
             ServicesFileSource source = new ServicesFileSource(tmp.resolve("absent.json"))) {
            assertThrows(IOException.class, () -> source.start(registry));
        }
    }
}
