package io.vrouter.provision.cli;

/**
 * Exit statuses of {@code provision_linklocal}; scripts may rely on them. Every non-zero status
 * comes with exactly one line on stderr.
 */
public final class ExitStatus {
    /** The change was made (or was already in place), or the list was printed. */
    public static final int OK = 0;
    /** The config API answered with something unexpected (5xx, a body not per the contract). */
    public static final int SERVER_ERROR = 1;
    /** Bad flags or conf file: unknown option or --oper, not a number/boolean, a required flag missing. */
    public static final int USAGE = 2;
    /**
     * {@code --oper del --fail_if_absent} of a name that is not provisioned; nothing was changed.
     * Without the flag such a run exits {@link #OK} with a message, as Contrail's script does.
     */
    public static final int NOT_FOUND = 3;
    /** The entry (or the list it would make) fails validation, here or at the config API. */
    public static final int INVALID = 4;
    /** Credentials refused (401) or the user may not write (403). */
    public static final int AUTH = 5;
    /** The config API cannot be reached: refused, timed out, or TLS failed. */
    public static final int UNREACHABLE = 6;
    /** Every read-modify-write attempt lost a race with another writer; nothing was changed. */
    public static final int CONFLICT = 7;

    /** The table printed by --help. */
    static final String HELP_TABLE = """
            Exit status:
              0  success (added, replaced, deleted, unchanged, listed, or del of an absent name)
              1  the config API answered unexpectedly (5xx, malformed answer)
              2  usage: unknown flag or --oper, bad number or boolean, missing flag, bad conf file
              3  --oper del --fail_if_absent: no service of that name; nothing changed
              4  invalid entry (client-side check or the config API's 400), field errors printed
              5  authentication failed (401) or not allowed to write (403)
              6  config API unreachable (connection refused, timeout, TLS failure)
              7  gave up after repeated concurrent-update conflicts (412); nothing changed""";

    private ExitStatus() {
    }
}
