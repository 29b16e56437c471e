/**
 * Frame I/O per network interface: {@link io.vrouter.agent.dataplane.io.PacketIo} with a libpcap
 * implementation ({@link io.vrouter.agent.dataplane.io.PcapPacketIo}, availability probed by
 * {@link io.vrouter.agent.dataplane.io.PcapSupport}) and an in-memory one for tests.
 *
 * <p>Thread model: each pcap I/O has one capture thread that hands every inbound frame (an array
 * it owns, passed on without copying) to its receiver; sends come from one thread at a time
 * (the dataplane thread). Capture is inbound only, so frames an I/O injects are never seen by it.
 */
package io.vrouter.agent.dataplane.io;
