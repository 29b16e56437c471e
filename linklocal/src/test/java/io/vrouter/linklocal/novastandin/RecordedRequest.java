package io.vrouter.linklocal.novastandin;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A request as the nova stand-in received it.
 *
 * @param method  HTTP method
 * @param uri     request target as received
 * @param headers every header in arrival order (name as sent, value), repeats kept
 * @param body    request body
 * @param status  the status the stand-in answered with
 */
public record RecordedRequest(String method, String uri, List<Map.Entry<String, String>> headers, byte[] body,
                              int status) {

    /** Every value of {@code name} (case-insensitive), in arrival order. */
    public List<String> all(String name) {
        return headers.stream().filter(e -> e.getKey().toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT)))
                .map(Map.Entry::getValue).toList();
    }

    /** The single value of {@code name}, or null when absent; fails when repeated. */
    public String header(String name) {
        List<String> v = all(name);
        if (v.size() > 1) {
            throw new AssertionError("header " + name + " repeated: " + v);
        }
        return v.isEmpty() ? null : v.get(0);
    }
}
