package io.vrouter.agent.port;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Says whether a host network interface may be a guest's port. Port IPC refuses a
 * {@code system-name} that names no interface (the dataplane could never capture it) or one
 * that is not a guest's: the agent installs its drop chain on a port's interface, so taking
 * {@code lo}, a host NIC or the agent's own vhost end would cut the host off. The name has
 * already been checked against {@link PortJson#isValidInterfaceName}, so it cannot escape the
 * sysfs directory.
 */
@FunctionalInterface
public interface InterfaceChecker {

    /** Why an interface cannot be a port: {@code missing} when it does not exist (yet). */
    record Refusal(boolean missing, String reason) {
    }

    boolean exists(String interfaceName);

    /**
     * Why {@code interfaceName} cannot be a guest's port, or null when it can. This default
     * checks existence only; {@link #host} also refuses the host's own interfaces.
     */
    default Refusal refusal(String interfaceName) {
        return exists(interfaceName) ? null
                : new Refusal(true, "no interface named \"" + interfaceName + "\" exists on this host");
    }

    /**
     * The host's view (sysfs and the kernel's addresses): refuses missing interfaces, loopback,
     * physical NICs, interfaces carrying global addresses and {@code agentInterfaces} (the
     * agent's own vhost ends). See {@link HostInterfaceChecker}.
     */
    static InterfaceChecker host(Set<String> agentInterfaces) {
        return new HostInterfaceChecker(Path.of("/sys/class/net"), agentInterfaces);
    }

    /** Existence only, under {@code /sys/class/net}. */
    static InterfaceChecker sysfs() {
        return sysfs(Path.of("/sys/class/net"));
    }

    /** As {@link #sysfs()}, under another directory (tests). */
    static InterfaceChecker sysfs(Path classNetDir) {
        return name -> Files.exists(classNetDir.resolve(name));
    }

    /** Accepts every name (tests without interfaces). */
    static InterfaceChecker any() {
        return name -> true;
    }
}
