/**
 * A stand-in for nova-api's metadata service in proxy mode, shipped in linklocal's test-jar for
 * the proxy's tests, the agent's end-to-end tests and the demo: {@link
 * io.vrouter.linklocal.novastandin.NovaMetadataStandIn} (programmatic, with knobs for delay,
 * failure, closing and gzip), {@link io.vrouter.linklocal.novastandin.NovaMetadataStandInMain}
 * (command line) and {@link io.vrouter.linklocal.novastandin.TestPki} (CA and certificates for
 * TLS tests).
 *
 * <p>Thread model: one Netty NIO event loop per stand-in; the knobs and the request record are
 * thread-safe and may be changed from the test thread while it runs.
 */
package io.vrouter.linklocal.novastandin;
