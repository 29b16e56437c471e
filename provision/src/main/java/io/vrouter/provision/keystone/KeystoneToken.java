package io.vrouter.provision.keystone;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A Keystone v3 token as {@code POST} / {@code GET /v3/auth/tokens} describe it: the token id
 * (the {@code X-Subject-Token} header) and the fields of the body's {@code token} object that
 * matter here.
 *
 * @param id          the token itself; never logged ({@link #toString()} leaves it out)
 * @param expiresAt   {@code token.expires_at}
 * @param userName    {@code token.user.name}
 * @param projectName {@code token.project.name}, or null for a token not scoped to a project
 * @param roles       {@code token.roles[].name}, as Keystone spells them (implied roles included)
 */
public record KeystoneToken(String id, Instant expiresAt, String userName, String projectName, List<String> roles) {
    public KeystoneToken {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(userName, "userName");
        roles = List.copyOf(roles);
    }

    /** True when the token is expired at {@code now} (or within {@code marginMs} of it). */
    public boolean expiresBefore(Instant now, long marginMs) {
        return !expiresAt.isAfter(now.plusMillis(marginMs));
    }

    @Override
    public String toString() {
        return "token of " + userName + (projectName == null ? "" : " in project " + projectName)
                + " roles " + roles + " expiring " + expiresAt;
    }
}
