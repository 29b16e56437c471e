/**
 * The config API: an HTTP server for the one {@code global-vrouter-config} object,
 * VNC-API shaped, with revisions as ETags, compare-and-swap writes ({@code If-Match}), and a
 * long-poll watch for agents.
 *
 * <table>
 *   <caption>Routes</caption>
 *   <tr><td>GET /</td><td>the home page of links {@code vnc_api} reads at connect ({@link VncRoutes})</td></tr>
 *   <tr><td>GET /global-vrouter-configs</td><td>the list (one item); {@code detail}, {@code count}, filters</td></tr>
 *   <tr><td>POST /global-vrouter-configs</td><td>create; 409 when the object exists (it is created at start)</td></tr>
 *   <tr><td>POST /id-to-fqname</td><td>{@code {"uuid"}} → {@code {"fq_name", "type"}}</td></tr>
 *   <tr><td>POST /fqname-to-id</td><td>{@code {"type", "fq_name"}} → {@code {"uuid"}}; 404 when unknown</td></tr>
 *   <tr><td>GET /global-vrouter-config/&lt;uuid&gt;</td><td>the object, {@code ETag: "<revision>"}</td></tr>
 *   <tr><td>PUT /global-vrouter-config/&lt;uuid&gt;</td><td>with {@code If-Match} (our CLI, agents): 412 when
 *       stale; without (vnc_api): last writer wins, as Contrail, logged as such; 400 naming each bad
 *       field; properties absent from the body are kept</td></tr>
 *   <tr><td>GET /watch/global-vrouter-config?since=N&amp;timeout=S</td><td>200 with {@code revision} and the
 *       object once the revision passes N (at once when it already has, or N is 0); 204 after S seconds
 *       (default 30, at most 300). An agent names itself with {@code X-Agent-Node} and the revision it has
 *       applied with {@code X-Agent-Revision} (a malformed one: 400); the web UI shows them</td></tr>
 *   <tr><td>/ui/...</td><td>the web UI ({@link io.vrouter.provision.ui.WebUi})</td></tr>
 * </table>
 *
 * <p>A watch whose {@code since} is above the current revision (the agent saw a store that has
 * since been rebuilt) is held like any other; agents ask for a snapshot ({@code since=0}) when
 * they reconnect, which brings them back in step.
 *
 * <p>Errors are the plumbing's one shape, {@code {"status": n, "error": "...", "field_errors":
 * {"<field>": "<message>"}}} ({@code field_errors} on a 400 naming fields); 401 carries
 * {@code WWW-Authenticate: Basic realm="config-api"}; a {@code reader} writing gets 403; unknown
 * path 404, wrong method 405 (with {@code Allow}); store unavailable 503.
 *
 * <p>Thread model: the server ({@link io.vrouter.plumbing.http.JsonHttpServer}) has two I/O event
 * loops that only move bytes (and TLS); authentication and request handling run on a small
 * executor group because they block. Held watches use no thread: a set entry and a scheduled
 * timeout each.
 */
package io.vrouter.provision.api;
