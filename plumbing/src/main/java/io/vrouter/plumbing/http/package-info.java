/**
 * One small JSON-over-HTTP server on Netty for every HTTP endpoint of the project (port IPC,
 * introspect, the config API): {@link io.vrouter.plumbing.http.JsonHttpServer} binds and owns the
 * pipeline, a {@link io.vrouter.plumbing.http.Router} maps method and path to a
 * {@link io.vrouter.plumbing.http.Handler}, and every error is one
 * {@link io.vrouter.plumbing.http.ErrorBody}: {@code {"status", "error", "field_errors"}}.
 *
 * <p>Thread model: I/O on a Netty event loop; handlers on that loop or on the server's
 * blocking-work executor; a long poll answers through a {@link io.vrouter.plumbing.http.Deferred}
 * from any thread without holding one.
 */
package io.vrouter.plumbing.http;
