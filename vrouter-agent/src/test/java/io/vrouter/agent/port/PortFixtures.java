package io.vrouter.agent.port;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/** Port JSON as vrouter-port-control sends it, numbered so that each {@code n} is a distinct port. */
final class PortFixtures {
    private PortFixtures() {
    }

    static String uuid(int kind, int n) {
        return String.format("%08x-0000-4000-8000-%012x", kind, n);
    }

    static ObjectNode json(int n) {
        ObjectNode o = PortJson.mapper().createObjectNode();
        o.put("id", uuid(1, n));
        o.put("instance-id", uuid(2, n));
        o.put("vn-id", uuid(3, 1));
        o.put("vm-project-id", uuid(4, 1));
        o.put("display-name", "vm-" + n);
        o.put("ip-address", "10.0." + (n / 250) + "." + (n % 250 + 2));
        o.put("ip6-address", "");
        o.put("type", 0);
        o.put("system-name", "tap" + n);
        o.put("mac-address", String.format("02:00:00:00:%02x:%02x", (n >> 8) & 0xff, n & 0xff));
        o.put("rx-vlan-id", -1);
        o.put("tx-vlan-id", -1);
        return o;
    }

    static byte[] bytes(ObjectNode o) {
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    static PortRequest request(int n) throws PortException {
        return PortJson.parseRequest(bytes(json(n)));
    }

    /** An {@link InterfaceChecker} over a mutable set of names, some of them the host's. */
    static final class FakeInterfaces implements InterfaceChecker {
        final Set<String> names = new HashSet<>();
        final Set<String> hosts = new HashSet<>();

        @Override
        public synchronized Refusal refusal(String interfaceName) {
            return hosts.contains(interfaceName) ? new Refusal(false, interfaceName + " is the host's")
                    : InterfaceChecker.super.refusal(interfaceName);
        }

        FakeInterfaces withTaps(int count) {
            for (int i = 0; i < count; i++) {
                names.add("tap" + i);
            }
            return this;
        }

        @Override
        public synchronized boolean exists(String interfaceName) {
            return names.contains(interfaceName);
        }
    }

    /** Records observer calls as "+id" / "-id". */
    static final class RecordingObserver implements PortObserver {
        final java.util.List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void portAdded(VmPort port) {
            events.add("+" + port.id() + "#" + port.interfaceIndex());
        }

        @Override
        public void portRemoved(VmPort port) {
            events.add("-" + port.id() + "#" + port.interfaceIndex());
        }
    }
}
