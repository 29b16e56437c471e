package io.vrouter.agent.port;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@link InterfaceChecker} over this host's interfaces, in the agent's network namespace. An
 * interface is a guest's when it exists and is none of these, checked in this order:
 *
 * <table>
 *   <caption>Interfaces refused</caption>
 *   <tr><th>what</th><th>how it is told</th></tr>
 *   <tr><td>loopback</td><td>{@code /sys/class/net/<name>/type} is 772 (ARPHRD_LOOPBACK)</td></tr>
 *   <tr><td>the agent's own</td><td>one of the names given (the vhost and its agent end)</td></tr>
 *   <tr><td>a physical NIC</td><td>{@code /sys/class/net/<name>/device} exists; taps and veths
 *       have none</td></tr>
 *   <tr><td>a host interface</td><td>it carries a global address: anything but IPv4
 *       169.254/16 and IPv6 fe80::/10 (every interface that is up gets one of those); a
 *       guest's tap carries none, the guest's addresses are inside the guest</td></tr>
 * </table>
 * Addresses are read through {@link NetworkInterface} (the kernel's netlink answer).
 */
final class HostInterfaceChecker implements InterfaceChecker {
    private static final String ARPHRD_LOOPBACK = "772";

    private final Path classNet;
    private final Set<String> agentInterfaces;

    HostInterfaceChecker(Path classNet, Set<String> agentInterfaces) {
        this.classNet = classNet;
        this.agentInterfaces = Set.copyOf(agentInterfaces);
    }

    @Override
    public boolean exists(String interfaceName) {
        return Files.exists(classNet.resolve(interfaceName));
    }

    @Override
    public Refusal refusal(String name) {
        Path dir = classNet.resolve(name);
        if (!Files.exists(dir)) {
            return new Refusal(true, "no interface named \"" + name + "\" exists on this host");
        }
        if (ARPHRD_LOOPBACK.equals(read(dir.resolve("type")))) {
            return new Refusal(false, name + " is the loopback interface, not a guest's");
        }
        if (agentInterfaces.contains(name)) {
            return new Refusal(false, name + " is this agent's own vhost interface, not a guest's");
        }
        if (Files.exists(dir.resolve("device"))) {
            return new Refusal(false, name + " is a physical NIC of this host, not a guest's tap or veth");
        }
        List<String> global = globalAddresses(name);
        if (!global.isEmpty()) {
            return new Refusal(false, name + " carries the host address(es) " + String.join(", ", global)
                    + ": it is one of this host's interfaces, not a guest's");
        }
        return null;
    }

    private static List<String> globalAddresses(String name) {
        List<String> global = new ArrayList<>();
        try {
            NetworkInterface ni = NetworkInterface.getByName(name);
            if (ni == null) {
                return global; // gone between the two checks: the port will find no interface
            }
            for (InterfaceAddress ia : ni.getInterfaceAddresses()) {
                InetAddress a = ia.getAddress();
                if (!a.isLinkLocalAddress() && !a.isLoopbackAddress()) {
                    String text = a instanceof Inet6Address ? a.getHostAddress().replaceAll("%.*$", "") : a.getHostAddress();
                    global.add(text + "/" + ia.getNetworkPrefixLength());
                }
            }
        } catch (SocketException e) {
            global.add("(addresses unreadable: " + e.getMessage() + ")"); // refuse rather than guess
        }
        return global;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
