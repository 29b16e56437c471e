/**
 * Durable file replacement for the stores that keep state on disk (port files, the config
 * cache, the config API's file store, its credentials file). Callers serialise their own
 * writes to one target; the helper holds no state.
 */
package io.vrouter.plumbing.files;
