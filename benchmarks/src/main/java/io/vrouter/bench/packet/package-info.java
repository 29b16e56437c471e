/**
 * JMH benchmarks of {@link io.vrouter.packet}: parse and NAT rewrite per packet, with the
 * bare copy and a full-checksum-recompute rewrite as baselines in the same run. Each benchmark
 * state is thread-confined ({@code Scope.Thread}); results and how to run them are in
 * {@code benchmarks/results/packet.md}.
 */
package io.vrouter.bench.packet;
