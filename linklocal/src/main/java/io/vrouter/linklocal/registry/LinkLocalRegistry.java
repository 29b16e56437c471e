package io.vrouter.linklocal.registry;

import io.vrouter.linklocal.config.ConfigValidationException;
import io.vrouter.linklocal.config.FabricTargets;
import io.vrouter.linklocal.config.LinkLocalJson;
import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.LinkLocalServices;
import io.vrouter.plumbing.stats.Counters;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live set of link-local services on this node: validated configs in, immutable
 * {@link RegistrySnapshot}s and {@link RegistryDiff}s out.
 *
 * <p><b>Thread model.</b> One writer: every state change (a config applied, a DNS answer
 * published, a listener added) runs on the registry's {@link Scheduler}. Readers on any thread
 * call {@link #snapshot()} (one volatile read) and never block the writer. DNS names are
 * resolved on a separate resolver executor, whose answers are handed back to the writer, so a
 * slow DNS server never delays a config change and never touches the packet path.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>default</th><th>why</th></tr>
 *   <tr><td>{@link Builder#dnsRefreshInterval}</td><td>{@value #DEFAULT_DNS_REFRESH_MINUTES} min</td>
 *       <td>Contrail re-resolves fabric names every 15 minutes</td></tr>
 *   <tr><td>{@link Builder#dnsRetryInterval}</td><td>{@value #DEFAULT_DNS_RETRY_SECONDS} s</td>
 *       <td>a name never resolved leaves its service unusable (the proxy answers 500), so it is
 *       retried sooner than the refresh</td></tr>
 *   <tr><td>addresses kept per DNS answer</td><td>{@value #DEFAULT_MAX_DNS_ADDRESSES}</td>
 *       <td>twice the config's limit of fabric IPs; bounds what a DNS server can make us hold</td></tr>
 * </table>
 *
 * <p><b>DNS.</b> Every distinct name (compared case-insensitively) is resolved as soon as a
 * config introduces it, then refreshed every refresh interval. All addresses of an answer are
 * used (up to {@value #DEFAULT_MAX_DNS_ADDRESSES}). A failed or empty answer is logged with the name and error and counted; the last good
 * answer stays in force. A changed answer publishes a new snapshot whose diff lists the
 * services using that name as changed. An address that {@link FabricTargets} refuses for a
 * service using the name (loopback, unspecified, multicast, link-local), or that is one of this
 * node's {@linkplain Builder#ownEndpoints own endpoints}, is never installed: it is logged at
 * WARN and counted ({@link #dnsAddressesRefused}); an answer of only such addresses counts as a
 * failed answer.
 *
 * <p><b>Configs.</b> {@link #apply} validates (the same {@code LinkLocalValidator} as the config
 * API) and refuses an invalid config as a whole: the previous snapshot stays. The same config
 * again publishes nothing. A config that differs without changing any forwarding (entries or
 * fabric IPs reordered) publishes a new snapshot but no diff to listeners, so listeners may see
 * versions skip.
 */
public final class LinkLocalRegistry implements AutoCloseable {
    public static final long DEFAULT_DNS_REFRESH_MINUTES = 15;
    public static final Duration DEFAULT_DNS_REFRESH_INTERVAL = Duration.ofMinutes(DEFAULT_DNS_REFRESH_MINUTES);
    public static final long DEFAULT_DNS_RETRY_SECONDS = 30;
    public static final Duration DEFAULT_DNS_RETRY_INTERVAL = Duration.ofSeconds(DEFAULT_DNS_RETRY_SECONDS);
    /** At most this many addresses of one DNS answer are kept (in canonical order); the rest are logged. */
    public static final int DEFAULT_MAX_DNS_ADDRESSES = 64;

    private static final Logger LOG = LoggerFactory.getLogger(LinkLocalRegistry.class);

    private final Scheduler scheduler;
    private final boolean ownsScheduler;
    private final Resolver resolver;
    private final Executor resolverExecutor;
    private final ExecutorService ownedResolverExecutor;
    private final Scheduler.Cancellable refreshTimer;
    private final Scheduler.Cancellable retryTimer;
    private final FabricTargetGuard targetGuard;

    private volatile RegistrySnapshot current = RegistrySnapshot.EMPTY;

    // Writer-thread state.
    private final List<SubscriptionImpl> subscribers = new ArrayList<>();
    private final Map<String, DnsState> dns = new LinkedHashMap<>();
    private LinkLocalServices config = LinkLocalServices.EMPTY;
    private String configSource = RegistrySnapshot.EMPTY.source();

    private final Counters<Event> events = new Counters<>(Event.class);
    private volatile String lastRejection;
    private volatile boolean closed;

    private LinkLocalRegistry(Builder b) {
        this.ownsScheduler = b.scheduler == null;
        this.scheduler = ownsScheduler ? Scheduler.singleThread("linklocal-registry") : b.scheduler;
        this.resolver = b.resolver;
        this.targetGuard = new FabricTargetGuard(b.ownEndpoint);
        if (b.resolverExecutor == null) {
            this.ownedResolverExecutor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "linklocal-dns");
                t.setDaemon(true);
                return t;
            });
            this.resolverExecutor = ownedResolverExecutor;
        } else {
            this.ownedResolverExecutor = null;
            this.resolverExecutor = b.resolverExecutor;
        }
        long refreshNs = b.dnsRefreshInterval.toNanos();
        long retryNs = b.dnsRetryInterval.toNanos();
        this.refreshTimer = scheduler.scheduleWithFixedDelay(() -> resolveAll(false), refreshNs, refreshNs);
        this.retryTimer = scheduler.scheduleWithFixedDelay(() -> resolveAll(true), retryNs, retryNs);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The snapshot in force. Any thread; one volatile read. */
    public RegistrySnapshot snapshot() {
        return current;
    }

    /**
     * Validates {@code services} and, when valid, makes it the config in force, publishing the
     * diff to listeners. Any thread; the work runs on the writer.
     *
     * @param source where the config came from, for logs and {@link RegistrySnapshot#source()}
     *               (e.g. {@code config-api}, {@code file:/etc/contrail/linklocal.json})
     * @return completes on the writer thread with the diff applied (empty when nothing changed),
     *         or exceptionally with {@link ConfigValidationException} when refused
     */
    public CompletableFuture<RegistryDiff> apply(LinkLocalServices services, String source) {
        Objects.requireNonNull(services, "services");
        Objects.requireNonNull(source, "source");
        CompletableFuture<RegistryDiff> result = new CompletableFuture<>();
        submit(() -> {
            try {
                result.complete(applyOnWriter(services, source));
            } catch (ConfigValidationException e) {
                result.completeExceptionally(e);
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                throw e;
            }
        }, result);
        return result;
    }

    /**
     * Adds a listener. On the writer thread it is first given the current services as a diff from
     * empty (unless there are none), then every later change: nothing is missed or seen twice.
     */
    public Subscription subscribe(RegistryListener listener) {
        Objects.requireNonNull(listener, "listener");
        SubscriptionImpl sub = new SubscriptionImpl(listener);
        submit(() -> {
            if (!sub.active) {
                return;
            }
            subscribers.add(sub);
            RegistrySnapshot now = current;
            if (!now.isEmpty()) {
                deliver(sub, RegistryDiff.between(RegistrySnapshot.EMPTY, now));
            }
        }, null);
        return sub;
    }

    /** Re-resolves every DNS name now instead of at the next refresh (e.g. from introspect). */
    public void refreshDnsNow() {
        submit(() -> resolveAll(false), null);
    }

    public RegistryStats stats() {
        RegistrySnapshot s = current;
        int unresolved = 0;
        for (LinkLocalService svc : s.services()) {
            unresolved += svc.isResolved() ? 0 : 1;
        }
        return new RegistryStats(s.version(), s.size(), unresolved, events.get(Event.SNAPSHOTS_APPLIED),
                events.get(Event.CONFIGS_ACCEPTED), events.get(Event.CONFIGS_REJECTED), events.get(Event.DNS_OK),
                events.get(Event.DNS_FAILED), events.get(Event.LISTENER_ERRORS), lastRejection);
    }

    /** The counted events: the counters of {@link RegistryStats}, and {@link #dnsAddressesRefused()}. */
    private enum Event {
        SNAPSHOTS_APPLIED, CONFIGS_ACCEPTED, CONFIGS_REJECTED, DNS_OK, DNS_FAILED, LISTENER_ERRORS, DNS_ADDRESSES_REFUSED
    }

    /**
     * Addresses of DNS answers never installed because {@link FabricTargets} or this node's own
     * endpoints refused them (a name resolving to {@code 127.0.0.1}, to the agent's port IPC...).
     */
    public long dnsAddressesRefused() {
        return events.get(Event.DNS_ADDRESSES_REFUSED);
    }

    /** Stops the timers, and the threads this registry created. The last snapshot stays readable. */
    @Override
    public void close() {
        closed = true;
        refreshTimer.cancel();
        retryTimer.cancel();
        if (ownedResolverExecutor != null) {
            ownedResolverExecutor.shutdownNow();
        }
        if (ownsScheduler) {
            scheduler.close();
        }
    }

    /** A listener's registration. */
    public interface Subscription extends AutoCloseable {
        /** Stops deliveries to the listener (no more calls once this returns, except one in progress). */
        @Override
        void close();
    }

    // ---------------------------------------------------------------- writer thread

    Scheduler scheduler() {
        return scheduler;
    }

    boolean isClosed() {
        return closed;
    }

    /** Writer thread only. Applies a config; throws when it is invalid (counted and logged). */
    RegistryDiff applyOnWriter(LinkLocalServices services, String source) throws ConfigValidationException {
        try {
            LinkLocalJson.requireValid(services);
            targetGuard.requireNotOwn(services);
        } catch (ConfigValidationException e) {
            recordRejected(source, e);
            throw e;
        }
        events.increment(Event.CONFIGS_ACCEPTED);
        config = services;
        configSource = source;
        syncDnsNames();
        return publish(source);
    }

    /** Writer thread only: counts and logs a refused config. */
    void recordRejected(String source, ConfigValidationException e) {
        events.increment(Event.CONFIGS_REJECTED);
        lastRejection = source + ": " + e.getMessage();
        RegistrySnapshot now = current;
        LOG.error("link-local config from {} rejected; keeping version {} from {} ({} services): {}",
                source, now.version(), now.source(), now.size(), e.getMessage());
    }

    private RegistryDiff publish(String source) {
        RegistrySnapshot before = current;
        List<LinkLocalService> services = new ArrayList<>(config.entries().size());
        for (LinkLocalServiceEntry e : config.entries()) {
            DnsState d = e.usesDns() ? dns.get(LinkLocalService.DnsNames.key(e.fabricDnsName())) : null;
            services.add(new LinkLocalService(e, d == null ? null : d.answer));
        }
        RegistrySnapshot after = new RegistrySnapshot(before.version() + 1, source, config, services);
        RegistryDiff diff = RegistryDiff.between(before, after);
        if (diff.isEmpty() && after.config().equals(before.config())) {
            return RegistryDiff.between(before, before);
        }
        current = after;
        events.increment(Event.SNAPSHOTS_APPLIED);
        if (diff.isEmpty()) {
            LOG.info("link-local services v{} from {}: reordered, no forwarding change", after.version(), source);
            return diff;
        }
        LOG.info("link-local services v{} from {}: added {}, removed {}, changed {}",
                after.version(), source, diff.added(), diff.removed(), diff.changed());
        for (SubscriptionImpl sub : subscribers) {
            deliver(sub, diff);
        }
        return diff;
    }

    private void deliver(SubscriptionImpl sub, RegistryDiff diff) {
        if (!sub.active) {
            return;
        }
        try {
            sub.listener.onChange(diff);
        } catch (RuntimeException e) {
            events.increment(Event.LISTENER_ERRORS);
            LOG.error("link-local registry listener {} failed on v{}", sub.listener, diff.after().version(), e);
        }
    }

    private void syncDnsNames() {
        Map<String, String> wanted = new LinkedHashMap<>();
        for (LinkLocalServiceEntry e : config.entries()) {
            if (e.usesDns()) {
                wanted.putIfAbsent(LinkLocalService.DnsNames.key(e.fabricDnsName()), e.fabricDnsName());
            }
        }
        dns.keySet().retainAll(wanted.keySet());
        wanted.forEach((key, name) -> {
            if (!dns.containsKey(key)) {
                DnsState d = new DnsState(key, name);
                dns.put(key, d);
                resolve(d);
            }
        });
    }

    private void resolveAll(boolean onlyUnresolved) {
        for (DnsState d : new ArrayList<>(dns.values())) {
            if (!onlyUnresolved || d.answer.isEmpty()) {
                resolve(d);
            }
        }
    }

    private void resolve(DnsState d) {
        if (d.inFlight || closed) {
            return;
        }
        d.inFlight = true;
        try {
            resolverExecutor.execute(() -> {
                List<InetAddress> answer = null;
                Exception error = null;
                try {
                    answer = resolver.resolve(d.name);
                } catch (Exception e) {
                    error = e;
                }
                List<InetAddress> a = answer;
                Exception err = error;
                submit(() -> onResolved(d, a, err), null);
            });
        } catch (RejectedExecutionException e) {
            d.inFlight = false; // shutting down
        }
    }

    private void onResolved(DnsState d, List<InetAddress> answer, Exception error) {
        d.inFlight = false;
        boolean live = dns.get(d.key) == d;
        if (error != null || answer == null || answer.isEmpty()) {
            events.increment(Event.DNS_FAILED);
            String why = error != null ? error.getClass().getSimpleName() + ": " + error.getMessage() : "no addresses";
            if (live) {
                LOG.warn("DNS resolution of '{}' failed ({}); {} for services {}", d.name, why,
                        d.answer.isEmpty() ? "still unresolved" : "keeping last good answer " + text(d.answer),
                        servicesUsing(d.key));
            }
            return;
        }
        events.increment(Event.DNS_OK);
        if (!live) {
            return; // the name left the config while it was being resolved
        }
        List<InetAddress> allowed = targetGuard.allowed(d.name, d.key, config, answer);
        events.add(Event.DNS_ADDRESSES_REFUSED, answer.size() - allowed.size());
        if (allowed.isEmpty()) {
            LOG.warn("DNS name '{}': every address of the answer is refused; {} for services {}", d.name,
                    d.answer.isEmpty() ? "still unresolved" : "keeping last good answer " + text(d.answer),
                    servicesUsing(d.key));
            return;
        }
        List<InetAddress> canonical = LinkLocalService.canonical(allowed);
        if (canonical.size() > DEFAULT_MAX_DNS_ADDRESSES) {
            LOG.warn("DNS name '{}' returned {} addresses; using the first {}: {}", d.name, canonical.size(),
                    DEFAULT_MAX_DNS_ADDRESSES, text(canonical.subList(0, DEFAULT_MAX_DNS_ADDRESSES)));
            canonical = List.copyOf(canonical.subList(0, DEFAULT_MAX_DNS_ADDRESSES));
        }
        if (canonical.equals(d.answer)) {
            return;
        }
        LOG.info("DNS name '{}' now resolves to {} (was {})", d.name, text(canonical), text(d.answer));
        d.answer = canonical;
        publish("dns:" + d.name + " (config from " + configSource + ")");
    }

    private static List<String> text(List<InetAddress> addresses) {
        return addresses.stream().map(InetAddress::getHostAddress).toList();
    }

    private List<String> servicesUsing(String key) {
        List<String> names = new ArrayList<>();
        for (LinkLocalServiceEntry e : config.entries()) {
            if (e.usesDns() && LinkLocalService.DnsNames.key(e.fabricDnsName()).equals(key)) {
                names.add(e.name());
            }
        }
        return names;
    }

    private void submit(Runnable task, CompletableFuture<?> onReject) {
        try {
            if (closed) {
                throw new RejectedExecutionException("closed");
            }
            scheduler.execute(task);
        } catch (RejectedExecutionException e) {
            if (onReject != null) {
                onReject.completeExceptionally(new IllegalStateException("link-local registry is closed", e));
            }
        }
    }

    private static final class DnsState {
        final String key;
        final String name;
        List<InetAddress> answer = List.of();
        boolean inFlight;

        DnsState(String key, String name) {
            this.key = key;
            this.name = name;
        }
    }

    private final class SubscriptionImpl implements Subscription {
        final RegistryListener listener;
        volatile boolean active = true;

        SubscriptionImpl(RegistryListener listener) {
            this.listener = listener;
        }

        @Override
        public void close() {
            active = false;
            submit(() -> subscribers.remove(this), null);
        }
    }

    /** Settings of a registry; every one has a default. */
    public static final class Builder {
        private Scheduler scheduler;
        private Resolver resolver = Resolver.system();
        private Executor resolverExecutor;
        private Duration dnsRefreshInterval = DEFAULT_DNS_REFRESH_INTERVAL;
        private Duration dnsRetryInterval = DEFAULT_DNS_RETRY_INTERVAL;
        private Predicate<InetSocketAddress> ownEndpoint = a -> false;

        private Builder() {
        }

        /**
         * This node's own listening endpoints (the agent's port IPC, introspect, metadata proxy),
         * refused as fabric targets of configured IPs and of DNS answers; by default none.
         */
        public Builder ownEndpoints(Predicate<InetSocketAddress> isOwn) {
            this.ownEndpoint = Objects.requireNonNull(isOwn);
            return this;
        }

        /** The writer; default a daemon thread {@code linklocal-registry} owned (closed) by the registry. */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler);
            return this;
        }

        public Builder resolver(Resolver resolver) {
            this.resolver = Objects.requireNonNull(resolver);
            return this;
        }

        /** Where {@link Resolver#resolve} runs; default a daemon thread {@code linklocal-dns}. */
        public Builder resolverExecutor(Executor executor) {
            this.resolverExecutor = Objects.requireNonNull(executor);
            return this;
        }

        public Builder dnsRefreshInterval(Duration interval) {
            this.dnsRefreshInterval = positive(interval, "dnsRefreshInterval");
            return this;
        }

        public Builder dnsRetryInterval(Duration interval) {
            this.dnsRetryInterval = positive(interval, "dnsRetryInterval");
            return this;
        }

        public LinkLocalRegistry build() {
            return new LinkLocalRegistry(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + d);
            }
            return d;
        }
    }
}
