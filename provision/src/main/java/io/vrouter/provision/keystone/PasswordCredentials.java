package io.vrouter.provision.keystone;

import java.util.Objects;

/**
 * What {@code POST /v3/auth/tokens} needs for a project-scoped token with password auth:
 * Contrail's {@code admin_user}, {@code admin_password}, {@code admin_tenant_name}, and the
 * domains of user and project (Keystone v3; both {@value #DEFAULT_DOMAIN} unless configured).
 */
public record PasswordCredentials(String user, String password, String project, String userDomain,
                                  String projectDomain) {
    /** The domain {@code keystone-manage bootstrap} creates, and where Contrail's users live. */
    public static final String DEFAULT_DOMAIN = "Default";

    public PasswordCredentials {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(project, "project");
        userDomain = userDomain == null ? DEFAULT_DOMAIN : userDomain;
        projectDomain = projectDomain == null ? DEFAULT_DOMAIN : projectDomain;
    }

    public static PasswordCredentials of(String user, String password, String project) {
        return new PasswordCredentials(user, password, project, null, null);
    }

    @Override
    public String toString() {
        // Never the password.
        return "user '" + user + "' (domain " + userDomain + ") in project '" + project + "' (domain " + projectDomain + ")";
    }
}
