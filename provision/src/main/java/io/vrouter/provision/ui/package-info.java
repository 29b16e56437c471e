/**
 * The web UI for link-local services, served by the config API's own server under {@code /ui/}
 * ({@link io.vrouter.provision.ui.WebUi}): static files (HTML, CSS, JavaScript modules under
 * {@code src/main/resources/io/vrouter/provision/ui/assets/}, no library, no build step) and two
 * read-only endpoints, plus the {@link io.vrouter.provision.ui.AgentRegistry} of which compute
 * node has applied which revision, fed by the agents' watch requests.
 *
 * <p>The page uses the config API exactly as other clients do (fqname-to-id, GET with ETag, PUT
 * with If-Match, the long-poll watch); the server is the authority on validation and roles, the
 * page only mirrors the checks for quick feedback and hides controls a reader may not use.
 *
 * <p>Thread model: the routes run on the config API's worker threads ({@code config-api-worker});
 * the asset bytes are loaded once at start and never change; the registry is a concurrent map
 * updated by every watch request and read by the page's polls.
 */
package io.vrouter.provision.ui;
