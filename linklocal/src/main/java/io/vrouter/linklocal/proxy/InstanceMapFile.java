package io.vrouter.linklocal.proxy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vrouter.linklocal.config.IpLiteral;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The standalone proxy's source-address → identity map, a JSON object:
 * <pre>{@code
 * {"169.254.0.3": {"instance": "<vm uuid>", "tenant": "<project uuid>", "ip": "10.0.0.3"}}
 * }</pre>
 * {@code ip} is optional (no X-Forwarded-For without it). In the agent the same job is done by
 * its ports; this is for benchmarks and manual runs.
 */
public final class InstanceMapFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private InstanceMapFile() {
    }

    /** @throws IOException unreadable file, or a message naming the bad entry */
    public static Map<InetAddress, VmIdentity> load(Path file) throws IOException {
        return parse(Files.readString(file), file.toString());
    }

    /** @throws IOException a message naming {@code origin} and the bad entry */
    public static Map<InetAddress, VmIdentity> parse(String json, String origin) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IOException(origin + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IOException(origin + ": expected a JSON object mapping source IP to {instance, tenant, ip}");
        }
        Map<InetAddress, VmIdentity> out = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            InetAddress source = IpLiteral.parse(key);
            if (source == null) {
                throw new IOException(origin + ": key \"" + key + "\" is not an IP address");
            }
            JsonNode v = e.getValue();
            if (!v.isObject()) {
                throw new IOException(origin + ": \"" + key + "\": expected an object {instance, tenant, ip}");
            }
            String instance = text(v, "instance", origin, key, true);
            String tenant = text(v, "tenant", origin, key, true);
            String ip = text(v, "ip", origin, key, false);
            out.put(source, new VmIdentity(instance, tenant, ip));
        }
        return Map.copyOf(out);
    }

    private static String text(JsonNode v, String field, String origin, String key, boolean required)
            throws IOException {
        JsonNode n = v.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw new IOException(origin + ": \"" + key + "\": \"" + field + "\" is required");
            }
            return null;
        }
        if (!n.isTextual() || n.asText().isBlank()) {
            throw new IOException(origin + ": \"" + key + "\": \"" + field + "\" must be a non-empty string");
        }
        return n.asText();
    }
}
