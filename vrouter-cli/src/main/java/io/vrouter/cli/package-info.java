/**
 * vrouter's command-line utilities over the agent's Introspect Thrift service: {@code vif},
 * {@code flow}, {@code dropstats}, plus {@code linklocal} (services and fabric state) and
 * {@code mdtrace} (per-VM metadata requests). Each connects once (framed binary protocol,
 * {@link io.vrouter.cli.AgentClient}), prints in the layout of the vrouter utility it is named
 * after, and exits 69 with the address and what to check when the agent is down. Single-threaded.
 */
package io.vrouter.cli;
