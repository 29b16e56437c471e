package io.vrouter.provision.auth;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code config-api-passwd}: adds, replaces or deletes a user in the config API's credentials
 * file. The password is read from the terminal (asked twice) or, with {@code --password-stdin},
 * from the first line of standard input — never from the command line, where {@code ps} would
 * show it.
 */
@Command(name = "config-api-passwd", mixinStandardHelpOptions = true,
        description = "Add, replace or delete a config-api user (PBKDF2-SHA256 hashes, never plain text).")
public final class PasswdTool implements Callable<Integer> {

    @Option(names = {"-f", "--file"}, required = true, description = "credentials file (created when missing)")
    Path file;

    @Option(names = "--role", defaultValue = "admin", description = "admin (read, write, watch) or reader (read, watch); default ${DEFAULT-VALUE}")
    String role;

    @Option(names = "--iterations", defaultValue = "" + PasswordHasher.DEFAULT_ITERATIONS,
            description = "PBKDF2 iterations; default ${DEFAULT-VALUE}")
    int iterations;

    @Option(names = "--password-stdin", description = "read the password from the first line of standard input")
    boolean passwordStdin;

    @Option(names = {"-d", "--delete"}, description = "delete the user instead")
    boolean delete;

    @Parameters(index = "0", paramLabel = "USER", description = "user name")
    String user;

    private final BufferedReader stdin;

    PasswdTool(BufferedReader stdin) {
        this.stdin = stdin;
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter err = new PrintWriter(System.err, true);
        CredentialsFile creds = Files.exists(file) ? CredentialsFile.load(file) : CredentialsFile.empty();
        if (delete) {
            if (!creds.remove(user)) {
                err.println("config-api-passwd: no user '" + user + "' in " + file);
                return 1;
            }
            creds.save(file);
            err.println("config-api-passwd: deleted " + user + " from " + file);
            return 0;
        }
        Role r = Role.parse(role);
        char[] password = readPassword();
        try {
            if (password.length == 0) {
                err.println("config-api-passwd: the password is empty");
                return 1;
            }
            creds.put(user, r, password, iterations);
        } finally {
            Arrays.fill(password, '\0');
        }
        creds.save(file);
        err.println("config-api-passwd: " + user + " (" + r.label() + ") saved in " + file);
        return 0;
    }

    private char[] readPassword() throws IOException {
        if (passwordStdin) {
            String line = stdin.readLine();
            if (line == null) {
                throw new IllegalArgumentException("--password-stdin: standard input is empty");
            }
            return line.toCharArray();
        }
        Console console = System.console();
        if (console == null) {
            throw new IllegalArgumentException("no terminal to ask for the password; use --password-stdin");
        }
        char[] first = console.readPassword("Password for %s: ", user);
        char[] again = console.readPassword("Again: ");
        if (first == null || again == null || !Arrays.equals(first, again)) {
            throw new IllegalArgumentException("the passwords differ");
        }
        Arrays.fill(again, '\0');
        return first;
    }

    /** Runs the tool; returns the exit status (0 ok, 1 failed, 2 bad usage). */
    public static int run(String[] args, BufferedReader stdin) {
        CommandLine cl = new CommandLine(new PasswdTool(stdin));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("config-api-passwd: " + ex.getMessage());
            return 1;
        });
        return cl.execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(args, new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))));
    }
}
