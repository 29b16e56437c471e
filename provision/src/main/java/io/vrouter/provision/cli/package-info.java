/**
 * {@code provision_linklocal}, the operator's command-line tool for link-local services, with
 * Contrail's flags and semantics: picocli parsing ({@link io.vrouter.provision.cli.ProvisionLinklocal}),
 * the INI conf file, Contrail's add/replace/del rules as pure functions, and the read-modify-write
 * under If-Match with bounded, jittered retries. Talks to the config API through
 * {@link io.vrouter.linklocal.configclient.ConfigApiClient}.
 *
 * <p>Thread model: one run is single-threaded and keeps no static state, so many runs may go on
 * in one JVM at once (the concurrency test and the propagation benchmark do).
 */
package io.vrouter.provision.cli;
