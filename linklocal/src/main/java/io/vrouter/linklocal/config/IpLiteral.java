package io.vrouter.linklocal.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Parses IP address literals without ever touching DNS ({@link InetAddress#getByName} would
 * resolve a name, which must never happen while validating config or on a request path).
 */
public final class IpLiteral {
    private IpLiteral() {
    }

    /** The address, or {@code null} when {@code text} is not a strict IPv4 or IPv6 literal. */
    public static InetAddress parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 45) {
            return null;
        }
        if (text.indexOf(':') >= 0) {
            // Only hex digits, ':' and '.' (embedded IPv4) can make an IPv6 literal; with that
            // check getByName parses the literal and does no lookup.
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                    return null;
                }
            }
            try {
                return InetAddress.getByName(text);
            } catch (UnknownHostException e) {
                return null;
            }
        }
        int v = parseIpv4(text);
        if (v == -1 && !"255.255.255.255".equals(text)) {
            return null;
        }
        byte[] b = {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 4 bytes is always a valid length
        }
    }

    /**
     * Strict dotted-quad IPv4 to its 32-bit value; -1 when malformed (and for 255.255.255.255,
     * which callers needing it check separately). No leading zeros, exactly four parts.
     */
    public static int parseIpv4(String text) {
        int parts = 0;
        int value = 0;
        int i = 0;
        int n = text.length();
        while (i <= n) {
            int start = i;
            int part = 0;
            while (i < n && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                part = part * 10 + (text.charAt(i) - '0');
                if (part > 255) {
                    return -1;
                }
                i++;
            }
            int len = i - start;
            if (len == 0 || (len > 1 && text.charAt(start) == '0')) {
                return -1;
            }
            value = (value << 8) | part;
            parts++;
            if (i == n) {
                break;
            }
            if (text.charAt(i) != '.' || parts == 4) {
                return -1;
            }
            i++;
        }
        return parts == 4 ? value : -1;
    }
}
