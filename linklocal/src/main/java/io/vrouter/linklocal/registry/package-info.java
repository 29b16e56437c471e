/**
 * The link-local services registry of a compute node: which link-local services exist
 * (from {@code global-vrouter-config}, pushed by the config API or read from the agent's
 * embedded default file), indexed for the dataplane and the metadata proxy.
 *
 * <ul>
 *   <li>{@link io.vrouter.linklocal.registry.RegistrySnapshot}: immutable; O(1), allocation-free
 *       lookup by (IPv4 as int, port) for the flow-miss path, by {@code InetAddress} for IPv6;
 *       the metadata service.</li>
 *   <li>{@link io.vrouter.linklocal.registry.LinkLocalRegistry}: the live registry; applies
 *       validated configs, resolves DNS-named fabric services on the side, publishes
 *       snapshots and {@link io.vrouter.linklocal.registry.RegistryDiff}s to
 *       {@link io.vrouter.linklocal.registry.RegistryListener}s.</li>
 *   <li>{@link io.vrouter.linklocal.registry.LinkLocalFileSource}: watches a JSON file and
 *       applies it; an invalid file never replaces the last good config.</li>
 * </ul>
 *
 * <p><b>Thread model.</b> Single writer: all registry state changes (configs, DNS answers,
 * file polls, listener (un)registration) run on the registry's
 * {@link io.vrouter.linklocal.registry.Scheduler}, one task at a time; listeners are called
 * there, in subscription order, with diffs in version order. Blocking DNS lookups run on a
 * separate resolver executor and hand their answers back to the writer. Readers (dataplane
 * threads, Netty event loops) read the current snapshot through one volatile field and never
 * lock; a snapshot, once published, never changes.
 *
 * <p><b>Invariants.</b> A snapshot's version grows by one per publication; its services are
 * those of one validated config; a DNS service has the latest good answer of its name, or no
 * fabric address before the first one (it is then not forwardable, see
 * {@link io.vrouter.linklocal.registry.LinkLocalService#isResolved()}).
 */
package io.vrouter.linklocal.registry;
