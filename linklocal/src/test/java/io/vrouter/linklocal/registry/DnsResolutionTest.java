package io.vrouter.linklocal.registry;

import static io.vrouter.linklocal.registry.Entries.addr;
import static io.vrouter.linklocal.registry.Entries.dns;
import static io.vrouter.linklocal.registry.Entries.ip;
import static io.vrouter.linklocal.registry.Entries.services;
import static io.vrouter.linklocal.registry.Entries.v4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DnsResolutionTest {
    private static final String NOVA = "nova.fabric.example";
    private static final LinkLocalServiceEntry METADATA = dns("metadata", "169.254.169.254", 80, NOVA, 8775);

    private final ManualScheduler scheduler = new ManualScheduler();
    private final FakeResolver resolver = new FakeResolver();
    private final List<RegistryDiff> diffs = new ArrayList<>();
    private LinkLocalRegistry registry;

    private LinkLocalRegistry start(Executor resolverExecutor) {
        registry = LinkLocalRegistry.builder().scheduler(scheduler).resolver(resolver)
                .resolverExecutor(resolverExecutor).build();
        registry.subscribe(diffs::add);
        return registry;
    }

    private LinkLocalRegistry start() {
        return start(Runnable::run);
    }

    @AfterEach
    void close() {
        if (registry != null) {
            registry.close();
        }
    }

    private LinkLocalService metadata() {
        return registry.snapshot().byName("metadata");
    }

    @Test
    void shouldResolveNewNameAtOnceAndUseEveryAddressOfTheAnswer() {
        resolver.answer(NOVA, "10.0.0.6", "fd00::5", "10.0.0.5");
        start().apply(services(METADATA), "test");
        assertEquals(List.of(addr("10.0.0.5"), addr("10.0.0.6"), addr("fd00::5")), metadata().fabricAddresses());
        assertEquals(2, metadata().fabricIpv4Count());
        assertEquals(v4("10.0.0.6"), metadata().fabricIpv4(1));
        // v1: added unresolved; v2: the answer arrived, a change of that service
        assertEquals(2, diffs.size());
        assertFalse(diffs.get(0).added().get(0).isResolved());
        assertEquals("metadata", diffs.get(1).changed().get(0).name());
        assertTrue(diffs.get(1).after().source().startsWith("dns:" + NOVA), diffs.get(1).after().source());
        assertEquals(1, registry.stats().dnsRefreshOk());
    }

    @Test
    void shouldRefreshEveryFifteenMinutesByDefaultAndPublishChangedAnswer() {
        resolver.answer(NOVA, "10.0.0.5");
        start().apply(services(METADATA), "test");
        resolver.answer(NOVA, "10.0.0.9");
        scheduler.advance(Duration.ofMinutes(14));
        assertEquals(1, resolver.queriesOf(NOVA));
        scheduler.advance(Duration.ofMinutes(1));
        assertEquals(2, resolver.queriesOf(NOVA));
        assertEquals(List.of(addr("10.0.0.9")), metadata().fabricAddresses());
        RegistryDiff.ServiceChange change = diffs.get(diffs.size() - 1).changed().get(0);
        assertEquals(List.of(addr("10.0.0.5")), change.before().fabricAddresses());
        assertEquals(List.of(addr("10.0.0.9")), change.after().fabricAddresses());
    }

    @Test
    void shouldNotPublishWhenRefreshReturnsSameAddressesInAnotherOrder() {
        resolver.answer(NOVA, "10.0.0.5", "10.0.0.6");
        start().apply(services(METADATA), "test");
        RegistrySnapshot before = registry.snapshot();
        int diffsBefore = diffs.size();
        resolver.answer(NOVA, "10.0.0.6", "10.0.0.5");
        scheduler.advance(LinkLocalRegistry.DEFAULT_DNS_REFRESH_INTERVAL);
        assertSame(before, registry.snapshot());
        assertEquals(diffsBefore, diffs.size());
        assertEquals(2, registry.stats().dnsRefreshOk());
    }

    @Test
    void shouldKeepLastGoodAnswerWhenRefreshFails() {
        resolver.answer(NOVA, "10.0.0.5");
        start().apply(services(METADATA), "test");
        RegistrySnapshot good = registry.snapshot();
        resolver.fail(NOVA, new UnknownHostException(NOVA + ": Temporary failure in name resolution"));
        scheduler.advance(LinkLocalRegistry.DEFAULT_DNS_REFRESH_INTERVAL);
        resolver.answer(NOVA); // an empty answer is a failure too
        scheduler.advance(LinkLocalRegistry.DEFAULT_DNS_REFRESH_INTERVAL);
        assertSame(good, registry.snapshot());
        assertEquals(List.of(addr("10.0.0.5")), metadata().fabricAddresses());
        assertEquals(1, registry.stats().dnsRefreshOk());
        assertEquals(2, registry.stats().dnsRefreshFailed());
        assertEquals(3, resolver.queriesOf(NOVA), "a resolved name is not retried before the refresh");
    }

    @Test
    void shouldRetryUnresolvedNameSoonerThanRefresh() {
        resolver.fail(NOVA, new UnknownHostException(NOVA));
        start().apply(services(METADATA), "test");
        assertFalse(metadata().isResolved());
        assertEquals(1, registry.stats().unresolvedServices());
        resolver.answer(NOVA, "10.0.0.5");
        scheduler.advance(LinkLocalRegistry.DEFAULT_DNS_RETRY_INTERVAL);
        assertTrue(metadata().isResolved());
        assertEquals(0, registry.stats().unresolvedServices());
        assertEquals(2, resolver.queriesOf(NOVA));
    }

    @Test
    void shouldHonourConfiguredRefreshInterval() {
        registry = LinkLocalRegistry.builder().scheduler(scheduler).resolver(resolver)
                .resolverExecutor(Runnable::run).dnsRefreshInterval(Duration.ofMinutes(1)).build();
        resolver.answer(NOVA, "10.0.0.5");
        registry.apply(services(METADATA), "test");
        scheduler.advance(Duration.ofMinutes(3));
        assertEquals(4, resolver.queriesOf(NOVA));
    }

    @Test
    void shouldResolveNameSharedByServicesOnceAndChangeThemAll() {
        resolver.answer(NOVA, "10.0.0.5");
        start().apply(services(METADATA,
                dns("nova-api", "169.254.169.250", 8774, "NOVA.fabric.example.", 8774)), "test");
        assertEquals(1, resolver.queries.size(), "names compare without case and trailing dot");
        assertEquals(List.of(addr("10.0.0.5")), registry.snapshot().byName("nova-api").fabricAddresses());
        resolver.answer(NOVA, "10.0.0.7");
        registry.refreshDnsNow();
        assertEquals(List.of("metadata", "nova-api"),
                diffs.get(diffs.size() - 1).changed().stream().map(RegistryDiff.ServiceChange::name).toList());
    }

    @Test
    void shouldKeepAnswerWhenNameStaysAcrossConfigsAndForgetItWhenRemoved() {
        resolver.answer(NOVA, "10.0.0.5");
        start().apply(services(METADATA), "test");
        registry.apply(services(METADATA, ip("ntp", "169.254.169.1", 123, 123, "10.0.1.1")), "test");
        assertEquals(1, resolver.queriesOf(NOVA));
        assertTrue(metadata().isResolved());
        registry.apply(services(ip("ntp", "169.254.169.1", 123, 123, "10.0.1.1")), "test");
        registry.apply(services(METADATA), "test");
        assertEquals(2, resolver.queriesOf(NOVA), "a name that left the config is resolved afresh");
    }

    @Test
    void shouldDiscardAnswerForNameRemovedWhileResolvingAndNotQueryTwiceInFlight() {
        Deque<Runnable> pending = new ArrayDeque<>();
        start(pending::add);
        resolver.answer(NOVA, "10.0.0.5");
        registry.apply(services(METADATA), "test");
        registry.refreshDnsNow();
        assertEquals(1, pending.size(), "one lookup per name in flight");
        registry.apply(services(ip("ntp", "169.254.169.1", 123, 123, "10.0.1.1")), "test");
        long version = registry.snapshot().version();
        pending.poll().run();
        assertEquals(version, registry.snapshot().version());
        assertEquals(null, metadata());
    }

    @Test
    void shouldNeverResolveOnTheCallerOfLookup() {
        Deque<Runnable> pending = new ArrayDeque<>();
        start(pending::add);
        registry.apply(services(METADATA), "test");
        assertFalse(registry.snapshot().lookup(v4("169.254.169.254"), 80).isResolved());
        assertEquals(0, resolver.queries.size(), "lookups only happen on the resolver executor");
    }

    @Test
    void shouldStopTimersOnClose() {
        start();
        assertEquals(2, scheduler.activeTimers());
        registry.close();
        assertEquals(0, scheduler.activeTimers());
    }

    @Test
    void shouldKeepAtMostTheAddressLimitOfAHugeAnswer() {
        String[] ips = new String[200];
        for (int i = 0; i < ips.length; i++) {
            ips[i] = "10.1." + (i / 100) + "." + (i % 100 + 1);
        }
        resolver.answer(NOVA, ips);
        start().apply(services(METADATA), "test");
        assertEquals(LinkLocalRegistry.DEFAULT_MAX_DNS_ADDRESSES, metadata().fabricAddresses().size());
        assertEquals(addr("10.1.0.1"), metadata().fabricAddresses().get(0));
    }

    @Test
    void shouldMarkAaaaOnlyAnswerResolvedWithNoIpv4Address() {
        resolver.answer(NOVA, "fd00::5");
        start().apply(services(METADATA), "test");
        assertTrue(metadata().isResolved());
        assertEquals(0, metadata().fabricIpv4Count());
    }
}
