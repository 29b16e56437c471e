package io.vrouter.provision.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.commons.configuration2.INIConfiguration;
import org.apache.commons.configuration2.SubnodeConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;

/**
 * The {@code -c/--conf_file} INI file, Contrail's layout: keys named like the flags (without
 * dashes). Flags given on the command line override it.
 *
 * <ul>
 *   <li>{@code [DEFAULTS]}: any flag's key; an unknown key is an error naming it (a typo must
 *       not silently fall back to a default).</li>
 *   <li>{@code [KEYSTONE]}: only {@code admin_user}, {@code admin_password},
 *       {@code admin_tenant_name} are read. Shared Keystone auth files carry other keys
 *       ({@code auth_host}, {@code insecure}, ...) that concern Keystone, not the config API,
 *       so they are ignored rather than misapplied.</li>
 *   <li>Other sections are ignored. A missing file is an error (Contrail ignores it).</li>
 * </ul>
 */
final class ConfFile {
    static final Set<String> KEYSTONE_KEYS = Set.of("admin_user", "admin_password", "admin_tenant_name");

    private ConfFile() {
    }

    /** Key to value, for the keys in {@code known} found in the file. */
    static Map<String, String> load(Path file, Set<String> known) throws UsageException {
        INIConfiguration ini = new INIConfiguration();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            ini.read(r);
        } catch (NoSuchFileException e) {
            throw new UsageException("conf file " + file + " does not exist");
        } catch (IOException | ConfigurationException | RuntimeException e) {
            throw new UsageException("cannot read conf file " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> values = new LinkedHashMap<>();
        if (ini.getSections().contains("DEFAULTS")) {
            SubnodeConfiguration s = ini.getSection("DEFAULTS");
            for (Iterator<String> it = s.getKeys(); it.hasNext(); ) {
                String key = it.next();
                String plain = key.replace("..", ".");
                if (!known.contains(plain)) {
                    throw new UsageException("conf file " + file + " [DEFAULTS]: unknown key '" + plain + "'");
                }
                values.put(plain, s.getString(key));
            }
        }
        if (ini.getSections().contains("KEYSTONE")) {
            SubnodeConfiguration s = ini.getSection("KEYSTONE");
            for (String key : KEYSTONE_KEYS) {
                if (s.containsKey(key)) {
                    values.put(key, s.getString(key));
                }
            }
        }
        return values;
    }
}
