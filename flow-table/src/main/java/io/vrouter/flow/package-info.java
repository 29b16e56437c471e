/**
 * The flow table of the userspace vrouter dataplane: flows keyed by (interface, protocol,
 * addresses, ports), with actions DROP / HOLD / FORWARD / NAT, NAT targets read from the reverse
 * flow, bounded HOLD queues, per-interface and link-local limits, and incremental aging.
 * Drop reasons ({@link io.vrouter.drop.DropReason}) live in their own package, shared with {@code io.vrouter.packet}.
 *
 * <h2>Thread model</h2>
 * <ul>
 *   <li><b>One writer.</b> The dataplane thread owns a {@link io.vrouter.flow.FlowTable}: it looks
 *       up, accounts, creates HOLD flows, installs the agent's answers (the agent hands them to the
 *       dataplane thread through a queue drained in its duty cycle), deletes and ages. Nothing in
 *       the table locks; calling a writer method from two threads at once is a bug.</li>
 *   <li><b>Concurrent readers.</b> Any thread may call {@code read(index|handle, snapshot)} and the
 *       statistics getters ({@code size}, {@code holdFlowCount}, {@code dropCount},
 *       {@code interfaceFlowCount} ...) while the writer runs. Each entry carries a sequence word
 *       (seqlock): the writer makes it odd, stores the fields, then makes it even again with
 *       release semantics; a reader copies the entry between two reads of the sequence and retries
 *       if it changed or was odd. So a snapshot is one version of the entry: key, action, flags,
 *       counters and generation always belong together (proved by
 *       {@code FlowTableConcurrencyTest}). Readers never write and never delay the writer. The
 *       hash index is writer-only; readers walk indexes {@code 0..capacity-1}.</li>
 *   <li><b>Time</b> is passed in ({@code nowNs}, read once per duty cycle), never read here: tests
 *       are deterministic and the hot path makes no clock call.</li>
 * </ul>
 *
 * <h2>Indexes and handles</h2>
 * An entry's index never changes while it is live, and entries never move. After a delete the
 * index is free and may be reused at once; the generation in the handle ({@code gen << 32 |
 * index}) makes every old handle stale, and all methods taking a handle check it.
 *
 * <h2>Use, per duty cycle of the dataplane thread</h2>
 * <pre>{@code
 * long now = System.nanoTime();                       // once per cycle
 * long h = table.lookup(nh, proto, sip, dip, sport, dport);
 * if (h == FlowResult.NO_FLOW) {
 *     h = table.addHold(nh, proto, sip, dip, sport, dport, tcpFlags, now);
 *     if (FlowResult.isHandle(h)) { table.holdPacket(h, pkt); trapToAgent(h); }  // else dropped, counted
 * } else switch (table.account(h, frameLength, tcpFlags, now)) {
 *     case FlowAction.NAT -> rewrite(pkt, table.natSourceIp(h), table.natSourcePort(h),
 *                                   table.natDestinationIp(h), table.natDestinationPort(h));
 *     case FlowAction.FORWARD -> send(pkt);
 *     case FlowAction.HOLD -> table.holdPacket(h, pkt);   // bounded; overflow counted
 *     default -> { }                                      // DROP (counted) or stale handle
 * }
 * // agent's answer, drained from its queue on this thread; held packets go to the sink:
 * table.installReverse(h, reverseKey, FlowAction.NAT, FlowFlags.LINK_LOCAL, now);
 * table.age(now, 1024);                               // bounded work per cycle
 * }</pre>
 *
 * <h2>IPv6</h2>
 * IPv6 flows live in the same table: {@code lookup6}, {@code addHold6} and a {@link
 * io.vrouter.flow.FlowKey} filled with {@code set6}. Their addresses are interned
 * ({@code FlowAddresses6}) and the key holds two 32-bit address ids and a family bit in PROTO_NH
 * (layout and reasons in {@link io.vrouter.flow.FlowRecord}, "IPv6 keys"); NAT accessors return
 * ids for them, resolved with {@code ipv6High}/{@code ipv6Low}. The IPv4 path is unchanged: same
 * words, same comparisons. A pair is of one family (NAT64 is refused as BAD_KEY).
 *
 * <h2>Allocation</h2>
 * All memory is allocated in the constructor. Lookup, lookup6, account, holdPacket, addHold,
 * addHold6, installReverse, setDrop, delete and age do not allocate.
 *
 * <h2>Pieces</h2>
 * {@link io.vrouter.flow.FlowTable} is the one public entry point; behind it, each package-private
 * class has one job: {@code FlowEntries} (the record array, seqlock, free and active lists),
 * {@code FlowHashIndex} (hash, probe, backward-shift delete: vrouter's {@code vr_htable.c}),
 * {@code HoldQueues} (bounded per-flow packet queues and their one release loop),
 * {@code FlowPairs} (HOLD, install reverse, DROP, delete), {@code FlowLimits} (per-interface and
 * link-local counts, the per-interface new-flow rate), {@code FlowAging} (timeouts, embryonic and
 * drop flows, TCP close, the aging cursor), {@code FlowNat}
 * (NAT flags and targets from the partner's key), {@code DropCounters}.
 * {@link io.vrouter.flow.FlowRecord} is the record layout and its named accessors.
 */
package io.vrouter.flow;
