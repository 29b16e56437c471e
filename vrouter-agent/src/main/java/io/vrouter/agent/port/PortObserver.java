package io.vrouter.agent.port;

/**
 * Told about every port the agent adds or removes, including ports replayed from disk at
 * start. Called from the port-IPC thread after the port is persisted; an observer must not
 * block for long (hand work to its own thread).
 */
public interface PortObserver {
    void portAdded(VmPort port);

    void portRemoved(VmPort port);
}
