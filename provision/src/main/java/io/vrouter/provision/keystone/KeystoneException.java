package io.vrouter.provision.keystone;

/** A Keystone request that did not give an answer the caller can use. */
public final class KeystoneException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong, so callers can answer 401, 503 or exit with the right status. */
    public enum Kind {
        /** No connection, a timeout, or a 5xx from Keystone: nothing is known about the credentials. */
        UNAVAILABLE,
        /** Keystone refused the credentials (401) or the caller's own token for this request. */
        UNAUTHORIZED,
        /** Keystone answered 403: the credentials are valid but may not do this (e.g. validate tokens). */
        FORBIDDEN,
        /** An answer that is not Keystone v3 as documented (missing header or field). */
        PROTOCOL
    }

    private final Kind kind;

    public KeystoneException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public KeystoneException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
