package io.vrouter.cli;

/** Text from the agent made safe for a terminal: guests control paths and names. */
final class Terminal {
    private Terminal() {
    }

    /** Control characters (C0, DEL, C1) and escape sequences shown as {@code \xNN} / {@code \\uNNNN}. */
    static String safe(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = c < 0x20 || (c >= 0x7f && c < 0xa0) || c == '\u2028' || c == '\u2029';
            if (control && sb == null) {
                sb = new StringBuilder(s.length() + 8).append(s, 0, i);
            }
            if (sb != null) {
                if (!control) {
                    sb.append(c);
                } else if (c < 0x100) {
                    sb.append(String.format("\\x%02X", (int) c));
                } else {
                    sb.append(String.format("\\u%04X", (int) c));
                }
            }
        }
        return sb == null ? s : sb.toString();
    }

    /** {@code s} padded with spaces to {@code width} (never cut). */
    static String pad(String s, int width) {
        StringBuilder sb = new StringBuilder(s);
        while (sb.length() < width) {
            sb.append(' ');
        }
        return sb.toString();
    }
}
