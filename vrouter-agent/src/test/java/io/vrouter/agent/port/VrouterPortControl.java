package io.vrouter.agent.port;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What tf-controller's {@code vrouter-port-control --oper add} sends and writes, built field
 * by field as its {@code GetJSonDict} builds it from the argparse values nova's VIF driver
 * passes ({@code --ip_address=0.0.0.0} without IPv4, {@code --ipv6_address=None} without IPv6,
 * {@code --tx_vlan_id=-1 --rx_vlan_id=-1}, the keystone project id without dashes), serialised
 * as Python's {@code json.dumps} does: insertion order, {@code ", "} and {@code ": "}
 * separators, {@code None} as {@code null}.
 */
public final class VrouterPortControl {
    /** The script's argparse values; null for an option not passed. */
    public String uuid;
    public String instanceUuid;
    public String vnUuid;
    public String vmProjectUuid;
    public String ipAddress = "0.0.0.0";
    public String ipv6Address = "None";
    public String vmName;
    public String mac;
    public String tapName;
    public String portType = "NovaVMPort";
    public String txVlanId = "-1";
    public String rxVlanId = "-1";
    public String vhostuserMode = "0";

    /** A port as nova's VIF driver plugs it: {@code projectId} in keystone's form (no dashes). */
    public static VrouterPortControl nova(String portId, String instanceId, String vnId, String projectId,
            String ip, String ip6, String vmName, String mac, String tap) {
        VrouterPortControl c = new VrouterPortControl();
        c.uuid = portId;
        c.instanceUuid = instanceId;
        c.vnUuid = vnId;
        c.vmProjectUuid = projectId;
        c.ipAddress = ip;
        c.ipv6Address = ip6;
        c.vmName = vmName;
        c.mac = mac;
        c.tapName = tap;
        return c;
    }

    /** The request body (and port file) {@code --oper add} produces. */
    public String json() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", uuid);
        d.put("instance-id", instanceUuid);
        d.put("ip-address", ipAddress);
        d.put("ip6-address", ipv6Address);
        d.put("vn-id", vnUuid);
        d.put("display-name", vmName);
        d.put("vm-project-id", projectId());
        d.put("mac-address", mac);
        d.put("system-name", tapName);
        d.put("type", switch (portType) {
            case "NameSpacePort" -> 1;
            case "ESXiPort" -> 2;
            default -> 0;
        });
        d.put("rx-vlan-id", intOrNull(rxVlanId));
        d.put("tx-vlan-id", intOrNull(txVlanId));
        d.put("vhostuser-mode", intOrNull(vhostuserMode));
        d.put("author", "/usr/bin/vrouter-port-control");
        d.put("time", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")));
        StringBuilder sb = new StringBuilder("{");
        d.forEach((k, v) -> {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append(quote(k)).append(": ").append(v == null ? "null" : v instanceof Integer ? v.toString() : quote((String) v));
        });
        return sb.append('}').toString();
    }

    public byte[] bytes() {
        return json().getBytes(StandardCharsets.UTF_8);
    }

    /** What the script does before it calls the agent: {@code json.dump} to {@code <dir>/<uuid>}, in place. */
    public Path writePortFile(Path dir) throws IOException {
        return Files.writeString(dir.resolve(uuid), json(), StandardCharsets.UTF_8);
    }

    /** The script's dashes: a 32-character id gets them, anything else becomes "". */
    private String projectId() {
        String u = vmProjectUuid;
        if (u == null || u.length() != 32) {
            return "";
        }
        return u.substring(0, 8) + "-" + u.substring(8, 12) + "-" + u.substring(12, 16) + "-" + u.substring(16, 20)
                + "-" + u.substring(20);
    }

    /** {@code int(x)} when the option was given (argparse: a non-empty string), else None. */
    private static Integer intOrNull(String s) {
        return s == null || s.isEmpty() ? null : Integer.valueOf(s);
    }

    private static String quote(String s) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }
}
