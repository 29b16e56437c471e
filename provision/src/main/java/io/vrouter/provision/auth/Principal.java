package io.vrouter.provision.auth;

import java.util.Objects;

/** An authenticated caller: the user name (for the write log) and its role. */
public record Principal(String user, Role role) {
    /** Who every caller is when authentication is switched off. */
    public static final Principal ANONYMOUS_ADMIN = new Principal("(no-auth)", Role.ADMIN);

    public Principal {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(role, "role");
    }
}
