package io.vrouter.provision.store;

import io.vrouter.linklocal.config.VersionedConfig;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.vrouter.linklocal.config.ConfigValidationException;
import io.vrouter.linklocal.config.GlobalVrouterConfig;
import io.vrouter.linklocal.config.LinkLocalJson;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The object in etcd (v3 API, through jetcd) under one key, so that several config-api
 * instances serve the same data.
 *
 * <ul>
 *   <li>The revision is the key's etcd <em>mod revision</em>: every instance over the same etcd
 *       reports the same revision for the same write. It grows by more than one when other keys
 *       are written in between.</li>
 *   <li>Writes are an etcd transaction {@code if mod_revision(key) == expected then put else
 *       get}; creation is {@code if version(key) == 0 then put}. No lost updates, across
 *       instances.</li>
 *   <li>Reads are linearizable (etcd's default), so a read after an acknowledged write on any
 *       instance sees that write.</li>
 *   <li>One etcd watch feeds the listeners. When it fails (member lost, revision compacted)
 *       the store re-reads the key and watches again from there after {@link #RESYNC_DELAY_MS}; as
 *       listeners get whole objects, a missed intermediate revision loses nothing.</li>
 * </ul>
 *
 * <table>
 *   <caption>Limits</caption>
 *   <tr><td>{@link #DEFAULT_OP_TIMEOUT}</td><td>5 s per etcd call: long enough for a leader
 *       election in a 3-member cluster (default election timeout 1 s), short enough that an API
 *       client sees a 503 rather than hanging</td></tr>
 * </table>
 */
public final class EtcdConfigStore implements ConfigStore {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdConfigStore.class);

    public static final Duration DEFAULT_OP_TIMEOUT = Duration.ofSeconds(5);
    public static final String DEFAULT_KEY = "/vrouter/config-api/global-vrouter-config";
    static final long RESYNC_DELAY_MS = 1000;

    private final List<URI> endpoints;
    private final Client client;
    private final KV kv;
    private final ByteSequence key;
    private final Duration opTimeout;
    private final List<Consumer<VersionedConfig>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService resync = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "etcd-store-resync");
        t.setDaemon(true);
        return t;
    });
    private final Object watchLock = new Object();
    private Watch.Watcher watcher;
    private long lastNotified;
    private volatile boolean closed;

    public EtcdConfigStore(List<URI> endpoints) {
        this(endpoints, DEFAULT_KEY, DEFAULT_OP_TIMEOUT);
    }

    public EtcdConfigStore(List<URI> endpoints, String key, Duration opTimeout) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one etcd endpoint is required");
        }
        this.endpoints = List.copyOf(endpoints);
        this.client = Client.builder()
                .endpoints(endpoints.toArray(new URI[0]))
                .connectTimeout(Duration.ofSeconds(2))
                .retryMaxDuration(opTimeout)
                .build();
        this.kv = client.getKVClient();
        this.key = bytes(key);
        this.opTimeout = opTimeout;
    }

    @Override
    public VersionedConfig createIfAbsent(GlobalVrouterConfig initial) throws StoreException {
        TxnResponse r = await(kv.txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(Op.put(key, bytes(LinkLocalJson.write(initial)), PutOption.DEFAULT))
                .Else(Op.get(key, GetOption.DEFAULT))
                .commit(), "create");
        if (r.isSucceeded()) {
            return new VersionedConfig(r.getHeader().getRevision(), initial);
        }
        List<KeyValue> kvs = r.getGetResponses().get(0).getKvs();
        if (kvs.isEmpty()) {
            throw new StoreException("etcd key " + key + " vanished while being created");
        }
        return decode(kvs.get(0));
    }

    @Override
    public VersionedConfig current() throws StoreException {
        GetResponse r = await(kv.get(key), "read");
        return r.getKvs().isEmpty() ? null : decode(r.getKvs().get(0));
    }

    @Override
    public long replace(long expectedRevision, GlobalVrouterConfig config) throws StoreException {
        TxnResponse r = await(kv.txn()
                .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(expectedRevision)))
                .Then(Op.put(key, bytes(LinkLocalJson.write(config)), PutOption.DEFAULT))
                .Else(Op.get(key, GetOption.DEFAULT))
                .commit(), "write");
        if (r.isSucceeded()) {
            return r.getHeader().getRevision();
        }
        List<KeyValue> kvs = r.getGetResponses().get(0).getKvs();
        if (kvs.isEmpty()) {
            throw new StoreException("the store holds no global-vrouter-config yet");
        }
        throw new StaleRevisionException(expectedRevision, kvs.get(0).getModRevision());
    }

    @Override
    public AutoCloseable watch(Consumer<VersionedConfig> listener) {
        listeners.add(listener);
        synchronized (watchLock) {
            if (watcher == null && !closed) {
                startWatch(0);
            }
        }
        return () -> listeners.remove(listener);
    }

    /** Starts the etcd watch after {@code fromRevision} (0: from the key's current revision). */
    private void startWatch(long fromRevision) {
        long start = fromRevision;
        if (start == 0) {
            try {
                VersionedConfig now = current();
                start = now == null ? 0 : now.revision();
                if (now != null) {
                    deliver(now);
                }
            } catch (StoreException e) {
                LOG.warn("etcd watch: cannot read the current revision ({}); retrying", e.getMessage());
                scheduleResync();
                return;
            }
        }
        WatchOption option = start == 0 ? WatchOption.DEFAULT
                : WatchOption.builder().withRevision(start + 1).build();
        watcher = client.getWatchClient().watch(key, option,
                Watch.listener(this::onWatch, this::onWatchError, () -> onWatchError(null)));
    }

    private void onWatch(WatchResponse response) {
        for (WatchEvent e : response.getEvents()) {
            if (e.getEventType() != WatchEvent.EventType.PUT) {
                LOG.warn("etcd key {} was deleted outside config-api", key);
                continue;
            }
            try {
                deliver(decode(e.getKeyValue()));
            } catch (StoreException ex) {
                LOG.warn("etcd watch: ignoring undecodable value at revision {}: {}",
                        e.getKeyValue().getModRevision(), ex.getMessage());
            }
        }
    }

    private void onWatchError(Throwable t) {
        if (closed) {
            return;
        }
        LOG.warn("etcd watch ended ({}); resynchronising in {} ms",
                t == null ? "completed" : t.toString(), RESYNC_DELAY_MS);
        synchronized (watchLock) {
            if (watcher != null) {
                watcher.close();
                watcher = null;
            }
        }
        scheduleResync();
    }

    private void scheduleResync() {
        if (closed) {
            return;
        }
        resync.schedule(() -> {
            synchronized (watchLock) {
                if (watcher == null && !closed) {
                    startWatch(0);
                }
            }
        }, RESYNC_DELAY_MS, TimeUnit.MILLISECONDS);
    }

    /** Calls listeners in revision order, each revision once. */
    private synchronized void deliver(VersionedConfig v) {
        if (v.revision() <= lastNotified) {
            return;
        }
        lastNotified = v.revision();
        for (Consumer<VersionedConfig> l : listeners) {
            try {
                l.accept(v);
            } catch (RuntimeException e) {
                LOG.warn("store listener failed on revision {}", v.revision(), e);
            }
        }
    }

    private VersionedConfig decode(KeyValue kv) throws StoreException {
        String json = kv.getValue().toString(StandardCharsets.UTF_8);
        try {
            return new VersionedConfig(kv.getModRevision(), LinkLocalJson.parseGlobalVrouterConfig(json));
        } catch (ConfigValidationException e) {
            throw new StoreException("etcd key " + key + " at revision " + kv.getModRevision()
                    + " holds an invalid global-vrouter-config: " + e.getMessage(), e);
        }
    }

    private <T> T await(CompletableFuture<T> f, String what) throws StoreException {
        if (closed) {
            throw new StoreException(describe() + " is closed");
        }
        try {
            return f.get(opTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new StoreException("etcd " + what + " timed out after " + opTimeout.toMillis() + " ms ("
                    + describe() + ")", e);
        } catch (ExecutionException e) {
            throw new StoreException("etcd " + what + " failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted during etcd " + what, e);
        }
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Override
    public String describe() {
        StringBuilder sb = new StringBuilder("etcd:");
        for (int i = 0; i < endpoints.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(endpoints.get(i));
        }
        return sb.toString();
    }

    @Override
    public void close() {
        closed = true;
        listeners.clear();
        synchronized (watchLock) {
            if (watcher != null) {
                watcher.close();
                watcher = null;
            }
        }
        resync.shutdownNow();
        client.close();
    }
}
