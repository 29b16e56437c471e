package io.vrouter.agent.introspect;

/**
 * A component's section of {@code GET /stats}: the proxy's counters, the dataplane's flows and
 * drop counters, the port table... Registered by name in a {@link StatsRegistry}.
 *
 * <p>Called on the introspect event loop for every request: must not block and must be safe to
 * call concurrently with the component's own threads (read counters, copy small maps).
 */
@FunctionalInterface
public interface StatsSource {
    /** A value Jackson can serialise: a {@code Map}, a record, a {@code JsonNode}, a number... */
    Object snapshot();
}
