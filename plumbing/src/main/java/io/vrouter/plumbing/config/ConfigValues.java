package io.vrouter.plumbing.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one reading of a boolean and of an integer for every configuration source the three
 * processes have: {@code agent.conf}, the {@code -c} files, and flags that take a value.
 *
 * <p>Booleans: {@value #BOOLEAN_WORDS}, case-insensitive, surrounding blanks ignored. That is
 * what boost's program_options (Contrail's agent) and Python's config parsers accept, so a
 * file written for Contrail reads the same here. Integers: an optional {@code -} and 1-9
 * digits, nothing else ({@code 8097x}, {@code 1e3}, {@code 80.0} are refused, not guessed at).
 */
public final class ConfigValues {
    /** What a boolean may be written as, for error messages. */
    public static final String BOOLEAN_WORDS = "true/false, yes/no, on/off or 1/0";

    private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,9}");

    private ConfigValues() {
    }

    /** The boolean {@code text} spells; null when it spells none. */
    public static Boolean parseBoolean(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> Boolean.TRUE;
            case "false", "no", "off", "0" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** The integer {@code text} spells; null when it is not one. */
    public static Integer parseInteger(String text) {
        String t = text.strip();
        return INTEGER.matcher(t).matches() ? Integer.valueOf(t) : null;
    }

    /**
     * {@code text} as a boolean.
     *
     * @param origin where the value came from, e.g. {@code --api_server_use_ssl} or
     *               {@code conf file /etc/x.ini key no_auth}
     * @throws IllegalArgumentException "{@code <origin> '<text>' is not a boolean (...)}"
     */
    public static boolean bool(String origin, String text) {
        Boolean b = parseBoolean(text);
        if (b == null) {
            throw new IllegalArgumentException(origin + " '" + text + "' is not a boolean (" + BOOLEAN_WORDS + ")");
        }
        return b;
    }

    /**
     * {@code text} as an integer.
     *
     * @throws IllegalArgumentException "{@code <origin> '<text>' is not a number}"
     */
    public static int integer(String origin, String text) {
        Integer i = parseInteger(text);
        if (i == null) {
            throw new IllegalArgumentException(origin + " '" + text + "' is not a number");
        }
        return i;
    }
}
