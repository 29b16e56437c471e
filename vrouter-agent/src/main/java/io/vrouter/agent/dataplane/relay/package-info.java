/**
 * Agent-local relays for the link-local services not served by the metadata proxy: a TCP and a
 * UDP relay per service on the vhost address (the DNAT target of the service's flows), forwarding
 * to the service's fabric addresses. {@link io.vrouter.agent.dataplane.relay.RelayManager} keeps
 * them in line with the link-local registry.
 *
 * <p>Thread model: relays run on one shared Netty NIO event loop ({@code linklocal-relay}); the
 * manager is driven from the dataplane's control thread and answers the dataplane thread's
 * port lookups from a concurrent map.
 */
package io.vrouter.agent.dataplane.relay;
