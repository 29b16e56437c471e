/**
 * The {@code Introspect} service of introspect.thrift over the agent's live state
 * ({@link io.vrouter.agent.introspect.service.AgentIntrospect}), served three ways from the same
 * structs: the framed binary Thrift port the CLIs call
 * ({@link io.vrouter.agent.introspect.service.IntrospectThriftServer}), Contrail's {@code Snh_*}
 * XML pages ({@link io.vrouter.agent.introspect.service.SandeshPages}) and {@code /metrics}
 * ({@link io.vrouter.agent.introspect.service.AgentMetrics}) on the introspect HTTP server.
 *
 * <p>Thread model: called on Thrift worker threads ({@code introspect-thrift-N}) and on the
 * introspect page thread ({@code introspect-pages}), never on the dataplane or proxy threads.
 * Flows are read with the flow table's seqlock reads ({@link io.vrouter.agent.introspect.service.FlowListing});
 * counters are single-writer values read as they are; nothing here takes a lock the packet path
 * or the proxy could wait on.
 */
package io.vrouter.agent.introspect.service;
