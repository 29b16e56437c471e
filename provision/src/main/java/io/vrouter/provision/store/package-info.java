/**
 * Where the {@code global-vrouter-config} object is kept: the {@link
 * io.vrouter.provision.store.ConfigStore} contract (compare-and-swap on a revision, durable
 * before acknowledged, ordered change notifications) and its implementations — in memory, the
 * embedded crash-safe file store (the default), and etcd for several config-api instances.
 *
 * <p>Thread model: stores are thread-safe and their calls block (disk fsync, etcd round trip),
 * so the API server calls them off its I/O threads. Listeners run on a store thread, in
 * revision order, and must only hand work off.
 */
package io.vrouter.provision.store;
