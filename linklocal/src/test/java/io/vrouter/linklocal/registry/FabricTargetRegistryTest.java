package io.vrouter.linklocal.registry;

import static io.vrouter.linklocal.registry.Entries.addr;
import static io.vrouter.linklocal.registry.Entries.dns;
import static io.vrouter.linklocal.registry.Entries.ip;
import static io.vrouter.linklocal.registry.Entries.services;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vrouter.linklocal.config.ConfigValidationException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The registry never installs a fabric target on this node, whether configured or resolved. */
class FabricTargetRegistryTest {
    private static final int PORT_IPC = 9091;
    private static final Predicate<InetSocketAddress> OWN =
            t -> t.getPort() == PORT_IPC && (t.getAddress().isLoopbackAddress() || t.getAddress().equals(addr("10.1.1.1")));

    private final ManualScheduler scheduler = new ManualScheduler();
    private final FakeResolver resolver = new FakeResolver();
    private LinkLocalRegistry registry;

    @AfterEach
    void close() {
        registry.close();
    }

    private LinkLocalRegistry start() {
        registry = LinkLocalRegistry.builder().scheduler(scheduler).resolver(resolver)
                .resolverExecutor(Runnable::run).ownEndpoints(OWN).build();
        return registry;
    }

    @Test
    void aDnsNameResolvingToLoopbackShouldNeverBeInstalledAndShouldBeCounted() {
        resolver.answer("evil.example", "127.0.0.1", "10.0.0.5");
        start().apply(services(dns("ntp", "169.254.1.1", 123, "evil.example", 123)), "test").join();
        assertEquals(List.of(addr("10.0.0.5")), registry.snapshot().byName("ntp").fabricAddresses());
        assertEquals(1, registry.dnsAddressesRefused());
    }

    @Test
    void anAnswerOfOnlyRefusedAddressesShouldLeaveTheServiceUnresolved() {
        resolver.answer("evil.example", "127.0.0.1", "0.0.0.0", "224.0.0.1", "169.254.169.254");
        start().apply(services(dns("ntp", "169.254.1.1", 123, "evil.example", 123)), "test").join();
        assertFalse(registry.snapshot().byName("ntp").isResolved());
        assertEquals(4, registry.dnsAddressesRefused());
        assertEquals(List.of(), registry.snapshot().byName("ntp").fabricAddresses());
    }

    @Test
    void aMetadataNameResolvingToTheAgentsOwnPortShouldBeRefusedButNovaOnLoopbackKept() {
        resolver.answer("nova.example", "10.1.1.1");
        start().apply(services(dns("metadata", "169.254.169.254", 80, "nova.example", PORT_IPC)), "test").join();
        assertFalse(registry.snapshot().byName("metadata").isResolved());
        assertEquals(1, registry.dnsAddressesRefused());

        resolver.answer("nova2.example", "127.0.0.1");
        registry.apply(services(dns("metadata", "169.254.169.254", 80, "nova2.example", 8775)), "test").join();
        assertEquals(List.of(addr("127.0.0.1")), registry.snapshot().byName("metadata").fabricAddresses());
    }

    @Test
    void aConfiguredIpThatIsOneOfTheAgentsOwnEndpointsShouldRefuseTheConfig() {
        start().apply(services(ip("ntp", "169.254.1.1", 123, 123, "10.0.0.5")), "test").join();
        CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class, () ->
                registry.apply(services(ip("portipc", "169.254.1.2", 80, PORT_IPC, "10.1.1.1")), "test").join());
        assertInstanceOf(ConfigValidationException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("own"), e.getCause().getMessage());
        assertTrue(registry.snapshot().byName("ntp") != null, "the previous config stays in force");
        assertEquals(1, registry.stats().configsRejected());
    }
}
