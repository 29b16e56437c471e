package io.vrouter.provision.api;

import ch.qos.logback.classic.Level;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.vrouter.provision.auth.Authenticator;
import io.vrouter.provision.auth.BasicAuthenticator;
import io.vrouter.provision.auth.CredentialsFile;
import io.vrouter.provision.auth.KeystoneAuthenticator;
import io.vrouter.provision.keystone.KeystoneSettings;
import io.vrouter.provision.store.ConfigStore;
import io.vrouter.provision.store.ConfigStores;
import io.vrouter.provision.store.StoreException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.apache.commons.configuration2.INIConfiguration;
import org.apache.commons.configuration2.SubnodeConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code config-api}: serves {@code global-vrouter-config} over HTTP(S).
 *
 * <p>Settings come from flags or from an INI file ({@code -c}, section {@code [DEFAULTS]},
 * keys as the long flag names with {@code _} for {@code -}: {@code listen_ip},
 * {@code listen_port}, {@code store}, {@code credentials_file}, {@code tls_cert},
 * {@code tls_key}); a flag overrides the file. {@code auth_strategy = keystone} in {@code [DEFAULTS]}
 * validates clients' {@code X-Auth-Token} with Keystone, configured by the file's {@code [KEYSTONE]}
 * section as Contrail's {@code contrail-api.conf} ({@link KeystoneSettings}). Once serving, prints one line
 * {@code config-api listening on <url>} to standard output (scripts and tests wait for it).
 */
@Command(name = "config-api", mixinStandardHelpOptions = true,
        description = "Serve the global-vrouter-config object (link-local services) over HTTP.")
public final class ConfigApiMain {
    static final String DEFAULT_STORE = "file:/var/lib/config-api";
    static final String SECTION = "DEFAULTS";
    private static final Set<String> INI_KEYS =
            Set.of("listen_ip", "listen_port", "store", "credentials_file", "no_auth", "tls_cert", "tls_key",
                    "auth_strategy");

    @Option(names = {"-c", "--conf-file"}, description = "INI file with a [DEFAULTS] section")
    Path confFile;

    @Option(names = "--listen-ip", description = "address to listen on (default " + ConfigApiServer.DEFAULT_LISTEN_ADDRESS + ")")
    String listenIp;

    @Option(names = "--listen-port", description = "TCP port (default " + ConfigApiServer.DEFAULT_PORT + "; 0 picks a free one)")
    Integer listenPort;

    @Option(names = "--store", description = "file:<dir> | etcd:<url>[,<url>...] | memory: (default " + DEFAULT_STORE + ")")
    String store;

    @Option(names = "--credentials-file", description = "users file made by config-api-passwd (required unless --no-auth)")
    Path credentialsFile;

    @Option(names = "--no-auth", description = "serve without authentication: anyone who reaches the port may write (tests and demos only)")
    boolean noAuth;

    @Option(names = "--tls-cert", description = "server certificate chain (PEM); with --tls-key switches on HTTPS")
    Path tlsCert;

    @Option(names = "--tls-key", description = "server private key (PEM, PKCS#8 or PKCS#1)")
    Path tlsKey;

    /** The fully resolved settings (flags over file over defaults). */
    record Settings(InetSocketAddress listen, String store, Path credentialsFile, boolean noAuth, Path tlsCert, Path tlsKey,
                    KeystoneSettings keystone) {
    }

    /** Resolves flags and the INI file; every problem is an {@link IllegalArgumentException} with one clear line. */
    Settings resolve() {
        SubnodeConfiguration ini = null;
        if (confFile != null) {
            ini = readIni(confFile);
        }
        String ip = pick(listenIp, ini, "listen_ip", ConfigApiServer.DEFAULT_LISTEN_ADDRESS);
        String portText = listenPort != null ? listenPort.toString()
                : pick(null, ini, "listen_port", Integer.toString(ConfigApiServer.DEFAULT_PORT));
        int port;
        try {
            port = Integer.parseInt(portText.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("listen port '" + portText + "' is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("listen port " + port + " is outside 0-65535");
        }
        InetAddress addr = io.vrouter.linklocal.config.IpLiteral.parse(ip);
        if (addr == null) {
            throw new IllegalArgumentException("listen address '" + ip + "' is not an IP address");
        }
        Path creds = credentialsFile != null ? credentialsFile : pathOrNull(pick(null, ini, "credentials_file", null));
        boolean open = noAuth || parseBoolean(pick(null, ini, "no_auth", "false"), "no_auth");
        KeystoneSettings keystone = keystoneOrNull(pick(null, ini, "auth_strategy", "basic"), creds, open);
        if (creds == null && !open && keystone == null) {
            throw new IllegalArgumentException("no credentials file: give --credentials-file (create users with"
                    + " config-api-passwd), or --no-auth to serve without authentication");
        }
        if (creds != null && open) {
            throw new IllegalArgumentException("--no-auth and a credentials file exclude each other");
        }
        Path cert = tlsCert != null ? tlsCert : pathOrNull(pick(null, ini, "tls_cert", null));
        Path key = tlsKey != null ? tlsKey : pathOrNull(pick(null, ini, "tls_key", null));
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("TLS needs both a certificate and a key (--tls-cert and --tls-key)");
        }
        for (Path p : new Path[] {creds, cert, key}) {
            if (p != null && !Files.isReadable(p)) {
                throw new IllegalArgumentException("cannot read " + p);
            }
        }
        return new Settings(new InetSocketAddress(addr, port), pick(store, ini, "store", DEFAULT_STORE), creds, open, cert, key,
                keystone);
    }

    /** {@code auth_strategy}: basic (default) or keystone; keystone reads the -c file's [KEYSTONE]. */
    private KeystoneSettings keystoneOrNull(String strategy, Path creds, boolean open) {
        switch (strategy.toLowerCase(java.util.Locale.ROOT)) {
            case "basic":
                if (confFile != null && KeystoneSettings.hasSection(confFile)) {
                    throw new IllegalArgumentException("config file " + confFile + ": [KEYSTONE] is only used with"
                            + " auth_strategy = keystone in [DEFAULTS]");
                }
                return null;
            case "keystone":
                if (creds != null || open) {
                    throw new IllegalArgumentException("auth_strategy = keystone excludes "
                            + (open ? "--no-auth" : "a credentials file"));
                }
                return KeystoneSettings.forService(confFile);
            default:
                throw new IllegalArgumentException("auth_strategy = '" + strategy + "' is not basic or keystone");
        }
    }

    private static SubnodeConfiguration readIni(Path path) {
        INIConfiguration ini = new INIConfiguration();
        try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            ini.read(r);
        } catch (FileNotFoundException | java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("config file " + path + " does not exist");
        } catch (IOException | ConfigurationException e) {
            throw new IllegalArgumentException("config file " + path + " cannot be read: " + e.getMessage());
        }
        for (String section : ini.getSections()) {
            if (section != null && !SECTION.equals(section) && !KeystoneSettings.SECTION.equals(section)) {
                throw new IllegalArgumentException("config file " + path + ": unknown section [" + section
                        + "] (expected [" + SECTION + "])");
            }
        }
        SubnodeConfiguration s = ini.getSection(SECTION);
        s.getKeys().forEachRemaining(k -> {
            if (!INI_KEYS.contains(k)) {
                throw new IllegalArgumentException("config file " + path + ": unknown key '" + k
                        + "' in [" + SECTION + "] (expected one of " + INI_KEYS + ")");
            }
        });
        return s;
    }

    private static String pick(String flag, SubnodeConfiguration ini, String key, String dflt) {
        if (flag != null) {
            return flag;
        }
        if (ini != null && ini.containsKey(key)) {
            String v = ini.getString(key);
            return v == null || v.isBlank() ? dflt : v.trim();
        }
        return dflt;
    }

    private static boolean parseBoolean(String value, String key) {
        switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "1", "on":
                return true;
            case "false", "no", "0", "off":
                return false;
            default:
                throw new IllegalArgumentException(key + " = '" + value + "' is not a boolean (true/false)");
        }
    }

    private static Path pathOrNull(String s) {
        return s == null ? null : Path.of(s);
    }

    /** Opens everything and serves; the caller closes the returned server, then the store. */
    static Running start(Settings s) throws StoreException, IOException, InterruptedException {
        Authenticator auth = Authenticator.NONE;
        if (s.noAuth()) {
            LoggerFactory.getLogger(ConfigApiMain.class).warn(
                    "authentication is OFF (--no-auth): anyone who can reach {} may change link-local services", s.listen());
        } else if (s.keystone() != null) {
            auth = KeystoneAuthenticator.start(s.keystone());
        } else {
            CredentialsFile creds = CredentialsFile.load(s.credentialsFile());
            if (creds.users().isEmpty()) {
                throw new IllegalArgumentException("credentials file " + s.credentialsFile()
                        + " has no users; add one with config-api-passwd");
            }
            auth = BasicAuthenticator.watching(s.credentialsFile());
        }
        SslContext ssl = null;
        if (s.tlsCert() != null) {
            ssl = SslContextBuilder.forServer(s.tlsCert().toFile(), s.tlsKey().toFile()).build();
        }
        ConfigStore store = ConfigStores.open(s.store());
        try {
            return new Running(ConfigApiServer.start(s.listen(), store, auth, ssl), store);
        } catch (StoreException | InterruptedException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** A started server with the store it owns. */
    record Running(ConfigApiServer server, ConfigStore store) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
            store.close();
        }
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Parses, starts and blocks until the JVM is asked to stop; returns the exit status on failure. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        quietLibraryLogging();
        ConfigApiMain cmd = new ConfigApiMain();
        CommandLine cl = new CommandLine(cmd);
        Running running;
        try {
            CommandLine.ParseResult pr = cl.parseArgs(args);
            if (pr.isUsageHelpRequested()) {
                cl.usage(out);
                return 0;
            }
            if (pr.isVersionHelpRequested()) {
                out.println("config-api");
                return 0;
            }
            running = start(cmd.resolve());
        } catch (CommandLine.ParameterException e) {
            err.println("config-api: " + e.getMessage() + " (see --help)");
            return 2;
        } catch (IllegalArgumentException e) {
            err.println("config-api: " + e.getMessage());
            return 2;
        } catch (StoreException e) {
            err.println("config-api: store: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("config-api: " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (RuntimeException e) {
            // Netty reports a port in use or a bad key as a RuntimeException subclass.
            err.println("config-api: cannot start: " + e);
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.close();
            stopped.countDown();
        }, "config-api-shutdown"));
        ConfigApiServer srv = running.server();
        String host = srv.address().getAddress().getHostAddress();
        out.println("config-api listening on " + (srv.tls() ? "https" : "http") + "://"
                + (host.contains(":") ? "[" + host + "]" : host) + ":" + srv.port()
                + " (store " + running.store().describe() + ")");
        out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Without a logback configuration of the operator's, keep Netty/gRPC debug chatter out of the log. */
    private static void quietLibraryLogging() {
        if (System.getProperty("logback.configurationFile") != null) {
            return;
        }
        if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root
                && root.getLevel() == Level.DEBUG) {
            root.setLevel(Level.INFO);
        }
    }

}
