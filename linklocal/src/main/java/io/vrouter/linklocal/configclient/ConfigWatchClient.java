package io.vrouter.linklocal.configclient;

import io.vrouter.linklocal.config.VersionedConfig;

import io.vrouter.linklocal.config.FieldError;
import io.vrouter.plumbing.retry.Backoff;
import io.vrouter.plumbing.stats.Counters;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps an agent's link-local config in step with the config API: loads the on-disk cache first
 * (so a node keeps serving its last known config while the API is unreachable), then long-polls
 * the watch endpoint from the highest revision seen, hands every new valid config to a
 * {@link LinkLocalConfigListener} and caches it atomically. Each watch names the node and the
 * revision it has applied (its listener took), so the API can show how far a change has spread.
 *
 * <p>Consistency: the master copy lies with the config API; the agent holds a cached copy that
 * may lag by one poll. Because the watch returns the whole object, catching up after an outage
 * is one request. The first poll after start and after every failure asks for a full snapshot
 * ({@code since=0}); an unchanged revision is not delivered again, and a revision lower than the
 * one held (a rebuilt store) is logged and adopted, since the API is authoritative.
 *
 * <p>A config that fails the shared validator is rejected: logged with its field errors,
 * counted, and the last good config stays in force (and in the cache).
 *
 * <p>Thread model: all work runs on one scheduler, by default the client's own daemon thread
 * ({@code config-watch}); many clients may share a scheduler and an {@link HttpClient} (the
 * propagation benchmark runs 1000). A client never has more than one request in flight, so its
 * state is confined to one task at a time. {@link #close()} cancels the poll in flight and
 * returns promptly (within 2 s); with the client's own thread it also waits for a listener call
 * in progress, so none runs after it returns; on a shared scheduler no new call starts after it.
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><th>setting</th><th>default</th><th>why</th></tr>
 *   <tr><td>watch hold</td><td>{@link #DEFAULT_HOLD} </td><td>the server's default; one idle
 *       request per agent per 30 s</td></tr>
 *   <tr><td>backoff</td><td>{@link #DEFAULT_BACKOFF_INITIAL} doubling to {@link #DEFAULT_BACKOFF_CAP}</td>
 *       <td>quick to recover from a blip, gentle on an API that is down for long</td></tr>
 * </table>
 */
public final class ConfigWatchClient implements AutoCloseable {
    public static final Duration DEFAULT_HOLD = Duration.ofSeconds(30);
    public static final Duration DEFAULT_BACKOFF_INITIAL = Duration.ofMillis(200);
    public static final Duration DEFAULT_BACKOFF_CAP = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(ConfigWatchClient.class);

    private final ConfigApiClient api;
    private final LinkLocalConfigListener listener;
    private final ConfigCache cache;
    private final Duration hold;
    private final Backoff backoff;
    private final ScheduledExecutorService scheduler;
    private final boolean ownScheduler;
    private final String apiSource;
    private final String nodeName;

    private final Counters<Event> events = new Counters<>(Event.class);
    private volatile long revision;
    private volatile Instant lastContact;

    // Confined to the task in progress (one at a time, see the class comment).
    private long since;
    private boolean wantSnapshot = true;
    private int consecutiveFailures;

    private volatile boolean started;
    private volatile boolean closed;
    private volatile CompletableFuture<?> inFlight;
    private volatile Future<?> pending;

    private ConfigWatchClient(Builder b) throws IOException {
        HttpClient http = b.httpClient != null ? b.httpClient : ConfigApiClient.newHttpClient(b.endpoint, null);
        this.api = new ConfigApiClient(b.endpoint, http);
        this.listener = b.listener;
        this.cache = b.cacheFile == null ? null : new ConfigCache(b.cacheFile);
        this.hold = b.hold;
        this.backoff = new Backoff(b.backoffInitial, b.backoffCap);
        this.ownScheduler = b.scheduler == null;
        this.scheduler = ownScheduler ? Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "config-watch");
            t.setDaemon(true);
            return t;
        }) : b.scheduler;
        this.apiSource = "config-api " + b.endpoint;
        this.nodeName = b.nodeName != null ? b.nodeName : localNodeName();
    }

    /** The host name, as Contrail names a compute node; {@code HOSTNAME} when the resolver cannot say. */
    static String localNodeName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "unknown-node" : env;
        }
    }

    /** The name this client gives the config API on its watch ({@link ConfigApiClient#AGENT_NODE_HEADER}). */
    public String nodeName() {
        return nodeName;
    }

    public static Builder builder(ConfigApiEndpoint endpoint, LinkLocalConfigListener listener) {
        return new Builder(endpoint, listener);
    }

    /** Loads the cache (delivering it if present) and starts polling. Call once. */
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException(closed ? "closed" : "already started");
        }
        started = true;
        pending = scheduler.submit(() -> {
            loadCache();
            poll();
        });
    }

    public WatchClientStats stats() {
        return new WatchClientStats(events.get(Event.POLLS), events.get(Event.UPDATES), events.get(Event.ERRORS),
                events.get(Event.REJECTED), revision, lastContact);
    }

    /** Stops polling and, on its own thread, waits for it to finish (see the class comment). Idempotent. */
    @Override
    public void close() {
        closed = true;
        Future<?> p = pending;
        if (p != null) {
            p.cancel(false);
        }
        CompletableFuture<?> f = inFlight;
        if (f != null) {
            f.cancel(true);
        }
        if (ownScheduler) {
            scheduler.shutdownNow();
            try {
                if (!scheduler.awaitTermination(2, TimeUnit.SECONDS)) {
                    LOG.warn("config watch thread did not stop within 2 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loadCache() {
        if (cache == null) {
            return;
        }
        try {
            Optional<VersionedConfig> cached = cache.load();
            if (cached.isPresent()) {
                VersionedConfig c = cached.get();
                LOG.info("loaded link-local config revision {} ({} entries) from cache {}",
                        c.revision(), c.config().linklocalServices().entries().size(), cache.file());
                since = c.revision();
                deliver(new ConfigUpdate(c.config().linklocalServices(), c.revision(), "cache " + cache.file()));
            } else {
                LOG.info("no link-local config cache at {} yet", cache.file());
            }
        } catch (IOException e) {
            events.increment(Event.ERRORS);
            LOG.warn("ignoring link-local config cache: {}", e.getMessage());
        }
    }

    private void poll() {
        if (closed) {
            return;
        }
        events.increment(Event.POLLS);
        long from = wantSnapshot ? 0 : since;
        CompletableFuture<Optional<WatchEvent>> f = api.watchAsync(from, hold, nodeName, revision);
        inFlight = f;
        f.whenCompleteAsync(this::onAnswer, scheduler);
    }

    private void onAnswer(Optional<WatchEvent> answer, Throwable err) {
        if (closed) {
            return;
        }
        if (err != null) {
            onFailure(err);
            return;
        }
        lastContact = Instant.now();
        if (consecutiveFailures > 0) {
            LOG.info("config API {} answers again after {} failed polls", api.endpoint(), consecutiveFailures);
            consecutiveFailures = 0;
        }
        boolean snapshot = wantSnapshot;
        wantSnapshot = false;
        answer.ifPresent(ev -> accept(ev, snapshot));
        poll();
    }

    private void accept(WatchEvent ev, boolean snapshot) {
        if (ev.revision() == since && snapshot) {
            return; // the snapshot after a (re)connect: nothing changed meanwhile
        }
        if (ev.revision() < since) {
            if (!snapshot) {
                return; // an answer older than what we hold; the contract says this cannot happen
            }
            LOG.warn("config API revision went back from {} to {} (store rebuilt?); adopting it", since, ev.revision());
        }
        since = ev.revision();
        if (!ev.valid()) {
            events.increment(Event.REJECTED);
            LOG.error("rejected link-local config revision {} from {}; keeping revision {}: {}", ev.revision(),
                    api.endpoint(), revision,
                    ev.errors().stream().map(FieldError::toString).collect(Collectors.joining("; ")));
            return;
        }
        deliver(new ConfigUpdate(ev.config().linklocalServices(), ev.revision(), apiSource));
        if (cache != null && !closed) {
            try {
                cache.store(new VersionedConfig(ev.revision(), ev.config()));
            } catch (IOException e) {
                events.increment(Event.ERRORS);
                LOG.warn("cannot write link-local config cache {}: {}", cache.file(), e.getMessage());
            }
        }
    }

    private void deliver(ConfigUpdate update) {
        if (closed) {
            return;
        }
        revision = update.revision();
        events.increment(Event.UPDATES);
        try {
            listener.onConfig(update);
        } catch (RuntimeException e) {
            events.increment(Event.ERRORS);
            LOG.error("link-local config listener failed on revision {}", update.revision(), e);
        }
    }

    private void onFailure(Throwable err) {
        Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        if (cause instanceof java.util.concurrent.CancellationException) {
            return; // close() cancelled it
        }
        events.increment(Event.ERRORS);
        consecutiveFailures++;
        wantSnapshot = true;
        if (cause instanceof ConfigApiException api && api.status() != 0) {
            lastContact = Instant.now();
        }
        long delay = backoff.delayMs(consecutiveFailures);
        String msg = cause instanceof ConfigApiException ? cause.getMessage() : cause.toString();
        if (consecutiveFailures == 1) {
            LOG.warn("config watch failed ({}); keeping revision {}, retrying with backoff", msg, revision);
        } else {
            LOG.debug("config watch failed {} times ({}); next try in {} ms", consecutiveFailures, msg, delay);
        }
        if (!closed) {
            pending = scheduler.schedule(this::poll, delay, TimeUnit.MILLISECONDS);
        }
    }

    /** The counted events, one per counter of {@link WatchClientStats}. */
    private enum Event { POLLS, UPDATES, ERRORS, REJECTED }

    /** Settings of a {@link ConfigWatchClient}; everything but endpoint and listener is optional. */
    public static final class Builder {
        private final ConfigApiEndpoint endpoint;
        private final LinkLocalConfigListener listener;
        private java.nio.file.Path cacheFile;
        private Duration hold = DEFAULT_HOLD;
        private Duration backoffInitial = DEFAULT_BACKOFF_INITIAL;
        private Duration backoffCap = DEFAULT_BACKOFF_CAP;
        private HttpClient httpClient;
        private ScheduledExecutorService scheduler;
        private String nodeName;

        private Builder(ConfigApiEndpoint endpoint, LinkLocalConfigListener listener) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            this.listener = Objects.requireNonNull(listener, "listener");
        }

        /** Where the last good config is kept; null (the default) for no cache. */
        public Builder cacheFile(java.nio.file.Path file) {
            this.cacheFile = file;
            return this;
        }

        /** How long the server may hold one watch request (1-300 s). */
        public Builder hold(Duration h) {
            this.hold = Objects.requireNonNull(h);
            return this;
        }

        public Builder backoff(Duration initial, Duration cap) {
            this.backoffInitial = initial;
            this.backoffCap = cap;
            return this;
        }

        /** A shared client (see {@link ConfigApiClient#newHttpClient}); by default one of its own. */
        public Builder httpClient(HttpClient client) {
            this.httpClient = Objects.requireNonNull(client, "httpClient");
            return this;
        }

        /** The compute node's name sent on every watch; by default the host name. */
        public Builder nodeName(String name) {
            this.nodeName = Objects.requireNonNull(name, "node name");
            return this;
        }

        /** A shared scheduler, not shut down by {@link #close()}; by default a thread of its own. */
        public Builder scheduler(ScheduledExecutorService s) {
            this.scheduler = Objects.requireNonNull(s, "scheduler");
            return this;
        }

        /** @throws IOException when the TLS settings cannot be applied (unreadable CA file) */
        public ConfigWatchClient build() throws IOException {
            return new ConfigWatchClient(this);
        }
    }
}
