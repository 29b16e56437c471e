/**
 * The agent's local HTTP/JSON plumbing ({@link io.vrouter.agent.introspect.JsonHttpServer},
 * used by port IPC too) and the introspect endpoint ({@code GET /ports}, {@code GET /stats}),
 * where components contribute named JSON sections through
 * {@link io.vrouter.agent.introspect.StatsSource}.
 *
 * <p>Thread model: servers do I/O on a Netty event loop; introspect handlers run on that loop,
 * so a {@code StatsSource} must answer from counters without blocking.
 */
package io.vrouter.agent.introspect;
