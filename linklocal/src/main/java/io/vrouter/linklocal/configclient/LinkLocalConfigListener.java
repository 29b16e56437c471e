package io.vrouter.linklocal.configclient;

/**
 * Receives each new link-local config (the agent wires this to its link-local registry).
 *
 * <p>Called on the watch client's thread, one update at a time, revisions strictly increasing
 * (the cached config first, if any). Must not block for long: the next poll waits for it.
 * An exception thrown here is logged and counted, and does not stop the client.
 */
@FunctionalInterface
public interface LinkLocalConfigListener {
    void onConfig(ConfigUpdate update);
}
