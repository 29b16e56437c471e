package io.vrouter.plumbing.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.commons.configuration2.INIConfiguration;
import org.apache.commons.configuration2.SubnodeConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;

/**
 * One INI file as Contrail writes them ({@code agent.conf}, {@code provision_linklocal}'s and
 * the config API's {@code -c} files), read once into section → key → value.
 *
 * <table>
 *   <caption>Rules</caption>
 *   <tr><td>lines</td><td>blank, a {@code #}/{@code ;} comment, {@code [SECTION]} or
 *       {@code key = value} ({@code :} also separates); anything else is an error naming the
 *       line, since commons-configuration2 alone would turn a typo into a key</td></tr>
 *   <tr><td>values</td><td>trimmed; cut at an inline {@code " ;"} or {@code " #"} unless quoted;
 *       quotes removed; an empty value means "not set"</td></tr>
 *   <tr><td>sections</td><td>a repeated section is merged (generated files repeat them); keys
 *       before any section belong to {@value #NO_SECTION}</td></tr>
 *   <tr><td>keys</td><td>a key given twice in one section is an error: which one counts would be a guess</td></tr>
 *   <tr><td>encoding</td><td>UTF-8, a byte-order mark ignored, control characters refused</td></tr>
 * </table>
 *
 * <p>All problems are reported at once in an {@link IniException}. What the keys mean, and
 * which are unknown, is the reader's business. Immutable.
 */
public final class IniFile {
    /** The name given to keys that come before any section header. */
    public static final String NO_SECTION = "(no section)";

    private static final Pattern SECTION_LINE = Pattern.compile("\\[[A-Za-z0-9_.\\-]+\\]\\s*([#;].*)?");
    private static final Pattern KEY_LINE = Pattern.compile("[A-Za-z0-9_.\\-]+\\s*[=:].*");

    private final String source;
    private final Map<String, Map<String, String>> sections;

    private IniFile(String source, Map<String, Map<String, String>> sections) {
        this.source = source;
        this.sections = sections;
    }

    /** Reads {@code file}; a missing file is an error saying it does not exist. */
    public static IniFile read(Path file) throws IniException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IniException(file.toString(), List.of("cannot read the file: "
                    + (e instanceof NoSuchFileException ? "it does not exist" : e.toString())));
        }
        return parse(text, file.toString());
    }

    /** Parses INI text; {@code source} names it in messages. */
    public static IniFile parse(String text, String source) throws IniException {
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1); // a UTF-8 byte-order mark some editors write
        }
        List<String> problems = new ArrayList<>();
        checkSyntax(text, problems);
        if (!problems.isEmpty()) {
            throw new IniException(source, problems);
        }
        INIConfiguration ini = new INIConfiguration();
        try {
            ini.read(new StringReader(text));
        } catch (ConfigurationException | IOException | RuntimeException e) {
            throw new IniException(source, List.of("not a valid INI file: " + e.getMessage()));
        }
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        for (String section : ini.getSections()) {
            SubnodeConfiguration sub = ini.getSection(section);
            String name = section == null ? NO_SECTION : section;
            Map<String, String> keys = sections.computeIfAbsent(name, k -> new LinkedHashMap<>());
            for (Iterator<String> it = sub.getKeys(); it.hasNext(); ) {
                String key = it.next();
                String shown = key.replace("..", "."); // the expression engine escapes dots
                List<Object> all = sub.getList(key);
                if (all.size() > 1) {
                    problems.add("[" + name + "] " + shown + " is given " + all.size() + " times: give it once");
                }
                Object v = all.isEmpty() ? "" : all.get(all.size() - 1);
                keys.put(shown, v == null ? "" : v.toString().trim());
            }
        }
        if (!problems.isEmpty()) {
            throw new IniException(source, problems);
        }
        sections.replaceAll((k, v) -> Collections.unmodifiableMap(v));
        return new IniFile(source, Collections.unmodifiableMap(sections));
    }

    private static void checkSyntax(String text, List<String> problems) {
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            String where = "line " + (i + 1) + ": \"" + (line.length() > 64 ? line.substring(0, 64) + "..." : line) + "\": ";
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.chars().anyMatch(c -> c < 0x20 && c != '\t')) {
                problems.add(where.replaceAll("\\p{Cntrl}", "?") + "contains control characters");
            } else if (line.startsWith("[")) {
                if (!SECTION_LINE.matcher(line).matches()) {
                    problems.add(where + "expected a section header such as [DEFAULT]");
                }
            } else if (!KEY_LINE.matcher(line).matches()) {
                problems.add(where + "expected key = value");
            }
        }
    }

    public String source() {
        return source;
    }

    /** Section name → (key → value), in file order. */
    public Map<String, Map<String, String>> sections() {
        return sections;
    }

    /** The keys of {@code section}; empty when the file has no such section. */
    public Map<String, String> section(String section) {
        return sections.getOrDefault(section, Map.of());
    }

    /** The value of {@code section.key}; null when absent or empty (empty means "not set"). */
    public String value(String section, String key) {
        String v = section(section).get(key);
        return v == null || v.isEmpty() ? null : v;
    }
}
