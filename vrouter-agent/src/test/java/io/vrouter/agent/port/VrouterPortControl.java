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
    /** The script's argparse values by dest name ({@code tap_name}, ...); absent: not passed. */
    private final Map<String, String> args = new LinkedHashMap<>();

    /**
     * The script as nova's VIF driver runs it: {@code vif_plug_vrouter}'s command line, with
     * {@code projectId} in keystone's form (no dashes), split as the script splits it.
     */
    public static VrouterPortControl nova(String portId, String instanceId, String vnId, String projectId,
            String ip, String ip6, String vmName, String mac, String tap) {
        return commandLine(String.format("--oper=add --uuid=%s --instance_uuid=%s --vn_uuid=%s "
                + "--vm_project_uuid=%s --ip_address=%s --ipv6_address=%s --vm_name=%s --mac=%s --tap_name=%s "
                + "--port_type=%s --tx_vlan_id=%d --rx_vlan_id=%d", portId, instanceId, vnId, projectId, ip, ip6,
                vmName, mac, tap, "NovaVMPort", -1, -1));
    }

    /** Options {@code --name=value}, split before each {@code --} as the script's regex does. */
    public static VrouterPortControl commandLine(String line) {
        VrouterPortControl c = new VrouterPortControl();
        for (String opt : line.trim().split("\\s+(?=--)")) {
            int eq = opt.indexOf('=');
            c.args.put(opt.substring(2, eq), opt.substring(eq + 1));
        }
        return c;
    }

    /** Sets an option as if given on the command line, or removes it ({@code value} null). */
    public VrouterPortControl set(String dest, String value) {
        if (value == null) {
            args.remove(dest);
        } else {
            args.put(dest, value);
        }
        return this;
    }

    public String uuid() {
        return args.get("uuid");
    }

    /** The request body (and port file) {@code --oper add} produces. */
    public String json() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("id", args.get("uuid"));
        d.put("instance-id", args.get("instance_uuid"));
        d.put("ip-address", args.get("ip_address"));
        d.put("ip6-address", args.get("ipv6_address"));
        d.put("vn-id", args.get("vn_uuid"));
        d.put("display-name", args.get("vm_name"));
        d.put("vm-project-id", projectId());
        d.put("mac-address", args.get("mac"));
        d.put("system-name", args.get("tap_name"));
        d.put("type", switch (args.getOrDefault("port_type", "NovaVMPort")) {
            case "NameSpacePort" -> 1;
            case "ESXiPort" -> 2;
            default -> 0;
        });
        d.put("rx-vlan-id", intOrNull(args.get("rx_vlan_id")));
        d.put("tx-vlan-id", intOrNull(args.get("tx_vlan_id")));
        d.put("vhostuser-mode", intOrNull(args.getOrDefault("vhostuser_mode", "0")));
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
        return Files.writeString(dir.resolve(uuid()), json(), StandardCharsets.UTF_8);
    }

    /** The script's dashes: a 32-character id gets them, anything else becomes "". */
    private String projectId() {
        String u = args.get("vm_project_uuid");
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
