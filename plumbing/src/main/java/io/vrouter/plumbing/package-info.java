/**
 * The plumbing the agent, the config API and the CLI share, so each exists once: a small
 * JSON-over-HTTP server on Netty, typed INI + command-line flag resolution and setting range
 * checks, atomic file writes, retry backoff, event counters. Depends on no other module of the project; every module may depend on it.
 */
package io.vrouter.plumbing;
