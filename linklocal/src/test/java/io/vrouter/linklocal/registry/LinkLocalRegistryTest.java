package io.vrouter.linklocal.registry;

import static io.vrouter.linklocal.registry.Entries.ip;
import static io.vrouter.linklocal.registry.Entries.services;
import static io.vrouter.linklocal.registry.Entries.v4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.linklocal.config.ConfigValidationException;
import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.LinkLocalServices;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class LinkLocalRegistryTest {
    private static final LinkLocalServiceEntry METADATA = ip("metadata", "169.254.169.254", 80, 8775, "10.0.0.5");
    private static final LinkLocalServiceEntry NTP = ip("ntp", "169.254.169.1", 123, 123, "10.0.1.1");
    private static final LinkLocalServiceEntry SYSLOG = ip("syslog", "169.254.169.3", 514, 514, "10.0.1.3");

    private final ManualScheduler scheduler = new ManualScheduler();
    private final LinkLocalRegistry registry = LinkLocalRegistry.builder()
            .scheduler(scheduler).resolver(new FakeResolver()).resolverExecutor(Runnable::run).build();
    private final List<String> events = new ArrayList<>();

    @AfterEach
    void close() {
        registry.close();
    }

    private RegistryDiff apply(LinkLocalServices services) throws Exception {
        CompletableFuture<RegistryDiff> f = registry.apply(services, "test");
        assertTrue(f.isDone(), "the manual scheduler runs the task at once");
        return f.get();
    }

    private static List<String> names(List<LinkLocalService> services) {
        return services.stream().map(LinkLocalService::name).toList();
    }

    @Test
    void shouldPublishAddedServicesAsNewSnapshot() throws Exception {
        RegistryDiff diff = apply(services(NTP, METADATA));
        assertEquals(List.of("metadata", "ntp"), names(diff.added()), "sorted by name");
        assertTrue(diff.removed().isEmpty() && diff.changed().isEmpty());
        RegistrySnapshot s = registry.snapshot();
        assertSame(diff.after(), s);
        assertEquals(1, s.version());
        assertEquals("test", s.source());
        assertEquals("metadata", s.lookup(v4("169.254.169.254"), 80).name());
    }

    @Test
    void shouldReportRemovedAndChangedServicesWithTheirOldForwarding() throws Exception {
        apply(services(METADATA, NTP, SYSLOG));
        RegistryDiff diff = apply(services(
                ip("metadata", "169.254.169.254", 80, 8775, "10.0.0.7"),  // fabric IP changed
                ip("syslog", "169.254.169.3", 514, 1514, "10.0.1.3")));   // fabric port changed
        assertEquals(List.of("ntp"), names(diff.removed()));
        assertEquals(List.of("metadata", "syslog"), diff.changed().stream().map(RegistryDiff.ServiceChange::name).toList());
        RegistryDiff.ServiceChange md = diff.changed().get(0);
        assertEquals(List.of(Entries.addr("10.0.0.5")), md.before().fabricAddresses());
        assertEquals(List.of(Entries.addr("10.0.0.7")), md.after().fabricAddresses());
        assertTrue(diff.added().isEmpty());
        assertEquals(null, registry.snapshot().lookup(v4("169.254.169.1"), 123));
    }

    @Test
    void shouldTreatServiceAddressChangeAsChangedAndRenameAsRemoveAndAdd() throws Exception {
        apply(services(METADATA, NTP));
        RegistryDiff diff = apply(services(
                ip("metadata", "169.254.169.254", 8080, 8775, "10.0.0.5"),
                ip("time", "169.254.169.1", 123, 123, "10.0.1.1")));
        assertEquals(List.of("metadata"), diff.changed().stream().map(RegistryDiff.ServiceChange::name).toList());
        assertEquals(List.of("ntp"), names(diff.removed()));
        assertEquals(List.of("time"), names(diff.added()));
    }

    @Test
    void shouldKeepSnapshotWhenSameConfigIsAppliedAgain() throws Exception {
        apply(services(METADATA, NTP));
        RegistrySnapshot first = registry.snapshot();
        RegistryDiff diff = apply(services(METADATA, NTP));
        assertTrue(diff.isEmpty());
        assertSame(first, registry.snapshot());
        assertEquals(2, registry.stats().configsAccepted());
        assertEquals(1, registry.stats().snapshotsApplied());
    }

    @Test
    void shouldNotNotifyListenersWhenConfigChangesNoForwarding() throws Exception {
        apply(services(ip("m", "169.254.169.254", 80, 8775, "10.0.0.5", "10.0.0.6"), NTP));
        registry.subscribe(d -> events.add(d.toString()));
        events.clear(); // the replay of the current state
        RegistryDiff diff = apply(services(NTP, ip("m", "169.254.169.254", 80, 8775, "10.0.0.6", "10.0.0.5")));
        assertTrue(diff.isEmpty());
        assertEquals(List.of(), events);
        assertEquals("ntp", registry.snapshot().services().get(0).name(), "new config order is in force");
    }

    @Test
    void shouldRejectInvalidConfigAndKeepThePreviousSnapshot() throws Exception {
        apply(services(METADATA));
        RegistrySnapshot good = registry.snapshot();
        CompletableFuture<RegistryDiff> f = registry.apply(services(
                NTP, ip("ntp-dup", "169.254.169.1", 123, 123, "10.0.1.2")), "config-api");
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, f::get);
        ConfigValidationException cve = assertInstanceOf(ConfigValidationException.class, e.getCause());
        assertEquals("linklocal_service_entry[1].linklocal_service_ip", cve.errors().get(0).field());
        assertSame(good, registry.snapshot());
        RegistryStats stats = registry.stats();
        assertEquals(1, stats.configsRejected());
        assertTrue(stats.lastRejection().startsWith("config-api: linklocal_service_entry[1]"), stats.lastRejection());
    }

    @Test
    void shouldDeliverDiffsToListenersInSubscriptionOrderAndVersionOrder() throws Exception {
        registry.subscribe(d -> events.add("A v" + d.after().version()));
        registry.subscribe(d -> events.add("B v" + d.after().version()));
        registry.subscribe(d -> events.add("C v" + d.after().version()));
        apply(services(METADATA));
        apply(services(METADATA, NTP));
        assertEquals(List.of("A v1", "B v1", "C v1", "A v2", "B v2", "C v2"), events);
    }

    @Test
    void shouldReplayCurrentServicesToNewListenerAsAdded() throws Exception {
        apply(services(METADATA, NTP));
        List<RegistryDiff> got = new ArrayList<>();
        registry.subscribe(got::add);
        assertEquals(1, got.size());
        assertEquals(List.of("metadata", "ntp"), names(got.get(0).added()));
        assertEquals(0, got.get(0).before().version());
    }

    @Test
    void shouldKeepNotifyingOtherListenersWhenOneThrows() throws Exception {
        registry.subscribe(d -> {
            throw new IllegalStateException("listener bug");
        });
        registry.subscribe(d -> events.add("ok v" + d.after().version()));
        apply(services(METADATA));
        assertEquals(List.of("ok v1"), events);
        assertEquals(1, registry.stats().listenerErrors());
        assertEquals(1, registry.snapshot().version());
    }

    @Test
    void shouldStopDeliveringAfterSubscriptionIsClosed() throws Exception {
        LinkLocalRegistry.Subscription sub = registry.subscribe(d -> events.add("v" + d.after().version()));
        apply(services(METADATA));
        sub.close();
        apply(services(METADATA, NTP));
        assertEquals(List.of("v1"), events);
    }

    @Test
    void shouldCountAppliedSnapshotsAndRejections() throws Exception {
        apply(services(METADATA));
        apply(services(METADATA, NTP));
        registry.apply(services(ip("", "169.254.169.9", 1, 1, "10.0.0.1")), "x");
        RegistryStats stats = registry.stats();
        assertEquals(2, stats.version());
        assertEquals(2, stats.services());
        assertEquals(2, stats.snapshotsApplied());
        assertEquals(2, stats.configsAccepted());
        assertEquals(1, stats.configsRejected());
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void shouldApplyFromOtherThreadsOnItsOwnWriterThread() throws Exception {
        try (LinkLocalRegistry real = LinkLocalRegistry.builder().resolver(new FakeResolver()).build()) {
            List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
            real.subscribe(d -> threads.add(Thread.currentThread().getName()));
            RegistryDiff diff = real.apply(services(METADATA), "other-thread").get(5, TimeUnit.SECONDS);
            assertEquals(1, diff.after().version());
            assertSame(diff.after(), real.snapshot());
            assertEquals(List.of("linklocal-registry"), threads);
            assertNotNull(real.snapshot().metadataService());
        }
    }

    @Test
    void shouldFailApplyAfterClose() {
        registry.close();
        CompletableFuture<RegistryDiff> f = registry.apply(services(METADATA), "late");
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, f::get);
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(registry.snapshot().isEmpty());
    }
}
