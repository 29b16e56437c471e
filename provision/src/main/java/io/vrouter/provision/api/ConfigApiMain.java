package io.vrouter.provision.api;

import ch.qos.logback.classic.Level;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.vrouter.linklocal.config.IpLiteral;
import io.vrouter.plumbing.config.IniDefaultProvider;
import io.vrouter.plumbing.config.ServerTlsOptions;
import io.vrouter.plumbing.logging.LogSettings;
import io.vrouter.plumbing.logging.LogSetup;
import io.vrouter.plumbing.logging.Severity;
import io.vrouter.provision.auth.Authenticator;
import io.vrouter.provision.auth.BasicAuthenticator;
import io.vrouter.provision.auth.CredentialsFile;
import io.vrouter.provision.auth.KeystoneAuthenticator;
import io.vrouter.provision.keystone.KeystoneSettings;
import io.vrouter.provision.store.ConfigStore;
import io.vrouter.provision.store.ConfigStores;
import io.vrouter.provision.store.StoreException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code config-api}: serves {@code global-vrouter-config} over HTTP(S).
 *
 * <p>Settings come from flags or from an INI file ({@code -c}, section {@code [DEFAULTS]},
 * keys as the long flag names with {@code _} for {@code -}: {@code listen_ip},
 * {@code listen_port}, {@code store}, {@code credentials_file}, {@code no_auth},
 * {@code tls_cert}, {@code tls_key}, {@code auth_strategy}); a flag overrides the file ({@link IniDefaultProvider}).
 * {@code auth_strategy = keystone} validates clients' {@code X-Auth-Token} with Keystone, configured by
 * the file's {@code [KEYSTONE]} section as in Contrail's {@code contrail-api.conf} ({@link KeystoneSettings}).
 * Once serving, prints one line
 * {@code config-api listening on <url>} to standard output (scripts and tests wait for it).
 */
@Command(name = "config-api", mixinStandardHelpOptions = true,
        description = "Serve the global-vrouter-config object (link-local services) over HTTP.")
public final class ConfigApiMain {
    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(ConfigApiMain.class);
    static final String DEFAULT_STORE = "file:/var/lib/config-api";
    static final String SECTION = "DEFAULTS";

    @Option(names = {"-c", "--conf-file"}, description = "INI file with a [" + SECTION + "] section")
    Path confFile;

    @Option(names = "--listen-ip", defaultValue = ConfigApiServer.DEFAULT_LISTEN_ADDRESS,
            description = "address to listen on (default ${DEFAULT-VALUE})")
    String listenIp;

    @Option(names = "--listen-port", defaultValue = "" + ConfigApiServer.DEFAULT_PORT,
            description = "TCP port (default ${DEFAULT-VALUE}; 0 picks a free one)")
    int listenPort;

    @Option(names = "--store", defaultValue = DEFAULT_STORE,
            description = "file:<dir> | etcd:<url>[,<url>...] | memory: (default ${DEFAULT-VALUE})")
    String store;

    @Option(names = "--credentials-file", description = "users file made by config-api-passwd (required unless --no-auth)")
    Path credentialsFile;

    @Option(names = "--no-auth", description = "serve without authentication: anyone who reaches the port may write (tests and demos only)")
    boolean noAuth;

    @Option(names = "--auth-strategy", defaultValue = "basic",
            description = "basic (a credentials file) or keystone (validate X-Auth-Token with the -c file's [KEYSTONE])")
    String authStrategy;

    @Mixin
    ServerTlsOptions tls;

    @Spec
    CommandSpec spec;

    private final IniDefaultProvider iniDefaults = new IniDefaultProvider("--conf-file", SECTION, Map.of(KeystoneSettings.SECTION, Set.of()), false);

    /** The command line for {@code cmd}: flags over the {@code -c} file over the defaults. */
    static CommandLine commandLine(ConfigApiMain cmd) {
        return new CommandLine(cmd).setDefaultValueProvider(cmd.iniDefaults);
    }

    /** The fully resolved settings (flags over file over defaults). */
    record Settings(InetSocketAddress listen, String store, Path credentialsFile, boolean noAuth, Path tlsCert, Path tlsKey,
                    KeystoneSettings keystone) {
    }

    /** Checks what parsing left; every problem is an {@link IllegalArgumentException} with one clear line. */
    Settings resolve() {
        if (listenPort < 0 || listenPort > 65535) {
            throw new IllegalArgumentException(origin("--listen-port") + " " + listenPort + " is outside 0-65535");
        }
        InetAddress addr = IpLiteral.parse(listenIp);
        if (addr == null) {
            throw new IllegalArgumentException(origin("--listen-ip") + " '" + listenIp + "' is not an IP address");
        }
        KeystoneSettings keystone = keystoneOrNull();
        if (credentialsFile == null && !noAuth && keystone == null) {
            throw new IllegalArgumentException("no credentials file: give --credentials-file (create users with"
                    + " config-api-passwd), or --no-auth to serve without authentication");
        }
        if (credentialsFile != null && noAuth) {
            throw new IllegalArgumentException("--no-auth and a credentials file exclude each other");
        }
        tls.check();
        if (credentialsFile != null && !Files.isReadable(credentialsFile)) {
            throw new IllegalArgumentException("cannot read " + credentialsFile);
        }
        return new Settings(new InetSocketAddress(addr, listenPort), store, credentialsFile, noAuth, tls.cert(), tls.key(),
                keystone);
    }

    /** {@code auth_strategy}: basic (default) or keystone, which reads the -c file's [KEYSTONE]. */
    private KeystoneSettings keystoneOrNull() {
        switch (authStrategy.toLowerCase(Locale.ROOT)) {
            case "basic":
                if (confFile != null && KeystoneSettings.hasSection(confFile)) {
                    throw new IllegalArgumentException("config file " + confFile + ": [KEYSTONE] is only used with"
                            + " auth_strategy = keystone in [" + SECTION + "]");
                }
                return null;
            case "keystone":
                if (credentialsFile != null || noAuth) {
                    throw new IllegalArgumentException("auth_strategy = keystone excludes "
                            + (noAuth ? "--no-auth" : "a credentials file"));
                }
                return KeystoneSettings.forService(confFile);
            default:
                throw new IllegalArgumentException(origin("--auth-strategy") + " '" + authStrategy
                        + "' is not basic or keystone");
        }
    }

    private String origin(String option) {
        return iniDefaults.origin(spec.findOption(option));
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
        try {
            // stderr (the journal under systemd), dated lines; SIGHUP no longer stops the server.
            LogSetup.configure(LogSettings.stderr(Severity.DEFAULT)).reopenOnSighup();
        } catch (IOException e) {
            throw new IllegalStateException("stderr logging cannot fail", e);
        }
        System.exit(run(args, System.out, System.err));
    }

    /** Parses, starts and blocks until the JVM is asked to stop; returns the exit status on failure. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        quietLibraryLogging();
        ConfigApiMain cmd = new ConfigApiMain();
        CommandLine cl = commandLine(cmd);
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
            LOG.info("config-api stopping");
            running.close();
            LOG.info("config-api stopped");
            stopped.countDown();
        }, "config-api-shutdown"));
        ConfigApiServer srv = running.server();
        String host = srv.address().getAddress().getHostAddress();
        String listening = "config-api listening on " + (srv.tls() ? "https" : "http") + "://"
                + (host.contains(":") ? "[" + host + "]" : host) + ":" + srv.port()
                + " (store " + running.store().describe() + "; web UI at /ui/)";
        LOG.info(listening);
        out.println(listening);
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
