/**
 * Logging of the three processes (agent, config API, provision CLI), one way: logback set up
 * programmatically by {@link io.vrouter.plumbing.logging.LogSetup} from
 * {@link io.vrouter.plumbing.logging.LogSettings} — stderr or a size-rolled file, one line format
 * with a date, Contrail's {@code SYS_*} severities ({@link io.vrouter.plumbing.logging.Severity}),
 * the file reopened on SIGHUP.
 *
 * <p>Thread model: set up once on the starting thread; the reopen runs on the JVM's signal
 * thread and takes the appender's own lock, so it never interleaves with a line being written.
 */
package io.vrouter.plumbing.logging;
