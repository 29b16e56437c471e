package io.vrouter.agent.port;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vrouter.linklocal.config.FieldError;
import io.vrouter.linklocal.config.IpLiteral;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The port JSON of {@code vrouter-port-control} (contracts §3), read strictly for the fields
 * the agent uses and leniently for the rest. The script builds its body from argparse values:
 * nova's VIF driver passes {@code --ipv6_address=None} for a port without IPv6 and
 * {@code --ip_address=0.0.0.0} for one without IPv4, an option it does not pass arrives as
 * {@code null}, and the script adds {@code vhostuser-mode}, {@code author} and {@code time}.
 * Unknown fields are ignored (Contrail adds fields between releases); a field we use that is
 * missing or malformed is an error naming it. Written back (GET, the port files) in the form
 * Contrail's agent writes and replays, plus the agent's {@code interface-index} and
 * {@code metadata-ip} (see {@link #toJson}).
 *
 * <table>
 *   <caption>Fields read</caption>
 *   <tr><th>field</th><th>required</th><th>accepted</th></tr>
 *   <tr><td>id, instance-id, vn-id</td><td>yes</td><td>UUID 8-4-4-4-12 hex</td></tr>
 *   <tr><td>vm-project-id</td><td>yes</td><td>UUID with or without dashes (keystone form)</td></tr>
 *   <tr><td>ip-address</td><td>no</td><td>dotted-quad IPv4; "0.0.0.0", "None", "" or null
 *       mean none</td></tr>
 *   <tr><td>ip6-address</td><td>no</td><td>IPv6 literal; "::", "None", "" or null mean none</td></tr>
 *   <tr><td>system-name</td><td>yes</td><td>1-{@value #MAX_INTERFACE_NAME} chars of
 *       {@code [A-Za-z0-9_.-]}, not "." or ".."</td></tr>
 *   <tr><td>mac-address</td><td>yes</td><td>unicast xx:xx:xx:xx:xx:xx</td></tr>
 *   <tr><td>display-name</td><td>no ("")</td><td>string ≤ {@value #MAX_DISPLAY_NAME} chars</td></tr>
 *   <tr><td>type</td><td>no (0)</td><td>{@value #TYPE_VM} VM port (NovaVMPort),
 *       {@value #TYPE_NAMESPACE} namespace port (NameSpacePort); number or digit string.
 *       2 (ESXiPort) is refused: its "interface" is on an ESXi host, not here</td></tr>
 *   <tr><td>rx-vlan-id, tx-vlan-id</td><td>no (-1)</td><td>-1 or 65535 (none), 0-4095;
 *       number or digit string</td></tr>
 * </table>
 */
public final class PortJson {
    /** {@code type} of a VM port ({@code --port_type NovaVMPort}). */
    public static final int TYPE_VM = 0;
    /** {@code type} of a namespace port ({@code --port_type NameSpacePort}). */
    public static final int TYPE_NAMESPACE = 1;
    /** {@code type} of an ESXi port ({@code --port_type ESXiPort}): not served by this agent. */
    public static final int TYPE_ESXI = 2;
    /** Linux IFNAMSIZ is 16 including the terminating NUL. */
    public static final int MAX_INTERFACE_NAME = 15;
    public static final int MAX_DISPLAY_NAME = 255;
    /** A vlan id Contrail uses for "none" next to -1 (0xFFFF, VmInterface::kInvalidVlanId). */
    private static final int CONTRAIL_INVALID_VLAN = 0xFFFF;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern UUID_NO_DASHES = Pattern.compile("[0-9a-fA-F]{32}");
    private static final Pattern MAC = Pattern.compile("[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}");
    /** What Contrail writes, and nova's VIF driver sends, for "no IPv4 address". */
    static final String NO_IPV4 = "0.0.0.0";
    /** What Contrail's agent writes for "no IPv6 address" (boost's unspecified address). */
    static final String NO_IPV6 = "::";
    /** Python's {@code str(None)}: what the script sends for an option nova passed as None. */
    private static final String PYTHON_NONE = "None";

    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.\\-]{1," + MAX_INTERFACE_NAME + "}");

    private PortJson() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Parses and validates a {@code POST /port} body. */
    public static PortRequest parseRequest(byte[] body) throws PortException {
        return fromTree(readObject(body));
    }

    /**
     * Parses a {@code POST /port} body that may also be Contrail's array of ports; every
     * element is validated, and the first invalid one is the error, naming its position.
     */
    public static List<PortRequest> parseRequests(byte[] body) throws PortException {
        JsonNode node = readTree(body);
        if (node.isObject()) {
            return List.of(fromTree((ObjectNode) node));
        }
        if (!node.isArray() || node.isEmpty()) {
            throw new PortException(400, "expected a JSON object or a non-empty array of objects, got "
                    + (node.isArray() ? "an empty array" : node.getNodeType()));
        }
        List<PortRequest> requests = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isObject()) {
                throw new PortException(400, "element " + i + " of the array is not a JSON object");
            }
            try {
                requests.add(fromTree((ObjectNode) node.get(i)));
            } catch (PortException e) {
                throw new PortException(e.status(), "element " + i + " of the array: "
                        + (e.errors().isEmpty() ? e.getMessage() : "invalid port"), e.errors());
            }
        }
        return requests;
    }

    /** True when the body's first non-blank character opens a JSON array. */
    static boolean isArray(byte[] body) {
        for (byte b : body) {
            if (!Character.isWhitespace(b)) {
                return b == '[';
            }
        }
        return false;
    }

    /**
     * Parses a port file: a request as {@code vrouter-port-control} or either agent wrote it,
     * with the {@code interface-index} this agent assigned when present.
     */
    public static StoredPort parseStored(byte[] body, String source) throws PortException {
        ObjectNode node = readObject(body);
        PortRequest request = fromTree(node);
        JsonNode idx = node.get("interface-index");
        if (idx == null || idx.isNull()) {
            return new StoredPort(request, StoredPort.NO_INDEX, source);
        }
        if (!idx.isIntegralNumber() || !idx.canConvertToInt()
                || idx.intValue() < InterfaceIndexAllocator.MIN_INDEX
                || idx.intValue() > InterfaceIndexAllocator.MAX_INDEX) {
            throw new PortException(400, "invalid port", List.of(new FieldError("interface-index",
                    "must be an integer " + InterfaceIndexAllocator.MIN_INDEX + "-" + InterfaceIndexAllocator.MAX_INDEX)));
        }
        return new StoredPort(request, idx.intValue(), source);
    }

    /**
     * The JSON of a port in the form Contrail's agent writes its port files (so that Contrail's
     * agent replays ours: every field it requires, {@code "0.0.0.0"} / {@code "::"} for no
     * address, numbers for type and VLANs), plus this agent's {@code interface-index} and
     * {@code metadata-ip}, which Contrail ignores.
     */
    public static ObjectNode toJson(VmPort p) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("id", p.id());
        n.put("instance-id", p.instanceId());
        n.put("display-name", p.displayName());
        n.put("ip-address", p.ipAddress() == null ? NO_IPV4 : p.ipAddress().getHostAddress());
        n.put("ip6-address", p.ip6Address() == null ? NO_IPV6 : p.ip6Address());
        n.put("vn-id", p.vnId());
        n.put("vm-project-id", p.projectId());
        n.put("mac-address", p.macAddress());
        n.put("system-name", p.systemName());
        n.put("type", p.type());
        n.put("rx-vlan-id", p.rxVlanId());
        n.put("tx-vlan-id", p.txVlanId());
        n.put("vhostuser-mode", 0);
        n.put("interface-index", p.interfaceIndex());
        n.put("metadata-ip", p.metadataIp().getHostAddress());
        return n;
    }

    public static byte[] toBytes(JsonNode node) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a JSON tree", e); // trees always serialise
        }
    }

    /** True for a name Linux accepts and that cannot escape a directory when used as a path. */
    public static boolean isValidInterfaceName(String name) {
        return name != null && IFNAME.matcher(name).matches() && !".".equals(name) && !"..".equals(name);
    }

    /** A canonical lower-case dashed UUID, or null when {@code text} is not a UUID. */
    public static String canonicalUuid(String text) {
        return text != null && UUID.matcher(text).matches() ? text.toLowerCase(Locale.ROOT) : null;
    }

    private static ObjectNode readObject(byte[] body) throws PortException {
        JsonNode node = readTree(body);
        if (!node.isObject()) {
            throw new PortException(400, "expected a JSON object, got " + node.getNodeType());
        }
        return (ObjectNode) node;
    }

    private static JsonNode readTree(byte[] body) throws PortException {
        if (body == null || body.length == 0) {
            throw new PortException(400, "empty body: expected a JSON object");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (IOException e) {
            String msg = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            String where = e instanceof JsonProcessingException jpe && jpe.getLocation() != null
                    ? " at line " + jpe.getLocation().getLineNr() + " column " + jpe.getLocation().getColumnNr()
                    : "";
            throw new PortException(400, "malformed JSON" + where + ": " + msg);
        }
        if (node == null || node.isMissingNode()) {
            throw new PortException(400, "expected a JSON object, got nothing");
        }
        return node;
    }

    private static PortRequest fromTree(ObjectNode n) throws PortException {
        List<FieldError> errors = new ArrayList<>();
        String id = uuid(n, "id", errors);
        String instanceId = uuid(n, "instance-id", errors);
        String vnId = uuid(n, "vn-id", errors);
        String projectId = projectUuid(n, errors);
        String displayName = optionalString(n, "display-name", MAX_DISPLAY_NAME, errors);
        Inet4Address ip = ipv4(n, errors);
        String ip6 = ipv6(n, errors);
        int type = portType(n, errors);
        String systemName = interfaceName(n, errors);
        String mac = mac(n, errors);
        int rxVlan = optionalInt(n, "rx-vlan-id", -1, 0, 4095, true, errors);
        int txVlan = optionalInt(n, "tx-vlan-id", -1, 0, 4095, true, errors);
        if (!errors.isEmpty()) {
            throw new PortException(400, "invalid port", errors);
        }
        return new PortRequest(id, instanceId, vnId, projectId, displayName == null ? "" : displayName,
                ip, ip6, type, systemName, mac, rxVlan, txVlan);
    }

    private static String requiredString(ObjectNode n, String field, List<FieldError> errors) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            errors.add(new FieldError(field, "is required"));
            return null;
        }
        if (!v.isTextual()) {
            errors.add(new FieldError(field, "must be a string, got " + v.getNodeType() + " " + v));
            return null;
        }
        return v.textValue();
    }

    private static String uuid(ObjectNode n, String field, List<FieldError> errors) {
        String s = requiredString(n, field, errors);
        if (s == null) {
            return null;
        }
        String c = canonicalUuid(s);
        if (c == null) {
            errors.add(new FieldError(field, "must be a UUID (8-4-4-4-12 hex digits), got \"" + clip(s) + "\""));
        }
        return c;
    }

    private static String projectUuid(ObjectNode n, List<FieldError> errors) {
        String s = requiredString(n, "vm-project-id", errors);
        if (s == null) {
            return null;
        }
        if (UUID_NO_DASHES.matcher(s).matches()) {
            s = s.substring(0, 8) + "-" + s.substring(8, 12) + "-" + s.substring(12, 16) + "-"
                    + s.substring(16, 20) + "-" + s.substring(20);
        }
        String c = canonicalUuid(s);
        if (c == null) {
            errors.add(new FieldError("vm-project-id",
                    "must be a UUID, with or without dashes, got \"" + clip(s) + "\""));
        }
        return c;
    }

    private static String optionalString(ObjectNode n, String field, int maxLen, List<FieldError> errors) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            errors.add(new FieldError(field, "must be a string, got " + v.getNodeType()));
            return null;
        }
        if (v.textValue().length() > maxLen) {
            errors.add(new FieldError(field, "must be at most " + maxLen + " characters, got " + v.textValue().length()));
            return null;
        }
        return v.textValue();
    }

    /** The port's IPv4 address, or null for none ("0.0.0.0", "None", "", null). */
    private static Inet4Address ipv4(ObjectNode n, List<FieldError> errors) {
        String s = optionalString(n, "ip-address", 64, errors);
        if (s == null || s.isEmpty() || PYTHON_NONE.equals(s) || NO_IPV4.equals(s)) {
            return null;
        }
        InetAddress a = IpLiteral.parseIpv4(s) == -1 ? null : IpLiteral.parse(s);
        if (!(a instanceof Inet4Address v4)) {
            errors.add(new FieldError("ip-address", "must be a dotted-quad IPv4 address, or \"0.0.0.0\" for none, got \""
                    + clip(s) + "\""));
            return null;
        }
        return v4;
    }

    /** The port's IPv6 address (canonical text), or null for none ("::", "None", "", null). */
    private static String ipv6(ObjectNode n, List<FieldError> errors) {
        String s = optionalString(n, "ip6-address", 64, errors);
        if (s == null || s.isEmpty() || PYTHON_NONE.equals(s)) {
            return null;
        }
        if (!(IpLiteral.parse(s) instanceof Inet6Address v6)) {
            errors.add(new FieldError("ip6-address", "must be an IPv6 address, or \"None\" or empty for none, got \""
                    + clip(s) + "\""));
            return null;
        }
        return v6.isAnyLocalAddress() ? null : s.toLowerCase(Locale.ROOT);
    }

    /** The script's {@code --port_type}: NovaVMPort 0, NameSpacePort 1, ESXiPort 2 (refused). */
    private static int portType(ObjectNode n, List<FieldError> errors) {
        int before = errors.size();
        int type = optionalInt(n, "type", TYPE_VM, 0, 255, false, errors);
        if (errors.size() > before || type == TYPE_VM || type == TYPE_NAMESPACE) {
            return type;
        }
        errors.add(new FieldError("type", type == TYPE_ESXI
                ? "2 (ESXi port) is not supported: this agent serves guests whose interface is on this host;"
                        + " use 0 (VM port) or 1 (namespace port)"
                : "must be 0 (VM port) or 1 (namespace port), got " + type));
        return type;
    }

    private static String interfaceName(ObjectNode n, List<FieldError> errors) {
        String s = requiredString(n, "system-name", errors);
        if (s != null && !isValidInterfaceName(s)) {
            errors.add(new FieldError("system-name", "must be an interface name of 1-" + MAX_INTERFACE_NAME
                    + " characters from [A-Za-z0-9_.-], got \"" + clip(s) + "\""));
            return null;
        }
        return s;
    }

    private static String mac(ObjectNode n, List<FieldError> errors) {
        String s = requiredString(n, "mac-address", errors);
        if (s == null) {
            return null;
        }
        if (!MAC.matcher(s).matches()) {
            errors.add(new FieldError("mac-address", "must be a MAC address xx:xx:xx:xx:xx:xx, got \"" + clip(s) + "\""));
            return null;
        }
        String mac = s.toLowerCase(Locale.ROOT);
        if ((Integer.parseInt(mac.substring(0, 2), 16) & 1) != 0 || "00:00:00:00:00:00".equals(mac)) {
            errors.add(new FieldError("mac-address", "must be a unicast, non-zero MAC address, got \"" + mac + "\""));
            return null;
        }
        return mac;
    }

    /**
     * An optional integer in [min, max], given as a JSON number or a string of digits; with
     * {@code vlan}, -1 and 65535 mean "none" and come back as -1.
     */
    private static int optionalInt(ObjectNode n, String field, int dflt, int min, int max, boolean vlan,
            List<FieldError> errors) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.textValue().isEmpty())) {
            return dflt;
        }
        long value;
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            value = v.longValue();
        } else if (v.isTextual() && v.textValue().matches("-?[0-9]{1,9}")) {
            value = Long.parseLong(v.textValue());
        } else {
            value = Long.MIN_VALUE;
        }
        if (vlan && (value == -1 || value == CONTRAIL_INVALID_VLAN)) {
            return -1;
        }
        if (value < min || value > max) {
            errors.add(new FieldError(field, "must be an integer " + min + "-" + max
                    + (vlan ? " (or -1 for none)" : "") + ", got " + clip(v.toString())));
            return dflt;
        }
        return (int) value;
    }

    /** Echoes at most 64 chars of a bad value: enough to see the mistake, not a log flood. */
    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
