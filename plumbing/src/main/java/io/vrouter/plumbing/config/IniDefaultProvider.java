package io.vrouter.plumbing.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Flags over an INI file over the built-in defaults, with each flag declared once: picocli asks
 * this provider for the value of every option not given on the command line, and it answers
 * from the file named by the command's conf-file option.
 *
 * <table>
 *   <caption>How a flag maps to the file</caption>
 *   <tr><td>key</td><td>the option's longest name without its dashes, {@code -} written
 *       {@code _}: {@code --listen-port} is {@code listen_port}, {@code --api_server_ip} is
 *       {@code api_server_ip}</td></tr>
 *   <tr><td>main section</td><td>every option's key may appear; any other key is an error
 *       naming it (a typo must not silently fall back to a default), or a warning when
 *       {@link #warnOnUnknownKeys} says so</td></tr>
 *   <tr><td>extra sections</td><td>only the listed keys are read, others are ignored (shared
 *       files, e.g. a Keystone section, carry keys meant for other programs)</td></tr>
 *   <tr><td>other sections</td><td>ignored, or an error, as constructed</td></tr>
 *   <tr><td>values</td><td>an empty value means "not given"; a boolean or integer option's
 *       value is checked here with {@link ConfigValues}, so the error names the file and key
 *       rather than a flag the user never typed</td></tr>
 * </table>
 *
 * <p>Picocli calls the provider after the command line is parsed (picocli 4), so the conf-file
 * option already holds its value; the file is read on the first call. Problems are thrown as a
 * {@link CommandLine.ParameterException} with one line naming the file. One instance serves one
 * parse.
 */
public final class IniDefaultProvider implements CommandLine.IDefaultValueProvider {
    private final String confOption;
    private final String mainSection;
    private final Map<String, Set<String>> extraSections;
    private final boolean otherSectionsAllowed;
    private final Map<String, String> fromFile = new LinkedHashMap<>();
    private Path loadedFrom;
    private boolean loaded;
    private Consumer<String> unknownKeyWarning;

    /**
     * @param confOption           the option naming the file, e.g. {@code --conf_file}
     * @param mainSection          the section whose keys are the flags, e.g. {@code DEFAULTS}
     * @param extraSections        section → the keys read from it (a key also read from the
     *                             main section is overridden by the extra one)
     * @param otherSectionsAllowed false: any other section is an error
     */
    public IniDefaultProvider(String confOption, String mainSection, Map<String, Set<String>> extraSections,
            boolean otherSectionsAllowed) {
        this.confOption = confOption;
        this.mainSection = mainSection;
        this.extraSections = Map.copyOf(extraSections);
        this.otherSectionsAllowed = otherSectionsAllowed;
    }

    /**
     * Reports an unknown main-section key to {@code warning} (one line naming file, section and
     * key) instead of failing: for files shared with other programs' versions (Contrail's
     * {@code provision_linklocal} ini files carry keys of every release). Call before parsing.
     */
    public IniDefaultProvider warnOnUnknownKeys(Consumer<String> warning) {
        this.unknownKeyWarning = warning;
        return this;
    }

    /** The file key of {@code option}. */
    public static String key(OptionSpec option) {
        return option.longestName().replaceFirst("^-+", "").replace('-', '_');
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (!(arg instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()
                || option.longestName().equals(confOption)) {
            return null;
        }
        load(option.command());
        String key = key(option);
        String v = fromFile.get(key);
        if (v == null) {
            return null;
        }
        Class<?> type = option.type();
        try {
            if (type == boolean.class || type == Boolean.class) {
                return Boolean.toString(ConfigValues.bool(origin(key), v));
            }
            if (type == int.class || type == Integer.class) {
                return Integer.toString(ConfigValues.integer(origin(key), v));
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(option.command().commandLine(), e.getMessage());
        }
        return v;
    }

    /**
     * Where the value of {@code option} came from, for messages: the flag when it was given on
     * the command line or has no file value, else {@code conf file <path> key <key>}.
     */
    public String origin(OptionSpec option) {
        CommandLine.ParseResult pr = option.command().commandLine().getParseResult();
        boolean onCommandLine = pr != null && pr.hasMatchedOption(option);
        String key = key(option);
        return !onCommandLine && fromFile.containsKey(key) ? origin(key) : option.longestName();
    }

    private String origin(String key) {
        return "conf file " + loadedFrom + " key " + key;
    }

    private void load(CommandSpec spec) {
        if (loaded) {
            return;
        }
        OptionSpec conf = spec.findOption(confOption);
        Object path = conf == null ? null : conf.getValue();
        if (path == null) {
            return; // not given, or not parsed yet: picocli also asks while it handles a boolean flag
        }
        loadedFrom = Path.of(path.toString());
        IniFile ini;
        try {
            ini = IniFile.read(loadedFrom);
        } catch (IniException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "conf file " + e.getMessage());
        }
        Set<String> keys = new TreeSet<>();
        for (OptionSpec o : spec.options()) {
            if (!o.usageHelp() && !o.versionHelp() && !o.longestName().equals(confOption)) {
                keys.add(key(o));
            }
        }
        for (Map.Entry<String, Map<String, String>> s : ini.sections().entrySet()) {
            String section = s.getKey();
            if (section.equals(mainSection)) {
                for (Map.Entry<String, String> kv : s.getValue().entrySet()) {
                    if (!keys.contains(kv.getKey())) {
                        String msg = "conf file " + loadedFrom + " [" + section + "]: unknown key '" + kv.getKey() + "'";
                        if (unknownKeyWarning == null) {
                            throw new CommandLine.ParameterException(spec.commandLine(),
                                    msg + " (expected one of " + keys + ")");
                        }
                        unknownKeyWarning.accept(msg + " ignored");
                        continue;
                    }
                    putValue(kv.getKey(), kv.getValue());
                }
            } else if (!extraSections.containsKey(section) && !otherSectionsAllowed) {
                throw new CommandLine.ParameterException(spec.commandLine(), "conf file " + loadedFrom
                        + ": unknown section [" + section + "] (expected [" + mainSection + "])");
            }
        }
        extraSections.forEach((section, wanted) ->
                ini.section(section).forEach((k, v) -> {
                    if (wanted.contains(k)) {
                        putValue(k, v);
                    }
                }));
        // Only now: picocli swallows what the provider throws while it handles a boolean flag,
        // so a bad file must go on failing until a call that picocli reports.
        loaded = true;
    }

    private void putValue(String key, String value) {
        if (value != null && !value.isBlank()) {
            fromFile.put(key, value.strip());
        }
    }
}
