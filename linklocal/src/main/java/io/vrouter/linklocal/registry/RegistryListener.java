package io.vrouter.linklocal.registry;

/**
 * Told of every published change of the registry, e.g. by the agent to delete the flows of a
 * removed or changed service. Called on the registry's writer thread, one diff at a time, in
 * version order, listeners in subscription order: it must not block. An exception is logged and
 * counted and does not stop the other listeners.
 */
@FunctionalInterface
public interface RegistryListener {
    void onChange(RegistryDiff diff);
}
