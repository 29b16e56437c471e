package io.vrouter.linklocal.configclient;

import io.vrouter.linklocal.config.FieldError;
import java.util.List;

/**
 * A config API call that did not succeed, classified so that callers (the CLI's exit status,
 * the watch client's backoff) can act on the kind rather than parse messages.
 */
public final class ConfigApiException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong, coarse enough to choose an exit status or a retry policy. */
    public enum Kind {
        /** Connection refused, timed out, reset, or the TLS handshake failed. */
        UNREACHABLE,
        /** 401: no or wrong credentials. */
        UNAUTHORIZED,
        /** 403: the user may not do this (a reader writing). */
        FORBIDDEN,
        /** 404: the object (or path) does not exist. */
        NOT_FOUND,
        /** 400: the server rejected the content; {@link #fieldErrors()} says where. */
        INVALID,
        /** 412: the If-Match revision is stale. */
        STALE_REVISION,
        /** Anything else: 5xx, 428, a body that is not what the contract says. */
        PROTOCOL
    }

    private final Kind kind;
    private final int status;
    private final transient List<FieldError> fieldErrors;

    public ConfigApiException(Kind kind, int status, String message, List<FieldError> fieldErrors, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.fieldErrors = fieldErrors == null ? List.of() : List.copyOf(fieldErrors);
    }

    public ConfigApiException(Kind kind, int status, String message) {
        this(kind, status, message, List.of(), null);
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status, or 0 when no response was received. */
    public int status() {
        return status;
    }

    /** The server's {@code field_errors} for {@link Kind#INVALID}; empty otherwise. */
    public List<FieldError> fieldErrors() {
        return fieldErrors;
    }
}
