package io.vrouter.linklocal.configclient;

import io.vrouter.linklocal.config.LinkLocalServices;

/**
 * A validated set of link-local services handed to a {@link LinkLocalConfigListener}.
 *
 * @param services the entries, already accepted by the shared validator
 * @param revision the config API revision they come from
 * @param source   where they come from, for logs: {@code "config-api http://..."} or
 *                 {@code "cache /var/lib/..."}
 */
public record ConfigUpdate(LinkLocalServices services, long revision, String source) {
}
