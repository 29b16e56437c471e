/**
 * The {@code global-vrouter-config} object and its {@code linklocal_services} property, with
 * Contrail's JSON field names exactly, and the one validator every writer and reader shares
 * (the config API, {@code provision_linklocal}, the agent's registry).
 *
 * <p>Records here are immutable values; a config that passed {@link
 * io.vrouter.linklocal.config.LinkLocalValidator} is safe to index without further checks.
 */
package io.vrouter.linklocal.config;
