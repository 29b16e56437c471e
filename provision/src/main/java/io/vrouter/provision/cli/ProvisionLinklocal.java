package io.vrouter.provision.cli;

import io.vrouter.linklocal.config.VersionedConfig;

import io.vrouter.linklocal.config.FieldError;
import io.vrouter.linklocal.config.LinkLocalServiceEntry;
import io.vrouter.linklocal.config.LinkLocalValidator;
import io.vrouter.linklocal.configclient.ConfigApiClient;
import io.vrouter.linklocal.configclient.ConfigApiEndpoint;
import io.vrouter.linklocal.configclient.ConfigApiException;
import io.vrouter.plumbing.config.IniDefaultProvider;
import io.vrouter.plumbing.logging.LogSettings;
import io.vrouter.plumbing.logging.LogSetup;
import io.vrouter.plumbing.logging.Severity;
import io.vrouter.provision.keystone.KeystoneSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code provision_linklocal}: adds, replaces, deletes or lists link-local services in the
 * config API's {@code global-vrouter-config}, with Contrail's flags and semantics and without
 * its defects (see the contracts, section 2).
 *
 * <p>{@link #run} is the in-process entry (tests, the benchmark); {@link #main} exits with its
 * status. Every failure prints one line to stderr; see {@link ExitStatus}.
 */
@Command(name = "provision_linklocal", sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Provision link-local services in global-vrouter-config.",
            "Entries match by name: add replaces an existing entry of that name in place, else appends;"
                    + " del removes it. Concurrent runs are safe (If-Match with retries).",
            "Values come from the flags, then the -c conf file ([DEFAULTS]: keys named like the flags;"
                    + " [KEYSTONE]: admin_user, admin_password, admin_tenant_name), then the defaults.",
            "Auth: HTTP Basic with --admin_user/--admin_password, or, when the conf file's [KEYSTONE] names"
                    + " auth_url or auth_host (auth_protocol, auth_port), a Keystone token for"
                    + " --admin_user/--admin_password/--admin_tenant_name sent as X-Auth-Token."},
        footer = {"", "Example:",
            "  provision_linklocal --oper add --linklocal_service_name metadata --linklocal_service_ip 169.254.169.254"
                    + " --linklocal_service_port 80 --ipfabric_service_ip 10.0.0.5 --ipfabric_service_port 8775"
                    + " --admin_user admin --admin_password secret",
            "", ExitStatus.HELP_TABLE})
public final class ProvisionLinklocal implements Callable<Integer> {

    private static final String CONF_FILE = "--conf_file";

    @Option(names = {"-c", CONF_FILE}, paramLabel = "FILE", description = "INI file with defaults for the flags")
    Path confFile;

    @Option(names = "--api_server_ip", paramLabel = "IP",
            description = "config API address (default " + Settings.DEFAULT_API_SERVER_IP + ")")
    String apiServerIp;

    @Option(names = "--api_server_port", paramLabel = "PORT",
            description = "config API port (default " + Settings.DEFAULT_API_SERVER_PORT + ")")
    String apiServerPort;

    @Option(names = "--api_server_use_ssl", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "use https: true/false/yes/no/1/0; the bare flag means true (default false)")
    String apiServerUseSsl;

    @Option(names = "--ca_cert", paramLabel = "FILE",
            description = "PEM CA bundle to verify the config API's certificate (default: the JVM trust store)")
    String caCert;

    @Option(names = "--insecure", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "https without verifying the server certificate; only ever explicit")
    String insecure;

    @Option(names = "--use_admin_api", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "accepted for Contrail compatibility; this config API has one port, so it changes nothing")
    String useAdminApi;

    @Option(names = "--oper", paramLabel = "OPER", description = "add (default), del or list")
    String oper;

    @Option(names = "--fail_if_absent", arity = "0..1", fallbackValue = "true", paramLabel = "BOOL",
            description = "--oper del of a name that is not provisioned exits 3 instead of 0 (Contrail: 0)")
    String failIfAbsent;

    @Option(names = "--linklocal_service_name", paramLabel = "NAME", description = "service name, the key (e.g. metadata)")
    String serviceName;

    @Option(names = "--linklocal_service_ip", paramLabel = "IP", description = "link-local service IP (e.g. 169.254.169.254)")
    String serviceIp;

    @Option(names = "--linklocal_service_port", paramLabel = "PORT", description = "link-local service port, 1-65535")
    String servicePort;

    @Option(names = "--ipfabric_dns_service_name", paramLabel = "NAME",
            description = "fabric DNS name of the service (instead of --ipfabric_service_ip)")
    String fabricDnsName;

    @Option(names = "--ipfabric_service_ip", paramLabel = "IP[,IP...]",
            description = "fabric IP(s) of the service; repeat the flag and/or give a comma list")
    List<String> fabricIps = new ArrayList<>();

    @Option(names = "--ipfabric_service_port", paramLabel = "PORT", description = "fabric port, 1-65535")
    String fabricPort;

    @Option(names = "--admin_user", paramLabel = "USER", description = "config API user (HTTP Basic), or Keystone user (see Auth above)")
    String adminUser;

    @Option(names = "--admin_password", paramLabel = "PASSWORD",
            description = "its password (better in the conf file's [KEYSTONE] section than on the command line)")
    String adminPassword;

    @Option(names = "--admin_tenant_name", paramLabel = "TENANT",
            description = "Keystone project the token is scoped to (HTTP Basic auth does not use it)")
    String adminTenantName;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and the exit statuses")
    boolean help;

    @Spec
    CommandSpec spec;

    /** Lines printed as warnings before the run: keys of the conf file nothing reads. */
    private final List<String> warnings = new ArrayList<>();

    /**
     * [DEFAULTS]: any flag's key, others a warning (Contrail's files carry keys of other releases);
     * [KEYSTONE]: the admin credentials here, the rest for {@link KeystoneLogin}; other sections ignored.
     */
    private final IniDefaultProvider iniDefaults = new IniDefaultProvider(CONF_FILE, "DEFAULTS",
            Map.of("KEYSTONE", Set.of("admin_user", "admin_password", "admin_tenant_name")), true)
            .warnOnUnknownKeys(warnings::add);

    private PrintStream out = System.out;
    private PrintStream err = System.err;
    private int maxAttempts = Provisioner.DEFAULT_MAX_ATTEMPTS;

    public static void main(String[] args) {
        try {
            // A CLI: the libraries' warnings and errors only, dated like the servers' lines.
            LogSetup.configure(LogSettings.stderr(Severity.SYS_WARN));
        } catch (IOException e) {
            throw new IllegalStateException("stderr logging cannot fail", e);
        }
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command in-process; returns the exit status (see {@link ExitStatus}). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, Provisioner.DEFAULT_MAX_ATTEMPTS);
    }

    static int run(String[] args, PrintStream out, PrintStream err, int maxAttempts) {
        ProvisionLinklocal cmd = new ProvisionLinklocal();
        cmd.out = out;
        cmd.err = err;
        cmd.maxAttempts = maxAttempts;
        CommandLine cl = commandLine(cmd)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .setParameterExceptionHandler((ex, a) -> {
                    err.println("provision_linklocal: " + ex.getMessage() + " (see --help)");
                    return ExitStatus.USAGE;
                })
                .setExecutionExceptionHandler((ex, c, p) -> {
                    err.println("provision_linklocal: internal error: " + ex);
                    return ExitStatus.SERVER_ERROR;
                });
        return cl.execute(args);
    }

    /** The command line for {@code cmd}: flags over the {@code -c} file over the defaults. */
    static CommandLine commandLine(ProvisionLinklocal cmd) {
        return new CommandLine(cmd)
                .setOverwrittenOptionsAllowed(true) // argparse semantics: the last value wins
                // argparse's: a unique prefix of a long option works (--admin_pass); an exact
                // name wins over longer ones; an ambiguous prefix is an error naming the candidates
                .setAbbreviatedOptionsAllowed(true)
                .setDefaultValueProvider(cmd.iniDefaults);
    }

    @Override
    public Integer call() {
        if (confFile != null) {
            for (String k : KeystoneSettings.unknownKeys(confFile)) {
                warnings.add("conf file " + confFile + " [" + KeystoneSettings.SECTION + "]: unknown key '" + k + "' ignored");
            }
        }
        for (String w : warnings) {
            err.println("provision_linklocal: warning: " + w);
        }
        Settings s;
        try {
            s = settings();
            List<String> missing = s.missingFor();
            if (!missing.isEmpty()) {
                return fail(ExitStatus.USAGE, "--oper " + s.oper().name().toLowerCase(java.util.Locale.ROOT) + " needs "
                        + String.join(", ", missing));
            }
        } catch (UsageException e) {
            return fail(ExitStatus.USAGE, e.getMessage() + " (see --help)");
        }
        if (s.oper() == Oper.ADD) {
            List<FieldError> errors = new ArrayList<>();
            LinkLocalValidator.validateEntry(s.entry(), "", errors);
            if (!errors.isEmpty()) {
                return fail(ExitStatus.INVALID, "invalid entry: " + String.join("; ",
                        errors.stream().map(ProvisionLinklocal::asFlag).toList()));
            }
        }
        ConfigApiEndpoint endpoint = new ConfigApiEndpoint(s.baseUri(), s.adminUser(), s.adminPassword(),
                s.caCert(), s.insecure(), null);
        try {
            ConfigApiClient api = KeystoneLogin.client(endpoint, confFile, s);
            Provisioner p = new Provisioner(api, maxAttempts);
            return switch (s.oper()) {
                case LIST -> list(p);
                case ADD -> report(p.add(s.entry()), s.serviceName(), s.entry(), false);
                case DEL -> report(p.del(s.serviceName()), s.serviceName(), null, s.failIfAbsent());
            };
        } catch (IOException e) {
            return fail(ExitStatus.USAGE, "cannot set up TLS: " + e.getMessage());
        } catch (Provisioner.Failure e) {
            return fail(e.status, e.getMessage());
        } catch (ConfigApiException e) {
            return fail(statusOf(e), describe(e, endpoint));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(ExitStatus.SERVER_ERROR, "interrupted");
        }
    }

    private int list(Provisioner p) throws ConfigApiException {
        VersionedConfig c = p.read();
        out.print(EntryTable.format(c.config().linklocalServices()));
        out.flush();
        return ExitStatus.OK;
    }

    private int report(Provisioner.Result r, String name, LinkLocalServiceEntry entry, boolean failIfAbsent) {
        String what = entry == null ? "'" + name + "'" : entry.toString();
        switch (r.outcome()) {
            case NOT_FOUND -> {
                if (failIfAbsent) {
                    return fail(ExitStatus.NOT_FOUND, "no link-local service named '" + name + "'; nothing deleted");
                }
                out.println("not found: no link-local service named '" + name + "'; nothing to delete (revision "
                        + r.revision() + ")");
            }
            case UNCHANGED -> out.println("unchanged: " + what + " is already provisioned (revision " + r.revision() + ")");
            case ADDED -> out.println("added " + what + " (revision " + r.revision() + ")");
            case REPLACED -> out.println("replaced " + what + " (revision " + r.revision() + ")");
            case DELETED -> out.println("deleted " + what + " (revision " + r.revision() + ")");
            default -> throw new IllegalStateException(r.outcome().toString());
        }
        out.flush();
        return ExitStatus.OK;
    }

    private int fail(int status, String message) {
        err.println("provision_linklocal: " + message);
        err.flush();
        return status;
    }

    static int statusOf(ConfigApiException e) {
        return switch (e.kind()) {
            case UNREACHABLE -> ExitStatus.UNREACHABLE;
            case UNAUTHORIZED, FORBIDDEN -> ExitStatus.AUTH;
            case INVALID -> ExitStatus.INVALID;
            case STALE_REVISION -> ExitStatus.CONFLICT;
            case NOT_FOUND, PROTOCOL -> ExitStatus.SERVER_ERROR;
        };
    }

    private static String describe(ConfigApiException e, ConfigApiEndpoint endpoint) {
        return switch (e.kind()) {
            case UNAUTHORIZED -> "authentication failed at " + endpoint.baseUri()
                    + (endpoint.user() == null ? " (no --admin_user given)" : " for user '" + endpoint.user() + "'")
                    + ": check --admin_user/--admin_password";
            case FORBIDDEN -> "user '" + endpoint.user() + "' may not change link-local services at "
                    + endpoint.baseUri() + " (needs role admin)";
            case INVALID -> e.getMessage() + (e.fieldErrors().isEmpty() ? ""
                    : " [" + Provisioner.join(e.fieldErrors()) + "]");
            default -> e.getMessage();
        };
    }

    /** "" + ".linklocal_service_port: 70000 is outside 1-65535" becomes "--linklocal_service_port: ...". */
    private static String asFlag(FieldError fe) {
        String f = fe.field().startsWith(".") ? fe.field().substring(1) : fe.field();
        String flag = switch (f.replaceAll("\\[\\d+]$", "")) {
            case "" -> "";
            case "ip_fabric_DNS_service_name" -> "--ipfabric_dns_service_name";
            case "ip_fabric_service_port" -> "--ipfabric_service_port";
            case "ip_fabric_service_ip" -> "--ipfabric_service_ip";
            default -> "--" + f.replaceAll("\\[\\d+]$", "");
        };
        return flag.isEmpty() ? fe.message() : flag + ": " + fe.message();
    }

    /**
     * The settings the parsed options describe: every option is read through its key (the flag's
     * name without dashes, also its conf-file key), so the flags are declared once, above.
     */
    Settings settings() throws UsageException {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        for (OptionSpec o : spec.options()) {
            if (o.usageHelp() || o.versionHelp() || o.isMultiValue() || o.longestName().equals(CONF_FILE)) {
                continue;
            }
            String key = IniDefaultProvider.key(o);
            Object v = o.getValue();
            if (v != null) {
                values.put(key, v.toString());
                origins.put(key, iniDefaults.origin(o));
            }
        }
        return Settings.resolve(values, origins, fabricIps);
    }

    /** Parses {@code args} as the command does and resolves them (tests). */
    static Settings settingsOf(String... args) throws UsageException {
        ProvisionLinklocal cmd = new ProvisionLinklocal();
        try {
            commandLine(cmd).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new UsageException(e.getMessage(), e);
        }
        return cmd.settings();
    }
}
