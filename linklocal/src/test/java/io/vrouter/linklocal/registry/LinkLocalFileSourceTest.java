package io.vrouter.linklocal.registry;

import static io.vrouter.linklocal.registry.Entries.v4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vrouter.linklocal.config.ConfigValidationException;
import io.vrouter.linklocal.config.LinkLocalServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class LinkLocalFileSourceTest {
    private static final String ENTRY_METADATA = """
            {"linklocal_service_name": "metadata", "linklocal_service_ip": "169.254.169.254",
             "linklocal_service_port": 80, "ip_fabric_DNS_service_name": "",
             "ip_fabric_service_port": 8775, "ip_fabric_service_ip": ["10.0.0.5"]}""";
    private static final String ENTRY_NTP = """
            {"linklocal_service_name": "ntp", "linklocal_service_ip": "169.254.169.1",
             "linklocal_service_port": 123, "ip_fabric_service_port": 123,
             "ip_fabric_service_ip": ["10.0.1.1"]}""";
    private static final String GLOBAL = """
            {"uuid": "6d8a2c4e-1111-2222-3333-444455556666",
             "fq_name": ["default-global-system-config", "default-global-vrouter-config"],
             "encapsulation_priorities": {"encapsulation": ["MPLSoUDP"]},
             "linklocal_services": {"linklocal_service_entry": [%s]}}""".formatted(ENTRY_METADATA);

    @TempDir
    Path dir;
    private Path file;
    private long mtime = 1_700_000_000_000L;
    private final ManualScheduler scheduler = new ManualScheduler();
    private final LinkLocalRegistry registry = LinkLocalRegistry.builder()
            .scheduler(scheduler).resolver(new FakeResolver()).resolverExecutor(Runnable::run).build();
    private final List<RegistryDiff> diffs = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private LinkLocalFileSource source;

    @BeforeEach
    void setUp() {
        file = dir.resolve("linklocal.json");
        registry.subscribe(diffs::add);
        ((Logger) LoggerFactory.getLogger(LinkLocalRegistry.class)).addAppender(logs);
        logs.start();
    }

    @AfterEach
    void tearDown() {
        ((Logger) LoggerFactory.getLogger(LinkLocalRegistry.class)).detachAppender(logs);
        if (source != null) {
            source.close();
        }
        registry.close();
    }

    /** Writes and moves the mtime on, so a change is seen even on a coarse-clock file system. */
    private void write(String json) throws IOException {
        Files.writeString(file, json);
        Files.setLastModifiedTime(file, FileTime.fromMillis(mtime += 1000));
    }

    private static String services(String... entries) {
        return "{\"linklocal_service_entry\": [" + String.join(",", entries) + "]}";
    }

    private void startSource() {
        source = new LinkLocalFileSource(registry, file);
        source.start();
    }

    private void nextPoll() {
        scheduler.advance(LinkLocalFileSource.DEFAULT_POLL_INTERVAL);
    }

    @Test
    void shouldApplyWholeGlobalVrouterConfigFileAtStart() throws Exception {
        write(GLOBAL);
        startSource();
        RegistrySnapshot s = registry.snapshot();
        assertEquals("metadata", s.metadataService().name());
        assertEquals("file:" + file, s.source());
        assertEquals(1, source.appliedCount());
        assertNull(source.lastError());
    }

    @Test
    void shouldApplyBareLinklocalServicesValueAndVncApiWrappedObject() throws Exception {
        write(services(ENTRY_METADATA, ENTRY_NTP));
        startSource();
        assertEquals(2, registry.snapshot().size());
        write("{\"global-vrouter-config\": " + GLOBAL + "}");
        nextPoll();
        assertEquals(1, registry.snapshot().size());
        assertEquals("ntp", diffs.get(diffs.size() - 1).removed().get(0).name());
    }

    @Test
    void shouldDeliverDiffWhenFileChanges() throws Exception {
        write(services(ENTRY_METADATA));
        startSource();
        write(services(ENTRY_METADATA, ENTRY_NTP));
        assertEquals(1, registry.snapshot().size(), "not before the next poll");
        nextPoll();
        RegistryDiff last = diffs.get(diffs.size() - 1);
        assertEquals("ntp", last.added().get(0).name());
        assertEquals("ntp", registry.snapshot().lookup(v4("169.254.169.1"), 123).name());
    }

    @Test
    void shouldNotReadUnchangedFileAgain() throws Exception {
        write(services(ENTRY_METADATA));
        startSource();
        nextPoll();
        nextPoll();
        assertEquals(1, registry.stats().configsAccepted());
        assertEquals(1, source.appliedCount());
    }

    @Test
    void shouldRejectInvalidFileNamingFileAndFieldAndKeepLastGoodConfig() throws Exception {
        write(services(ENTRY_METADATA));
        startSource();
        RegistrySnapshot good = registry.snapshot();
        write(services(ENTRY_METADATA.replace("\"linklocal_service_port\": 80", "\"linklocal_service_port\": 0")));
        nextPoll();
        assertSame(good, registry.snapshot());
        assertEquals(1, registry.stats().configsRejected());
        assertTrue(source.lastError().contains("linklocal_service_entry[0].linklocal_service_port"), source.lastError());
        String logged = logs.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("rejected")).findFirst().orElseThrow();
        assertTrue(logged.contains(file.toString()) && logged.contains("linklocal_service_port")
                && logged.contains("keeping version 1"), logged);
        nextPoll();
        assertEquals(1, registry.stats().configsRejected(), "the same bad file is reported once");
    }

    @Test
    void shouldRejectInvalidFileAtStartAndStayEmpty() throws Exception {
        write(services(ENTRY_METADATA, ENTRY_METADATA.replace("\"metadata\"", "\"metadata2\"")));
        startSource();
        assertTrue(registry.snapshot().isEmpty());
        assertTrue(source.lastError().contains("duplicate service address"), source.lastError());
    }

    @Test
    void shouldRefuseDocumentWithoutLinklocalKeysInsteadOfEmptyingRegistry() throws Exception {
        write(services(ENTRY_METADATA));
        startSource();
        write("{\"linklocal_service_entries\": [" + ENTRY_METADATA + "]}");
        nextPoll();
        assertEquals(1, registry.snapshot().size());
        assertTrue(source.lastError().contains("neither linklocal_services nor linklocal_service_entry"),
                source.lastError());
    }

    @Test
    void shouldApplyExplicitlyEmptyEntryList() throws Exception {
        write(services(ENTRY_METADATA));
        startSource();
        write(services());
        nextPoll();
        assertTrue(registry.snapshot().isEmpty());
        assertEquals("metadata", diffs.get(diffs.size() - 1).removed().get(0).name());
    }

    @Test
    void shouldReportMalformedJsonWithLineAndColumn() throws Exception {
        write("{\"linklocal_service_entry\": [\n  {\"linklocal_service_name\": }\n]}");
        startSource();
        assertTrue(source.lastError().contains("malformed JSON at line 2"), source.lastError());
    }

    @Test
    void shouldKeepLastGoodConfigWhenFileDisappearsAndApplyItWhenBack() throws Exception {
        write(services(ENTRY_METADATA));
        startSource();
        Files.delete(file);
        nextPoll();
        assertEquals(1, registry.snapshot().size());
        write(services(ENTRY_METADATA, ENTRY_NTP));
        nextPoll();
        assertEquals(2, registry.snapshot().size());
    }

    @Test
    void shouldApplyFixedFileAfterRejectingBrokenOne() throws Exception {
        write("{\"linklocal_service_entry\": [");
        startSource();
        assertNotNull(source.lastError());
        write(services(ENTRY_METADATA));
        nextPoll();
        assertEquals(1, registry.snapshot().size());
        assertNull(source.lastError());
    }

    @Test
    void shouldRejectOversizedAndNonUtf8Files() throws Exception {
        source = new LinkLocalFileSource(registry, file, LinkLocalFileSource.DEFAULT_POLL_INTERVAL, 64);
        write(services(ENTRY_METADATA));
        source.start();
        assertTrue(source.lastError().contains("(file): is "), source.lastError());
        Files.write(file, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'});
        Files.setLastModifiedTime(file, FileTime.fromMillis(mtime += 1000));
        nextPoll();
        assertTrue(source.lastError().contains("not UTF-8"), source.lastError());
        assertTrue(registry.snapshot().isEmpty());
    }

    @Test
    void shouldParseBothShapesAndRefuseNonObjects() throws Exception {
        LinkLocalServices a = LinkLocalFileSource.parse(GLOBAL);
        LinkLocalServices b = LinkLocalFileSource.parse(services(ENTRY_METADATA));
        assertEquals(a, b);
        for (String bad : List.of("", "[]", "42", "{\"linklocal_services\": null}",
                "{\"global-vrouter-config\": []}", services(ENTRY_METADATA).replace("}]}", ", \"proto\": 6}]}"))) {
            ConfigValidationException e = assertThrows(ConfigValidationException.class,
                    () -> LinkLocalFileSource.parse(bad), bad);
            assertTrue(!e.errors().isEmpty(), bad);
        }
        ConfigValidationException unknown = assertThrows(ConfigValidationException.class,
                () -> LinkLocalFileSource.parse(services(ENTRY_METADATA).replace("}]}", ", \"proto\": 6}]}")));
        assertTrue(unknown.errors().get(0).field().endsWith(".proto"), unknown.getMessage());
    }

    @Test
    void shouldReadUtf8FileWithNonAsciiName() throws Exception {
        Files.write(file, services(ENTRY_METADATA.replace("\"metadata\"", "\"metadata-é\"")).getBytes(StandardCharsets.UTF_8));
        startSource();
        assertEquals("metadata-é", registry.snapshot().metadataService().name());
    }

    private static String parseError(String json) {
        return assertThrows(ConfigValidationException.class, () -> LinkLocalFileSource.parse(json)).getMessage();
    }

    @Test
    void shouldNameNullEntriesNullFabricIpsFractionalPortsAndRepeatedKeys() {
        assertEquals("linklocal_service_entry[0]: entry is null", parseError(services("null")));
        assertEquals("linklocal_service_entry[0].ip_fabric_service_ip[1]: is null",
                parseError(services(ENTRY_METADATA.replace("[\"10.0.0.5\"]", "[\"10.0.0.5\", null]"))));
        String fractional = parseError(services(ENTRY_METADATA.replace("8775", "8775.9")));
        assertTrue(fractional.startsWith("linklocal_service_entry[0].ip_fabric_service_port: "), fractional);
        String repeated = parseError(services(ENTRY_METADATA.replace("\"linklocal_service_port\": 80",
                "\"linklocal_service_port\": 80, \"linklocal_service_port\": 8080")));
        assertTrue(repeated.contains("Duplicate field 'linklocal_service_port'"), repeated);
    }

    @Test
    @org.junit.jupiter.api.Timeout(10)
    void shouldHaveFileConfigInForceWhenStartCompletesOnRealThreads() throws Exception {
        write(GLOBAL);
        try (LinkLocalRegistry real = LinkLocalRegistry.builder().resolver(new FakeResolver()).build();
             LinkLocalFileSource fileSource = new LinkLocalFileSource(real, file,
                     java.time.Duration.ofMillis(20), LinkLocalFileSource.DEFAULT_MAX_FILE_BYTES)) {
            fileSource.start().get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals("metadata", real.snapshot().metadataService().name());
            java.util.concurrent.CompletableFuture<RegistryDiff> seen = new java.util.concurrent.CompletableFuture<>();
            real.subscribe(d -> {
                if (d.after().size() == 2) {
                    seen.complete(d);
                }
            });
            write(services(ENTRY_METADATA, ENTRY_NTP));
            assertEquals("ntp", seen.get(5, java.util.concurrent.TimeUnit.SECONDS).added().get(0).name());
        }
    }
}
