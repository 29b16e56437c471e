package io.vrouter.agent.port;

import io.vrouter.linklocal.config.FieldError;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A port request the agent refuses, with the HTTP status port IPC answers (always 4xx, or 500
 * when the state directory cannot be written) and every field error found, not just the first.
 * When this is thrown the port table and the state directory are unchanged.
 */
public final class PortException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient List<FieldError> errors;

    public PortException(int status, String message) {
        this(status, message, List.of());
    }

    public PortException(int status, String message, List<FieldError> errors) {
        super(errors.isEmpty() ? message
                : message + ": " + errors.stream().map(FieldError::toString).collect(Collectors.joining("; ")));
        this.status = status;
        this.errors = List.copyOf(errors);
    }

    /** The HTTP status to answer with. */
    public int status() {
        return status;
    }

    public List<FieldError> errors() {
        return errors;
    }
}
