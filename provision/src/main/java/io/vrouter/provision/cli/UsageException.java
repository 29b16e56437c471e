package io.vrouter.provision.cli;

/** A problem with the flags or the conf file; reported as one line with {@link ExitStatus#USAGE}. */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }

    UsageException(String message, Throwable cause) {
        super(message, cause);
    }
}
