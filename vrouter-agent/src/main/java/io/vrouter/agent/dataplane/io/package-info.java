/**
 * Frame I/O per network interface: {@link io.vrouter.agent.dataplane.io.PacketIo} on a packet
 * socket for guest ports ({@link io.vrouter.agent.dataplane.io.AfPacketIo}), on libpcap for the
 * vhost ({@link io.vrouter.agent.dataplane.io.PcapPacketIo}, availability probed by
 * {@link io.vrouter.agent.dataplane.io.PcapSupport}), both made by
 * {@link io.vrouter.agent.dataplane.io.HostPacketIoFactory}, and an in-memory one for tests.
 *
 * <p>Thread model: no I/O has a thread. One thread (the dataplane thread) waits on a
 * {@link io.vrouter.agent.dataplane.io.FrameSelector} (epoll over every I/O's capture socket, plus
 * an eventfd to be woken), receives the frames that wait, non-blocking, into its own buffer, and
 * sends. Capture is inbound only, so frames an I/O injects are never seen by it.
 */
package io.vrouter.agent.dataplane.io;
