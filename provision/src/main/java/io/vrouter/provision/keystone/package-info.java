/**
 * Keystone v3, as Contrail's API server and its clients use it: a small client
 * ({@link io.vrouter.provision.keystone.KeystoneClient}: issue a project-scoped token with a
 * password, validate a token with {@code X-Subject-Token}, revoke), the {@code [KEYSTONE]}
 * section of Contrail's files ({@link io.vrouter.provision.keystone.KeystoneSettings}), and the
 * service-side validator that uses the service's own token
 * ({@link io.vrouter.provision.keystone.ServiceTokenValidator}). Caching and the mapping of
 * Keystone roles to the config API's roles live in
 * {@link io.vrouter.provision.auth.KeystoneAuthenticator}.
 *
 * <p>Thread model: everything here is thread-safe and blocks for one HTTP round trip to
 * Keystone; the config API calls it off its I/O threads. Tokens are never logged.
 */
package io.vrouter.provision.keystone;
