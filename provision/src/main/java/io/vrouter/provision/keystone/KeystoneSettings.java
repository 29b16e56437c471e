package io.vrouter.provision.keystone;

import io.vrouter.plumbing.config.ConfigValues;
import io.vrouter.plumbing.config.IniException;
import io.vrouter.plumbing.config.IniFile;
import java.nio.file.Files;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The {@code [KEYSTONE]} section of Contrail's files ({@code contrail-api.conf},
 * {@code contrail-keystone-auth.conf}, {@code provision_linklocal}'s {@code -c} file), resolved.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@code auth_url}</td><td>—</td><td>Keystone's URL; a trailing {@code /v3} or
 *       {@code /v2.0} is replaced by {@code /v3} (Keystone has served only v3 since Queens).
 *       Takes precedence over the three keys below</td></tr>
 *   <tr><td>{@code auth_protocol}</td><td>{@value #DEFAULT_PROTOCOL}</td><td>http or https</td></tr>
 *   <tr><td>{@code auth_host}</td><td>—</td><td>Keystone's host; with {@code auth_url} absent, the
 *       one that switches Keystone on for {@code provision_linklocal}</td></tr>
 *   <tr><td>{@code auth_port}</td><td>{@value #DEFAULT_PORT}</td><td>Contrail's samples say 35357,
 *       Keystone's old admin port; current Keystone serves everything on 5000</td></tr>
 *   <tr><td>{@code admin_user}, {@code admin_password}, {@code admin_tenant_name}</td><td>—</td>
 *       <td>the user whose project-scoped token we use (the service's own, or the CLI's)</td></tr>
 *   <tr><td>{@code user_domain_name}, {@code project_domain_name}</td><td>{@value PasswordCredentials#DEFAULT_DOMAIN}</td><td>Keystone v3 domains</td></tr>
 *   <tr><td>{@code cafile}</td><td>JVM trust store</td><td>PEM CA bundle for https</td></tr>
 *   <tr><td>{@code insecure}</td><td>false</td><td>https without certificate checks; only explicit</td></tr>
 *   <tr><td>{@code token_cache_time}</td><td>{@value #DEFAULT_TOKEN_CACHE_TIME_S} s</td><td>the config
 *       API re-asks Keystone about a token at least this often: the longest a revoked token is
 *       still accepted (keystonemiddleware's option of the same name and default). 0 = ask every
 *       time</td></tr>
 * </table>
 *
 * <p>Other keys Contrail's files carry ({@code memcache_servers}, {@code admin_token},
 * {@code certfile}, {@code keyfile}, ...) are reported by {@link #ignoredKeys()} and not used.
 *
 * @param v3Url          Keystone's identity v3 root
 * @param credentials    admin_user / admin_password / admin_tenant_name (+ domains)
 * @param caFile         PEM CA bundle, or null
 * @param insecure       skip certificate checks (https)
 * @param tokenCacheTime how long a validation may be reused (never past the token's expiry)
 * @param ignoredKeys    keys of the section that are not used
 */
public record KeystoneSettings(URI v3Url, PasswordCredentials credentials, Path caFile, boolean insecure,
                               Duration tokenCacheTime, List<String> ignoredKeys) {
    public static final String SECTION = "KEYSTONE";
    public static final String DEFAULT_PROTOCOL = "http";
    public static final int DEFAULT_PORT = 5000;
    public static final long DEFAULT_TOKEN_CACHE_TIME_S = 300;

    static final Set<String> KEYS = Set.of("auth_url", "auth_host", "auth_port", "auth_protocol", "admin_user",
            "admin_password", "admin_tenant_name", "user_domain_name", "project_domain_name", "cafile", "insecure",
            "token_cache_time");

    public KeystoneSettings {
        ignoredKeys = List.copyOf(ignoredKeys);
    }

    /**
     * The settings a service (the config API) needs to validate tokens: Keystone's location and
     * its own credentials are all required.
     *
     * @throws IllegalArgumentException naming the file and the missing or bad key
     */
    public static KeystoneSettings forService(Path iniFile) {
        Map<String, String> s = readSection(iniFile);
        String where = "config file " + iniFile + " [" + SECTION + "]";
        URI url = v3Url(s, where);
        if (url == null) {
            throw new IllegalArgumentException(where + ": auth_strategy = keystone needs auth_url, or auth_host"
                    + " (with auth_protocol, auth_port)");
        }
        List<String> missing = new ArrayList<>();
        for (String k : List.of("admin_user", "admin_password", "admin_tenant_name")) {
            if (s.get(k) == null) {
                missing.add(k);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(where + ": auth_strategy = keystone needs " + String.join(", ", missing)
                    + " (the config API's own Keystone user, which validates the clients' tokens)");
        }
        return build(url, s, s.get("admin_user"), s.get("admin_password"), s.get("admin_tenant_name"), where);
    }

    /**
     * The settings a client ({@code provision_linklocal}) uses to get a token, or null when
     * {@code iniFile} names no Keystone (no {@code auth_url} / {@code auth_host}: HTTP Basic is
     * used). User, password and project come from the caller (flags over the file); all three
     * are then required.
     */
    public static KeystoneSettings forClient(Path iniFile, String user, String password, String project) {
        if (iniFile == null) {
            return null;
        }
        Map<String, String> s = readSection(iniFile);
        String where = "conf file " + iniFile + " [" + SECTION + "]";
        URI url = v3Url(s, where);
        if (url == null) {
            return null;
        }
        List<String> missing = new ArrayList<>();
        if (user == null) {
            missing.add("--admin_user");
        }
        if (password == null) {
            missing.add("--admin_password");
        }
        if (project == null) {
            missing.add("--admin_tenant_name");
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(where + " names Keystone at " + url + ", which needs "
                    + String.join(", ", missing) + " (flags or [" + SECTION + "] keys)");
        }
        return build(url, s, user, password, project, where);
    }

    private static KeystoneSettings build(URI url, Map<String, String> s, String user, String password,
            String project, String where) {
        boolean insecure = bool(s.get("insecure"), where + " insecure");
        Path ca = s.get("cafile") == null ? null : Path.of(s.get("cafile"));
        if (ca != null && !Files.isReadable(ca)) {
            throw new IllegalArgumentException(where + ": cafile " + ca + " is not a readable file");
        }
        long cacheS = DEFAULT_TOKEN_CACHE_TIME_S;
        if (s.get("token_cache_time") != null) {
            try {
                cacheS = Long.parseLong(s.get("token_cache_time"));
            } catch (NumberFormatException e) {
                cacheS = -1;
            }
            if (cacheS < 0) {
                throw new IllegalArgumentException(where + ": token_cache_time '" + s.get("token_cache_time")
                        + "' is not a number of seconds >= 0");
            }
        }
        List<String> ignored = new ArrayList<>();
        for (String k : s.keySet()) {
            if (!KEYS.contains(k)) {
                ignored.add(k);
            }
        }
        return new KeystoneSettings(url, new PasswordCredentials(user, password, project,
                s.get("user_domain_name"), s.get("project_domain_name")), ca, insecure, Duration.ofSeconds(cacheS), ignored);
    }

    /**
     * Keystone's v3 root from {@code auth_url}, or {@code auth_protocol://auth_host:auth_port/v3};
     * null when the section names neither {@code auth_url} nor {@code auth_host}.
     */
    static URI v3Url(Map<String, String> s, String where) {
        String url = s.get("auth_url");
        if (url == null) {
            String host = s.get("auth_host");
            if (host == null) {
                return null;
            }
            String protocol = s.getOrDefault("auth_protocol", DEFAULT_PROTOCOL).toLowerCase(Locale.ROOT);
            if (!protocol.equals("http") && !protocol.equals("https")) {
                throw new IllegalArgumentException(where + ": auth_protocol '" + protocol + "' is not http or https");
            }
            String port = s.getOrDefault("auth_port", Integer.toString(DEFAULT_PORT));
            int p;
            try {
                p = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                p = -1;
            }
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException(where + ": auth_port '" + port + "' is not a port 1-65535");
            }
            url = protocol + "://" + (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + p;
        }
        return v3Url(url, where);
    }

    /** {@code http://h:5000}, {@code http://h:5000/v3}, {@code http://h:35357/v2.0/} all give {@code http://h:port/v3}. */
    static URI v3Url(String url, String where) {
        String u = url.trim();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        for (String suffix : List.of("/v3/auth/tokens", "/v2.0/tokens", "/v3", "/v2.0")) {
            if (u.endsWith(suffix)) {
                u = u.substring(0, u.length() - suffix.length());
                break;
            }
        }
        URI parsed;
        try {
            parsed = new URI(u + "/v3");
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(where + ": auth_url '" + url + "' is not a URL");
        }
        if (!"http".equals(parsed.getScheme()) && !"https".equals(parsed.getScheme()) || parsed.getHost() == null) {
            throw new IllegalArgumentException(where + ": auth_url '" + url + "' is not an http(s) URL with a host");
        }
        return parsed;
    }

    /**
     * The keys of {@code iniFile}'s {@code [KEYSTONE]} section this project does not read (other
     * programs' keys in a shared file), in file order; empty when unreadable or absent.
     */
    public static List<String> unknownKeys(Path iniFile) {
        try {
            return IniFile.read(iniFile).section(SECTION).keySet().stream().filter(k -> !KEYS.contains(k)).toList();
        } catch (IniException e) {
            return List.of();
        }
    }

    /** True when {@code iniFile} has a {@code [KEYSTONE]} section (false when it cannot be read). */
    public static boolean hasSection(Path iniFile) {
        try {
            return IniFile.read(iniFile).sections().containsKey(SECTION);
        } catch (IniException e) {
            return false;
        }
    }

    /** The keys of {@code [KEYSTONE]} with non-blank values (empty when there is no such section). */
    static Map<String, String> readSection(Path iniFile) {
        if (iniFile == null) {
            throw new IllegalArgumentException("auth_strategy = keystone needs a config file (-c) with a ["
                    + SECTION + "] section");
        }
        IniFile ini;
        try {
            ini = IniFile.read(iniFile);
        } catch (IniException e) {
            throw new IllegalArgumentException("config file " + e.getMessage());
        }
        Map<String, String> out = new LinkedHashMap<>();
        ini.section(SECTION).forEach((k, v) -> {
            if (v != null && !v.isBlank()) {
                out.put(k, v.trim());
            }
        });
        return out;
    }

    private static boolean bool(String v, String what) {
        return v != null && ConfigValues.bool(what, v.trim());
    }

    /** A client for these settings. */
    public KeystoneClient client() throws java.io.IOException {
        return KeystoneClient.create(v3Url, caFile, insecure, KeystoneClient.DEFAULT_TIMEOUT);
    }

    @Override
    public String toString() {
        return "Keystone " + v3Url + " as " + credentials;
    }
}
