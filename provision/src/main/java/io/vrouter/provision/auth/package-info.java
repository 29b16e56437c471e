/**
 * Who may use the config API: HTTP Basic against a credentials file of PBKDF2-SHA256 hashes
 * (per-user random salt, iterations stored), roles {@code admin} (read, write, watch) and
 * {@code reader} (read, watch), and the {@code config-api-passwd} tool that maintains the file.
 * The server re-reads the file when it changes; a file that no longer parses is ignored (logged).
 *
 * <p>Thread model: {@link io.vrouter.provision.auth.BasicAuthenticator} is thread-safe and
 * blocks for the duration of one password hash; the server calls it off its I/O threads.
 */
package io.vrouter.provision.auth;
