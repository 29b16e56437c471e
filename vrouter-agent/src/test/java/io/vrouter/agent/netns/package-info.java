/**
 * A reusable test harness for network namespaces: guests (a namespace with eth0, address,
 * gateway and MAC, whose veth peer stays in the root namespace), commands run inside them with
 * timeouts, and teardown of everything created, even when a test fails or the JVM is stopped.
 * Tests call {@link io.vrouter.agent.netns.NetnsHarness#assumeAvailable()} to skip, loudly,
 * without root or {@code ip netns}.
 *
 * <p>Thread model: a harness is safe to use from several test threads; names are unique per
 * process and carry its pid, so leftovers of a killed run are swept at the next start.
 */
package io.vrouter.agent.netns;
