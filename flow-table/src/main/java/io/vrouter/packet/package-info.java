/**
 * Packet parsing, Internet checksums and in-place NAT rewrite for the userspace dataplane.
 *
 * <h2>Role</h2>
 * {@link io.vrouter.packet.PacketParser} decodes an Ethernet frame (one optional 802.1Q tag,
 * ARP, IPv4 with options and fragments, IPv6 with up to 8 extension headers, TCP, UDP, ICMP
 * including the quoted header of ICMP errors, ICMPv6 with neighbour discovery validated as
 * RFC 4861 7.1 asks) into a reusable {@link io.vrouter.packet.ParsedPacket}; it returns {@code 0} or a
 * {@link io.vrouter.drop.DropReason} code and never throws on bad input.
 * {@link io.vrouter.packet.NatRewriter} rewrites addresses and ports in place ({@code rewrite},
 * {@code rewrite6}) with incremental checksum updates ({@link io.vrouter.packet.Checksum}, RFC 1624). The header classes
 * ({@link io.vrouter.packet.Ethernet}, {@link io.vrouter.packet.Arp},
 * {@link io.vrouter.packet.Ipv4}, {@link io.vrouter.packet.Tcp}, {@link io.vrouter.packet.Udp},
 * {@link io.vrouter.packet.Icmp}, {@link io.vrouter.packet.Ipv6}, {@link io.vrouter.packet.Icmpv6})
 * hold the wire layouts as RFC-style diagrams next to their
 * offset constants, plus small frame builders (ARP reply, ICMP error, neighbour advertisement).
 * IPv6 addresses are carried as two {@code long}s (high, low 64 bits), never as arrays.
 * {@link io.vrouter.packet.ParseCounters} counts every parse result under exactly one heading;
 * {@link io.vrouter.packet.PacketChecksums} recomputes checksums in full (built packets, tests)
 * and completes TCP/UDP checksums left partial by a sender's checksum offload.
 *
 * <h2>Per-packet use in the dataplane</h2>
 * <pre>{@code
 * int drop = counters.record(parser.parse(frame, 0, length, pkt));
 * if (drop != 0) { ... count/drop with DropReason.ofCode(drop) ... }
 * PacketChecksums.completePartialTransportChecksum(frame, pkt);   // captures from veth/tap
 * long flow = table.lookup(nh, pkt.flowProtocol(), pkt.flowSrcIp(), pkt.flowDstIp(),
 *                          pkt.flowSrcPort(), pkt.flowDstPort());
 * NatRewriter.rewrite(frame, pkt, NatRewriter.ALL, natSrcIp, natSrcPort, natDstIp, natDstPort);
 * Ethernet.setSrcMac(frame, pkt.frameOffset(), ourMac);  Ethernet.setDstMac(...);
 * }</pre>
 *
 * <h2>Buffers: {@code byte[]} + offset/length</h2>
 * pcap4j hands the dataplane each frame as a {@code byte[]}, so the API works directly on
 * arrays: no per-packet {@code ByteBuffer} wrapper to allocate or whose position/limit could be
 * left in a surprising state, and every access is bounds-checked by the JVM as a last line of
 * defence (the parser checks lengths explicitly first, so that never fires). All offsets held in
 * a {@code ParsedPacket} are absolute indices into the caller's array. Multi-byte fields are
 * big-endian (network order); IPv4 addresses are carried as {@code int}, MAC addresses as the
 * low 48 bits of a {@code long}, ports and 16-bit fields as non-negative {@code int}.
 *
 * <h2>Thread model</h2>
 * Everything here is allocation-free on the per-packet path. {@code PacketParser} is immutable
 * and may be shared; {@code NatRewriter}, {@code Checksum} and the header classes are stateless.
 * A {@code ParsedPacket} and a {@link io.vrouter.packet.ParseCounters} belong to one dataplane
 * thread (single writer); a buffer must not be rewritten by two threads at once.
 */
package io.vrouter.packet;
