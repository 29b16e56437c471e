package io.vrouter.provision.store;

import io.vrouter.linklocal.config.VersionedConfig;

import io.vrouter.linklocal.config.GlobalVrouterConfig;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store owned by this process alone: writes are serialised by one lock, the revision is a
 * counter kept with the object, and listeners are called under the lock (so in revision order)
 * right after the write became durable.
 */
abstract class AbstractLocalStore implements ConfigStore {
    private static final Logger LOG = LoggerFactory.getLogger(AbstractLocalStore.class);

    private final Object lock = new Object();
    private final List<Consumer<VersionedConfig>> listeners = new CopyOnWriteArrayList<>();
    private volatile VersionedConfig current;
    private volatile boolean closed;

    /** Called from subclass constructors with what was found on disk (or null). */
    protected final void load(VersionedConfig loaded) {
        current = loaded;
    }

    /** Makes {@code next} durable; returns only when it survives a crash. */
    protected abstract void persist(VersionedConfig next) throws StoreException;

    @Override
    public VersionedConfig createIfAbsent(GlobalVrouterConfig initial) throws StoreException {
        synchronized (lock) {
            ensureOpen();
            if (current == null) {
                commit(new VersionedConfig(1, initial));
            }
            return current;
        }
    }

    @Override
    public VersionedConfig current() throws StoreException {
        ensureOpen();
        return current;
    }

    @Override
    public long replace(long expectedRevision, GlobalVrouterConfig config) throws StoreException {
        synchronized (lock) {
            ensureOpen();
            VersionedConfig now = current;
            if (now == null) {
                throw new StoreException("the store holds no global-vrouter-config yet");
            }
            if (now.revision() != expectedRevision) {
                throw new StaleRevisionException(expectedRevision, now.revision());
            }
            VersionedConfig next = new VersionedConfig(now.revision() + 1, config);
            commit(next);
            return next.revision();
        }
    }

    private void commit(VersionedConfig next) throws StoreException {
        persist(next);
        current = next;
        for (Consumer<VersionedConfig> l : listeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                LOG.warn("store listener failed on revision {}", next.revision(), e);
            }
        }
    }

    @Override
    public AutoCloseable watch(Consumer<VersionedConfig> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private void ensureOpen() throws StoreException {
        if (closed) {
            throw new StoreException(describe() + " is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
        listeners.clear();
    }
}
