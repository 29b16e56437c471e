/**
 * The introspect endpoint ({@code GET /ports}, {@code GET /stats}) on the plumbing's
 * {@link io.vrouter.plumbing.http.JsonHttpServer}, where components contribute named JSON
 * sections through {@link io.vrouter.agent.introspect.StatsSource}.
 *
 * <p>Thread model: I/O and the introspect handlers run on a Netty event loop, so a
 * {@code StatsSource} must answer from counters without blocking.
 */
package io.vrouter.agent.introspect;
