/**
 * The in-kernel fast path of the userspace dataplane: established link-local TCP connections
 * are forwarded by an eBPF tc program over a flow map the dataplane thread fills and empties,
 * so the agent sees a connection's SYN, its resets and a copy of each FIN, not its data.
 *
 * <ul>
 *   <li>{@link io.vrouter.agent.dataplane.kernel.FastPathPrograms}: the tc program and the
 *       capture socket's program, and the map's key and value layout; written with
 *       {@link io.vrouter.agent.dataplane.kernel.BpfAssembler} (and
 *       {@link io.vrouter.agent.dataplane.kernel.ClassicBpf} to end the socket program with the
 *       shared mode's tested classic verdict);</li>
 *   <li>{@link io.vrouter.agent.dataplane.kernel.Bpf}: bpf(2) through JNA;</li>
 *   <li>{@link io.vrouter.agent.dataplane.kernel.KernelFastPath}: control side: map, programs,
 *       pin, tc filters on the vhost and the ports;
 *       {@link io.vrouter.agent.dataplane.kernel.FastPathPorts} attaches a port's filter after
 *       its isolation;</li>
 *   <li>{@link io.vrouter.agent.dataplane.kernel.FastPathFlows}: dataplane side, the flow
 *       table's {@link io.vrouter.flow.FlowOffload}: installs a pair at its SYN, reports what the
 *       kernel forwarded to aging, deletes with the flow.</li>
 * </ul>
 *
 * <p>Threads: {@code KernelFastPath}'s control methods on control threads (synchronized), its
 * port readiness read lock-free by the dataplane thread; {@code FastPathFlows} on the dataplane
 * thread only.
 */
package io.vrouter.agent.dataplane.kernel;
