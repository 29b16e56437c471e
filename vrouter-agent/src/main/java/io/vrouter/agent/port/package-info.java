/**
 * The agent's VM ports: the port IPC REST endpoint {@code vrouter-port-control} calls
 * ({@link io.vrouter.agent.port.PortIpcServer}), validation of Contrail's port JSON
 * ({@link io.vrouter.agent.port.PortJson}), interface-index / metadata-IP assignment
 * ({@link io.vrouter.agent.port.InterfaceIndexAllocator}), Contrail's port files
 * ({@link io.vrouter.agent.port.FilePortStore}: replayed at start, watched while running by
 * {@link io.vrouter.agent.port.PortFileWatcher}), which interfaces may be a guest's
 * ({@link io.vrouter.agent.port.InterfaceChecker}), and the metadata proxy's
 * {@link io.vrouter.linklocal.proxy.InstanceDirectory} ({@link io.vrouter.agent.port.PortInstanceDirectory}).
 *
 * <p>Thread model: {@link io.vrouter.agent.port.PortRegistry} is the single source of truth;
 * its mutations are serialised ({@code synchronized}) and run on the "port-ipc" thread, the
 * "port-files" thread (rescans), the "port-sync" thread (stale ports after
 * {@code /syncports}) or the starting thread (replay), and
 * {@link io.vrouter.agent.port.PortObserver}s are called there, after the change is on disk. Reads (listings, the instance directory) are lock-free from any thread.
 *
 * <p>Invariants: an interface index names at most one port; while a port exists its index and
 * metadata IP are not handed to any other; 169.254.169.254 is never a port's metadata IP.
 */
package io.vrouter.agent.port;
