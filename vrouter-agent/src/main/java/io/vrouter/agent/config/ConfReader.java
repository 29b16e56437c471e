package io.vrouter.agent.config;

import io.vrouter.linklocal.config.IpLiteral;
import io.vrouter.plumbing.config.ConfigValues;
import io.vrouter.plumbing.config.IniFile;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Typed reads of one {@code agent.conf}: each getter records which keys were read (the rest are
 * reported unused), and a bad value as an error naming section, key, value and what is expected
 * (then returns the default, so every problem is found in one pass). Empty means "not set".
 */
final class ConfReader {
    static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,15}");
    static final String IFNAME_EXPECTED = "an interface name of 1-15 characters from [A-Za-z0-9_.-]";

    final IniFile ini;
    final List<String> errors = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();
    private final Set<String> consumed = new HashSet<>();

    ConfReader(IniFile ini) {
        this.ini = ini;
    }

    String get(String section, String key) {
        consumed.add(section + "\u0000" + key);
        return ini.value(section, key);
    }

    boolean consumed(String section, String key) {
        return consumed.contains(section + "\u0000" + key);
    }

    void bad(String section, String key, String value, String expected) {
        errors.add("[" + section + "] " + key + " = \"" + value + "\": expected " + expected);
    }

    /** Records {@code problem} (an "expected ..." text from a component's own rule) unless null. */
    void problem(String section, String key, String value, String problem) {
        if (problem != null) {
            bad(section, key, value, problem);
        }
    }

    void required(String section, String key, String what) {
        errors.add("[" + section + "] " + key + " is required: " + what);
    }

    void readable(String section, String key, Path file) {
        if (file != null && !Files.isReadable(file)) {
            bad(section, key, file.toString(), "a readable PEM file");
        }
    }

    int integer(String section, String key, int dflt, int min, int max) {
        String v = get(section, key);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        Integer i = ConfigValues.parseInteger(v);
        if (i == null || i < min || i > max) {
            bad(section, key, v, "an integer " + min + "-" + max);
            return dflt;
        }
        return i;
    }

    int port(String section, String key, int dflt) {
        return integer(section, key, dflt, 0, 65535);
    }

    double percent(String section, String key, double dflt) {
        String v = get(section, key);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        if (v.matches("[0-9]{1,3}(\\.[0-9]{1,6})?")) {
            double d = Double.parseDouble(v);
            if (d > 0 && d <= 100) {
                return d;
            }
        }
        bad(section, key, v, "a percentage greater than 0 and at most 100");
        return dflt;
    }

    boolean bool(String section, String key, boolean dflt) {
        String v = get(section, key);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        Boolean b = ConfigValues.parseBoolean(v);
        if (b == null) {
            bad(section, key, v, "a boolean: " + ConfigValues.BOOLEAN_WORDS);
            return dflt;
        }
        return b;
    }

    String string(String section, String key, String dflt, Predicate<String> valid, String expected) {
        String v = get(section, key);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        if (!valid.test(v)) {
            bad(section, key, v, expected);
            return dflt;
        }
        return v;
    }

    Path path(String section, String key, Path dflt) {
        String v = get(section, key);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        if (v.indexOf('\u0000') >= 0 || !v.startsWith("/")) {
            bad(section, key, v, "an absolute path");
            return dflt;
        }
        return Path.of(v);
    }

    /** An IPv4 or IPv6 literal (never a name: nothing is resolved while parsing). */
    InetAddress ip(String section, String key, InetAddress dflt) {
        String v = get(section, key);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        InetAddress a = IpLiteral.parse(v);
        if (a == null) {
            bad(section, key, v, "an IPv4 or IPv6 address");
            return dflt;
        }
        return a;
    }

    /**
     * A space-separated list, as Contrail writes {@code gateway}, {@code physical_interface} and
     * {@code compute_node_address}; each item must pass {@code item} (null = bad). A comma is
     * refused with a hint: Contrail would read "a,b" as one bad value too.
     */
    <T> List<T> list(String section, String key, Function<String, T> item, String expected) {
        String v = get(section, key);
        List<T> out = new ArrayList<>();
        if (v == null || v.isBlank()) {
            return out;
        }
        for (String s : v.strip().split("\\s+")) {
            T t = s.contains(",") ? null : item.apply(s);
            if (t == null) {
                bad(section, key, v, "a space-separated list of " + expected + " (\"" + s + "\" is not one)");
                return List.of();
            }
            out.add(t);
        }
        return out;
    }

    static Inet4Address ipv4Literal(String s) {
        return IpLiteral.parseIpv4(s) != -1 && IpLiteral.parse(s) instanceof Inet4Address a ? a : null;
    }

    static String ifName(String s) {
        return IFNAME.matcher(s).matches() && !".".equals(s) && !"..".equals(s) ? s : null;
    }
}
