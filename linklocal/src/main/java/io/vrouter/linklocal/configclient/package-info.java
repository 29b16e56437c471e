/**
 * The config API's client side: {@link io.vrouter.linklocal.configclient.ConfigApiClient} speaks
 * the HTTP contract (read, If-Match write, long-poll watch) on the JDK's HttpClient and Jackson
 * only; {@link io.vrouter.linklocal.configclient.ConfigWatchClient} is what each agent runs to keep
 * its link-local services current, with an atomic on-disk
 * {@link io.vrouter.linklocal.configclient.ConfigCache} of the last good config.
 *
 * <p>Thread model: {@code ConfigApiClient} is thread-safe and stateless apart from its
 * HttpClient. A {@code ConfigWatchClient} runs on one scheduler thread (its own unless a shared
 * one is given) and calls its listener there, in revision order. Used by the agent and by
 * {@code provision_linklocal}.
 */
package io.vrouter.linklocal.configclient;
