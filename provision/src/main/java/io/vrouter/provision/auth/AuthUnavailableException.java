package io.vrouter.provision.auth;

/**
 * The authenticator cannot decide whether the credentials are good (Keystone unreachable, or
 * refusing the service's own credentials). The server answers 503: the client did nothing
 * wrong and may retry, and an operator sees that the fault is on the server's side.
 */
public final class AuthUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AuthUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
