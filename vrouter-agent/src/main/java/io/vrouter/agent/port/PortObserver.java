package io.vrouter.agent.port;

/**
 * Told about every port the agent adds or removes, including ports replayed from disk at
 * start or found in a new port file. Called from the thread that changed the port table
 * (port-IPC, port-files, or the starting thread), after the port is persisted; an observer must not
 * block for long (hand work to its own thread).
 */
public interface PortObserver {
    void portAdded(VmPort port);

    void portRemoved(VmPort port);
}
