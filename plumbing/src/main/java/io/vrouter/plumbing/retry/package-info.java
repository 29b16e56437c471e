/**
 * Retry pacing shared by every client that reconnects after a failure. {@link
 * io.vrouter.plumbing.retry.Backoff} is stateless and thread-safe: the caller keeps its own
 * count of consecutive failures.
 */
package io.vrouter.plumbing.retry;
