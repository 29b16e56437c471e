package io.vrouter.introspect;

import io.vrouter.introspect.api.FlowMatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The flow filter as vrouter's {@code flow -l --match} writes it, {@code <ip>[:<port>]}, to and from
 * {@link FlowMatch}: the CLI parses what the operator typed, the agent checks what arrives over
 * Thrift or in a {@code Snh_KFlowReq} query. One rule for both, so they never disagree.
 */
public final class FlowMatches {
    private static final Pattern IP_PORT = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3})(?::(\\d{1,5}))?");

    private FlowMatches() {
    }

    /** Matches every flow. */
    public static FlowMatch any() {
        return new FlowMatch("", 0, 0);
    }

    /**
     * {@code 10.0.0.3}, {@code 10.0.0.3:80} or {@code 169.254.169.254:80}.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static FlowMatch parse(String text) {
        Matcher m = text == null ? null : IP_PORT.matcher(text.trim());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("--match takes <ipv4>[:<port>], e.g. 10.0.0.3 or 169.254.169.254:80; got '"
                    + text + "'");
        }
        FlowMatch match = new FlowMatch(m.group(1), m.group(2) == null ? 0 : Integer.parseInt(m.group(2)), 0);
        String problem = problem(match);
        if (problem != null) {
            throw new IllegalArgumentException("--match " + text.trim() + ": " + problem);
        }
        return match;
    }

    /** What is wrong with a filter (a dotted-quad IPv4 or "", port 0-65535, protocol 0-255), or null. */
    public static String problem(FlowMatch match) {
        if (match == null) {
            return null;
        }
        String ip = match.getIp();
        if (ip != null && !ip.isEmpty() && ipv4(ip) == -1) {
            return "match ip must be a dotted-quad IPv4 address, got '" + ip + "'";
        }
        if (match.getPort() < 0 || match.getPort() > 65535) {
            return "match port must be 0-65535, got " + match.getPort();
        }
        if (match.getProto() < 0 || match.getProto() > 255) {
            return "match protocol must be 0-255, got " + match.getProto();
        }
        if (match.getPort() != 0 && (ip == null || ip.isEmpty())) {
            return "a match port needs an address (<ip>:<port>)";
        }
        return null;
    }

    /** The address as a 32-bit value (network order, as flow keys hold it), or -1 if it is not one. */
    public static long ipv4(String dotted) {
        String[] parts = dotted.split("\\.", -1);
        if (parts.length != 4) {
            return -1;
        }
        long v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                return -1;
            }
            int b = Integer.parseInt(p);
            if (b > 255) {
                return -1;
            }
            v = v << 8 | b;
        }
        return v;
    }

    /** A 32-bit flow-key address as dotted quad. */
    public static String dotted(int ip) {
        return (ip >>> 24) + "." + (ip >>> 16 & 0xff) + "." + (ip >>> 8 & 0xff) + "." + (ip & 0xff);
    }

    /** Whether {@code match} admits a flow with this key (address/port on the same side). */
    public static boolean matches(FlowMatch match, int sip, int sport, int dip, int dport, int proto) {
        if (match == null) {
            return true;
        }
        if (match.getProto() != 0 && match.getProto() != proto) {
            return false;
        }
        String ip = match.getIp();
        if (ip == null || ip.isEmpty()) {
            return true;
        }
        int want = (int) ipv4(ip);
        int port = match.getPort();
        return (sip == want && (port == 0 || sport == port)) || (dip == want && (port == 0 || dport == port));
    }
}
