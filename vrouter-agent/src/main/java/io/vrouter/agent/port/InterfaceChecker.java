package io.vrouter.agent.port;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Says whether a network interface exists on this host. Port IPC refuses a port whose
 * {@code system-name} names no interface, since the dataplane could never capture it.
 * The name has already been checked against {@link PortJson#isValidInterfaceName}, so it
 * cannot escape the sysfs directory.
 */
@FunctionalInterface
public interface InterfaceChecker {

    boolean exists(String interfaceName);

    /** The host's view: {@code /sys/class/net/<name>}. */
    static InterfaceChecker sysfs() {
        return sysfs(Path.of("/sys/class/net"));
    }

    /** As {@link #sysfs()}, under another directory (tests). */
    static InterfaceChecker sysfs(Path classNetDir) {
        return name -> Files.exists(classNetDir.resolve(name));
    }

    /** Accepts every name: for replay, where a tap may come back after the agent. */
    static InterfaceChecker any() {
        return name -> true;
    }
}
