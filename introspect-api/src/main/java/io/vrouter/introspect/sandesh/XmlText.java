package io.vrouter.introspect.sandesh;

/**
 * Escaping of text written into Sandesh XML. Values are often guest-controlled (a metadata request's
 * path in a trace, a VM name), so every string goes through here.
 *
 * <table>
 *   <caption>What is replaced</caption>
 *   <tr><th>character</th><th>in element text</th><th>in an attribute value</th></tr>
 *   <tr><td>{@code & ' < >}</td><td>{@code &amp; &apos; &lt; &gt;} (Sandesh's own set)</td>
 *       <td>same</td></tr>
 *   <tr><td>{@code "}</td><td>kept</td><td>{@code &quot;}</td></tr>
 *   <tr><td>TAB, LF</td><td>kept</td><td>{@code &#9; &#10;} (parsers would normalise them to spaces)</td></tr>
 *   <tr><td>CR</td><td>{@code &#13;} (parsers would turn a raw CR into LF)</td><td>{@code &#13;}</td></tr>
 *   <tr><td>other C0 controls U+0000–U+001F, DEL and C1 U+007F–U+009F</td>
 *       <td colspan="2">{@code \xNN} as text: XML 1.0 cannot carry C0 controls at all (not even as
 *       character references), and raw DEL/C1 reach an operator's terminal (C1 CSI)</td></tr>
 *   <tr><td>U+FFFE, U+FFFF, a lone surrogate</td><td colspan="2">{@code \\uXXXX} as text (not XML characters)</td></tr>
 * </table>
 *
 * <p>The {@code \xNN} / {@code \\uXXXX} forms are visible text, not XML escapes: a reader sees
 * which byte the guest sent. A literal backslash is not escaped, so a string that already contained
 * {@code \x01} as four characters reads the same; the trade-off keeps ordinary values unchanged.
 * Contrail's Sandesh escapes only {@code & ' < >} and emits ill-formed XML for control characters.
 */
public final class XmlText {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private XmlText() {
    }

    /** Appends {@code s} escaped for element content. */
    public static void appendText(StringBuilder out, String s) {
        append(out, s, false);
    }

    /** Appends {@code s} escaped for a double-quoted attribute value. */
    public static void appendAttribute(StringBuilder out, String s) {
        append(out, s, true);
    }

    /** {@code s} escaped for element content. */
    public static String text(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        appendText(out, s);
        return out.toString();
    }

    private static void append(StringBuilder out, String s, boolean attribute) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '\'' -> out.append("&apos;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append(attribute ? "&quot;" : "\"");
                case '\t' -> out.append(attribute ? "&#9;" : "\t");
                case '\n' -> out.append(attribute ? "&#10;" : "\n");
                case '\r' -> out.append("&#13;");
                default -> {
                    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                        out.append("\\x").append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
                    } else if (Character.isHighSurrogate(c) && i + 1 < n
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c) || c == 0xfffe || c == 0xffff) {
                        out.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf])
                                .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }
}
