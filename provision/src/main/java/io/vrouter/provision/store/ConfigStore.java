package io.vrouter.provision.store;

import io.vrouter.linklocal.config.VersionedConfig;

import io.vrouter.linklocal.config.GlobalVrouterConfig;
import java.util.function.Consumer;

/**
 * Where the one {@code global-vrouter-config} object lives. The master copy is in the store;
 * config-api instances and, through them, agents hold cached copies that they bring up to date
 * by revision.
 *
 * <h2>Consistency model</h2>
 * <ul>
 *   <li>Every successful write gets a revision strictly greater than any revision this store
 *       has handed out before. Revisions need not be consecutive (etcd's are global).</li>
 *   <li>Writes are compare-and-swap on the revision: {@link #replace} succeeds only when the
 *       caller saw the current revision, so concurrent read-modify-write cycles never lose an
 *       update; the loser gets {@link StaleRevisionException} and retries.</li>
 *   <li>A write is acknowledged (returns) only once it is durable in the backing store.</li>
 *   <li>Listeners registered with {@link #watch} see every revision written after they
 *       registered, in revision order, including writes made by other processes sharing the
 *       store (etcd). A listener may miss intermediate revisions when several writes land
 *       together (etcd batches), but never sees them out of order and always sees the last.</li>
 * </ul>
 *
 * <p>Implementations are thread-safe. Listeners are called on a store-owned thread and must
 * not block.
 */
public interface ConfigStore extends AutoCloseable {

    /**
     * Creates the object with {@code initial} when the store holds none yet; otherwise leaves the
     * store alone. Safe to race with other processes: exactly one creation wins.
     *
     * @return the object now stored (the existing one, or {@code initial} at its new revision)
     */
    VersionedConfig createIfAbsent(GlobalVrouterConfig initial) throws StoreException;

    /** The current object, or {@code null} when the store is empty. */
    VersionedConfig current() throws StoreException;

    /**
     * Replaces the object when its current revision is {@code expectedRevision}.
     *
     * @return the new revision
     * @throws StaleRevisionException when another write came first (carries the current revision)
     * @throws StoreException when the store is empty or cannot be written
     */
    long replace(long expectedRevision, GlobalVrouterConfig config) throws StoreException;

    /**
     * Registers {@code listener} for revisions written from now on.
     *
     * @return a handle whose {@code close()} stops the notifications
     */
    AutoCloseable watch(Consumer<VersionedConfig> listener);

    /** One line for logs: {@code file:/var/lib/config-api}, {@code etcd:http://10.0.0.1:2379}. */
    String describe();

    @Override
    void close();
}
