/**
 * The agent's side of the link-local registry: which {@link io.vrouter.agent.linklocal.LinkLocalSource}
 * feeds it (built-in default, services file, config API), and the proxy's view of its metadata
 * service ({@link io.vrouter.agent.linklocal.RegistryUpstreams}).
 */
package io.vrouter.agent.linklocal;
